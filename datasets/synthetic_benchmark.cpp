#include "datasets/synthetic_benchmark.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "datasets/synthetic_scene.h"

namespace fs = std::filesystem;

namespace ppb::datasets {
namespace {

const std::vector<std::string> kColors = {"red", "green", "blue", "yellow"};
const std::vector<std::string> kDirections = {"left", "right", "up", "down"};
const std::vector<std::string> kCounts = {"1", "2", "3", "4"};

}  // namespace

std::vector<uint8_t> synthetic_color_rgb(const std::string& name) {
  if (name == "red") return {220, 30, 30};
  if (name == "green") return {30, 200, 40};
  if (name == "blue") return {30, 60, 230};
  if (name == "yellow") return {240, 220, 30};
  throw std::runtime_error("unknown synthetic colour '" + name + "'");
}

std::vector<uint8_t> synthetic_background_rgb() { return {128, 128, 128}; }

const std::vector<std::string>& synthetic_subtasks() {
  static const std::vector<std::string> names = {"color", "count", "direction"};
  return names;
}

std::vector<SyntheticVideoTruth> write_synthetic_benchmark(const std::string& dir, const SyntheticOptions& o) {
  if (o.videos < 1 || o.frames < 2 || o.width < 160 || o.height < 120 || o.width % 2 || o.height % 2)
    throw std::runtime_error("synthetic benchmark: need >= 1 video, >= 2 frames, an even size of at least 160x120");
  fs::create_directories(fs::path(dir) / "videos");
  fs::create_directories(fs::path(dir) / "json");
  SplitMix64 rng(o.seed);
  std::vector<SyntheticVideoTruth> truths;
  nlohmann::ordered_json color_items = nlohmann::ordered_json::array(), count_items = nlohmann::ordered_json::array(),
                 direction_items = nlohmann::ordered_json::array();
  const int W = o.width, H = o.height;

  for (int v = 0; v < o.videos; ++v) {
    SyntheticVideoTruth t;
    char name[32];
    std::snprintf(name, sizeof name, "synth_%03d.mp4", v);
    t.file = name;
    t.color = kColors[rng.below(static_cast<int>(kColors.size()))];
    t.count = 1 + rng.below(3);
    t.direction = kDirections[rng.below(static_cast<int>(kDirections.size()))];
    ShapeScene scene;
    scene.width = W;
    scene.height = H;
    scene.frames = o.frames;
    scene.color = synthetic_color_rgb(t.color);
    scene.direction = t.direction;
    for (int i = 0; i < t.count; ++i) scene.squares.push_back(rng.below(2) == 1);
    VideoWriterOptions wo;
    wo.fps = o.fps;
    write_scene_video((fs::path(dir) / "videos" / t.file).string(), scene, wo);

    auto item = [&](const std::string& q, std::vector<std::string> cands, const std::string& answer) {
      rng.shuffle(cands);
      return nlohmann::ordered_json{{"video", t.file}, {"question", q}, {"candidates", cands}, {"answer", answer}};
    };
    color_items.push_back(item("What colour are the moving shapes?", kColors, t.color));
    count_items.push_back(item("How many shapes are in the video?", kCounts, std::to_string(t.count)));
    direction_items.push_back(item("In which direction do the shapes move?", kDirections, t.direction));
    truths.push_back(t);
  }
  std::ofstream(fs::path(dir) / "json" / "color.json") << color_items.dump(2) << "\n";
  std::ofstream(fs::path(dir) / "json" / "count.json") << count_items.dump(2) << "\n";
  std::ofstream(fs::path(dir) / "json" / "direction.json") << direction_items.dump(2) << "\n";
  return truths;
}

}  // namespace ppb::datasets
