// `ppbench run` through the frame cache and the prefetcher: neither changes a single output, the
// records say where each sample's frames came from, and `ppbench frames` prints what the
// policies pick.
#include "tests/catch_aten.h"

#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using namespace ppb::test;
namespace fs = std::filesystem;

namespace {

std::vector<nlohmann::json> records(const std::string& run) {
  std::vector<nlohmann::json> out;
  for (const auto& l : read_lines(run + "/samples.jsonl")) out.push_back(nlohmann::json::parse(l));
  return out;
}

// What must not depend on caching or prefetching, keyed by sample and method.
std::map<std::string, std::string> outputs(const std::vector<nlohmann::json>& recs) {
  std::map<std::string, std::string> m;
  for (const auto& r : recs)
    m[r["sample_id"].get<std::string>() + "/" + r["variant"]["method"].get<std::string>()] =
        r["response"].dump() + r["frame_indices"].dump() + r["tokens"].dump() + r["preprocess"].dump();
  return m;
}

}  // namespace

TEST_CASE("the frame cache and the prefetcher change no output", "[cli]") {
  TempDir dir("pipeline");
  REQUIRE(run_ppbench({"synth", "--out", dir / "data", "--videos", "3", "--frames", "40"}).exit_code == 0);
  auto run = [&](const std::string& out, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"run", "--data-root", dir / "data", "--out", dir / out, "--methods",
                                     "avgpool3d", "--frames", "6", "--threads", "2", "--max-new-tokens", "4"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_ppbench(args);
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    return records(dir / out);
  };
  const auto cold = run("cold", {"--frame-cache", dir / "cache", "--prefetch", "2"});
  const auto warm = run("warm", {"--frame-cache", dir / "cache", "--prefetch", "0"});
  const auto plain = run("plain", {"--frame-cache", "none", "--prefetch", "3"});
  REQUIRE(cold.size() == 9);
  // Each video is decoded once: the three questions about a video share its frame set. The
  // questions come subtask by subtask (colour of videos 0, 1, 2, then count...), and with two
  // samples in flight the first question of each video is done before the second one starts.
  int misses = 0;
  for (const auto& r : cold) {
    if (r["frame_load"]["cache"] == "miss") {
      ++misses;
      CHECK(r["frame_load"]["frames_decoded"].get<int>() > 0);
    } else {
      CHECK(r["frame_load"]["cache"] == "hit");
    }
    CHECK(r["times_ms"]["decode"].get<double>() >= 0);
    CHECK(r["preprocess"] == "squash@336+clip");  // the tiny model keeps the released input size
  }
  CHECK(misses == 3);
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir / "cache")) entries += e.path().extension() == ".ppbf" ? 1 : 0;
  CHECK(entries == 3);
  for (const auto& r : warm) {
    CHECK(r["frame_load"]["cache"] == "hit");
    CHECK(r["frame_load"]["frames_decoded"] == 0);
  }
  for (const auto& r : plain) CHECK(r["frame_load"]["cache"] == "off");
  CHECK(outputs(cold) == outputs(warm));
  CHECK(outputs(cold) == outputs(plain));
  const auto config = nlohmann::json::parse(read_file(dir / "cold/config.json"));
  CHECK(config["prefetch"] == 2);
  CHECK(config["frame_cache"] == dir / "cache");
  // Resuming with another preprocessing would mix incomparable records.
  auto r = run_ppbench({"run", "--data-root", dir / "data", "--out", dir / "cold", "--methods", "avgpool3d", "--frames",
                        "6", "--max-new-tokens", "4", "--preprocess", "pad_to_square"});
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.out, Catch::Contains("preprocess"));
}

TEST_CASE("ppbench frames prints the policy's indices and writes the frames", "[cli]") {
  TempDir dir("frames");
  REQUIRE(run_ppbench({"synth", "--out", dir.path(), "--videos", "1", "--frames", "50"}).exit_code == 0);
  const std::string video = dir / "videos/synth_000.mp4";
  auto indices = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"frames", "--video", video};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_ppbench(args);
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["frames_total"] == 50);
    CHECK(j["fps"] == 24.0);
    return j["indices"].get<std::vector<int64_t>>();
  };
  // Hand-computed from each policy's formula for F = 50 frames at 24 fps.
  // segment_midpoint: seg = 49/4 = 12.25; int(6.125 + round(12.25 k)), round(24.5) = 24 -> 6, 18, 30, 43.
  CHECK(indices({"--policy", "segment_midpoint", "--count", "4"}) == std::vector<int64_t>{6, 18, 30, 43});
  // Bounded to [0.5 s, 1.5 s]: first 12, last 36, seg = 6; int(12 + 3 + round(6 k)).
  CHECK(indices({"--count", "4", "--start", "0.5", "--end", "1.5"}) == std::vector<int64_t>{15, 21, 27, 33});
  // segment_midpoint_vcg: seg = 12.25; (round(12.25 i) + round(12.25 (i+1))) // 2 over 0, 12, 24, 37, 49.
  CHECK(indices({"--policy", "segment_midpoint_vcg", "--count", "4"}) == std::vector<int64_t>{6, 18, 30, 43});
  // linspace_inclusive: int(linspace(0, 49, 4)) = 0, 16, 32, 49.
  CHECK(indices({"--policy", "linspace_inclusive", "--count", "4"}) == std::vector<int64_t>{0, 16, 32, 49});
  // interior_uniform: step = 50/5 = 10 -> 10, 20, 30, 40.
  CHECK(indices({"--policy", "interior_uniform", "--count", "4"}) == std::vector<int64_t>{10, 20, 30, 40});
  // fps at 2 per second: duration 50/24 s -> int(4.17) = 4 frames at int(k * 12) = 0, 12, 24, 36; cap 3 keeps
  // linspace positions 0, 1, 3 of that list.
  CHECK(indices({"--policy", "fps", "--rate", "2", "--count", "3"}) == std::vector<int64_t>{0, 12, 36});
  // lvb_floor_stride: n = min(4, int(2.08)) = 2; stride = int(2.083 * 24) // 2 = 25 -> 0, 25.
  CHECK(indices({"--policy", "lvb_floor_stride", "--count", "4"}) == std::vector<int64_t>{0, 25});
  const auto a = indices({"--policy", "random_segment", "--count", "5", "--seed", "3"});
  CHECK(a == indices({"--policy", "random_segment", "--count", "5", "--seed", "3"}));
  for (size_t i = 0; i < a.size(); ++i) {  // one draw in each of the 5 intervals [10 i, 10 i + 10)
    CHECK(a[i] >= static_cast<int64_t>(10 * i));
    CHECK(a[i] < static_cast<int64_t>(10 * i + 10));
  }

  auto r = run_ppbench({"frames", "--video", video, "--count", "3", "--preprocess", "pad_to_square", "--size", "48",
                        "--out", dir / "f.safetensors"});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["preprocess"] == "pad_to_square@48/pad122,116,104+clip");  // int(255 x CLIP mean) as the canvas
  const std::string bytes = read_file(dir / "f.safetensors");
  const uint64_t hlen = *reinterpret_cast<const uint64_t*>(bytes.data());
  const auto header = nlohmann::json::parse(bytes.substr(8, hlen));
  CHECK(header["pixel_values"]["shape"] == std::vector<int64_t>{3, 3, 48, 48});
  CHECK(header["pixel_values"]["dtype"] == "F32");
}
