#include "datasets/synthetic_benchmark.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "datasets/video_writer.h"

namespace fs = std::filesystem;

namespace ppb::datasets {
namespace {

// splitmix64: a fully specified generator, so the data do not depend on a library's distributions.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<uint64_t>(n)); }
  template <typename T>
  void shuffle(std::vector<T>& v) {  // Fisher-Yates
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(static_cast<int>(i))]);
  }

 private:
  uint64_t state_;
};

const std::vector<std::string> kColors = {"red", "green", "blue", "yellow"};
const std::vector<std::string> kDirections = {"left", "right", "up", "down"};
const std::vector<std::string> kCounts = {"1", "2", "3", "4"};

struct Shape {
  bool square = false;
  double x0 = 0, y0 = 0;  // centre at the first frame
};

void draw(std::vector<uint8_t>& img, int W, int H, const Shape& s, double cx, double cy, int r,
          const std::vector<uint8_t>& rgb) {
  const int x_lo = std::max(0, static_cast<int>(cx) - r), x_hi = std::min(W - 1, static_cast<int>(cx) + r);
  const int y_lo = std::max(0, static_cast<int>(cy) - r), y_hi = std::min(H - 1, static_cast<int>(cy) + r);
  for (int y = y_lo; y <= y_hi; ++y)
    for (int x = x_lo; x <= x_hi; ++x) {
      const double dx = x - cx, dy = y - cy;
      if (!s.square && dx * dx + dy * dy > static_cast<double>(r) * r) continue;
      uint8_t* p = &img[(static_cast<size_t>(y) * W + x) * 3];
      p[0] = rgb[0]; p[1] = rgb[1]; p[2] = rgb[2];
    }
}

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
  Rng rng(o.seed);
  std::vector<SyntheticVideoTruth> truths;
  nlohmann::ordered_json color_items = nlohmann::ordered_json::array(), count_items = nlohmann::ordered_json::array(),
                 direction_items = nlohmann::ordered_json::array();
  const int W = o.width, H = o.height, r = std::min(W, H) / 12;
  const auto bg = synthetic_background_rgb();

  for (int v = 0; v < o.videos; ++v) {
    SyntheticVideoTruth t;
    char name[32];
    std::snprintf(name, sizeof name, "synth_%03d.mp4", v);
    t.file = name;
    t.color = kColors[rng.below(static_cast<int>(kColors.size()))];
    t.count = 1 + rng.below(3);
    t.direction = kDirections[rng.below(static_cast<int>(kDirections.size()))];
    const bool horizontal = t.direction == "left" || t.direction == "right";
    const int sign = (t.direction == "right" || t.direction == "down") ? 1 : -1;
    // Shapes sit in lanes across the motion; all travel the same path so none leaves the frame.
    std::vector<Shape> shapes(t.count);
    const double travel = (horizontal ? W : H) - 4.0 * r;
    for (int i = 0; i < t.count; ++i) {
      shapes[i].square = rng.below(2) == 1;
      const double lane = (i + 1.0) / (t.count + 1.0);
      const double start = sign > 0 ? 2.0 * r : (horizontal ? W : H) - 2.0 * r;
      shapes[i].x0 = horizontal ? start : lane * W;
      shapes[i].y0 = horizontal ? lane * H : start;
    }
    const auto rgb = synthetic_color_rgb(t.color);
    VideoWriterOptions wo;
    wo.width = W;
    wo.height = H;
    wo.fps = o.fps;
    VideoWriter writer((fs::path(dir) / "videos" / t.file).string(), wo);
    std::vector<uint8_t> img(static_cast<size_t>(W) * H * 3);
    for (int f = 0; f < o.frames; ++f) {
      for (size_t p = 0; p < img.size(); p += 3) {
        img[p] = bg[0]; img[p + 1] = bg[1]; img[p + 2] = bg[2];
      }
      const double d = sign * travel * f / (o.frames - 1);
      for (const auto& s : shapes)
        draw(img, W, H, s, s.x0 + (horizontal ? d : 0.0), s.y0 + (horizontal ? 0.0 : d), r, rgb);
      writer.write_rgb(img.data());
    }
    writer.finish();

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
