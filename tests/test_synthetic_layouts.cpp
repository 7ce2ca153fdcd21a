// Synthetic instances of the upstream layouts: the new containers (WebM, GIF, JPEG frame
// folders) decode back to the drawn pictures, the same seed gives the same bytes, and every
// layout reads back through the catalog with answers that agree with the pixels.
#include "tests/catch_aten.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "datasets/dataset_catalog.h"
#include "datasets/subtitles.h"
#include "datasets/synthetic_benchmark.h"
#include "datasets/synthetic_layouts.h"
#include "datasets/synthetic_scene.h"
#include "datasets/video_reader.h"
#include "tests/test_support.h"

using namespace ppb::datasets;
using ppb::test::read_file;
using ppb::test::TempDir;
namespace fs = std::filesystem;

namespace {

// The synthetic colour nearest to the mean of the pixels that stand out from the grey background.
std::string seen_colour(const std::string& video, double folder_fps = 3.0) {
  DecodeOptions o;
  o.folder_fps = folder_fps;
  VideoReader r(video, o);
  const int64_t mid = r.info().first_index + r.info().frames_total / 2;
  at::Tensor f = r.read_frames({mid}, 96)[0];
  auto a = f.accessor<uint8_t, 3>();
  double sum[3] = {0, 0, 0}, n = 0;
  for (int64_t y = 0; y < f.size(0); ++y)
    for (int64_t x = 0; x < f.size(1); ++x) {
      int diff = 0;
      for (int c = 0; c < 3; ++c) diff += std::abs(static_cast<int>(a[y][x][c]) - 128);
      if (diff < 120) continue;
      for (int c = 0; c < 3; ++c) sum[c] += a[y][x][c];
      n += 1;
    }
  REQUIRE(n > 20);
  // Written out here rather than taken from the generator, so that a wrong palette shows.
  const std::map<std::string, std::array<double, 3>> named = {
      {"red", {220, 30, 30}}, {"green", {30, 200, 40}}, {"blue", {30, 60, 230}}, {"yellow", {240, 220, 30}}};
  std::string best;
  double best_d = 1e18;
  for (const auto& [name, rgb] : named) {
    double d = 0;
    for (int c = 0; c < 3; ++c) d += std::pow(sum[c] / n - rgb[c], 2);
    if (d < best_d) best_d = d, best = name;
  }
  return best;
}

std::map<std::string, std::string> all_files(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = read_file(e.path().string());
  return out;
}

ShapeScene red_square_moving_right() {
  ShapeScene s;
  s.width = 160;
  s.height = 120;
  s.frames = 12;
  s.color = {220, 30, 30};
  s.direction = "right";
  s.squares = {true};
  return s;
}

}  // namespace

TEST_CASE("VideoWriter writes WebM (VP8), animated GIF and JPEG frame folders that read back", "[synth]") {
  TempDir d("formats");
  VideoWriterOptions o;
  o.fps = 8;
  o.codec = "libvpx";
  write_scene_video(d / "a.webm", red_square_moving_right(), o);
  o.codec = "gif";
  o.max_b_frames = 0;
  write_scene_video(d / "a.gif", red_square_moving_right(), o);
  fs::create_directories(d / "frames");
  o.codec = "mjpeg";
  write_scene_video(d / "frames/%05d.jpg", red_square_moving_right(), o);

  VideoReader webm(d / "a.webm");
  CHECK(webm.info().codec == "vp8");
  CHECK(webm.info().container.find("webm") != std::string::npos);
  CHECK(webm.info().frames_total == 12);
  VideoReader gif(d / "a.gif");
  CHECK(gif.info().codec == "gif");
  CHECK(gif.info().frames_total == 12);
  CHECK(gif.info().width == 160);
  CHECK(fs::exists(d / "frames/00001.jpg"));
  CHECK(fs::exists(d / "frames/00012.jpg"));
  CHECK_FALSE(fs::exists(d / "frames/00000.jpg"));
  CHECK_FALSE(fs::exists(d / "frames/00013.jpg"));
  VideoReader folder(d / "frames");
  CHECK(folder.info().frame_folder);
  CHECK(folder.info().codec == "mjpeg");
  for (const std::string& path : {d / "a.webm", d / "a.gif", d / "frames"}) {
    INFO(path);
    CHECK(seen_colour(path) == "red");
  }
  // The square moves right: its centroid's x grows from the first to the last frame.
  for (const std::string& path : {d / "a.webm", d / "a.gif", d / "frames"}) {
    INFO(path);
    VideoReader r(path);
    const int64_t first = r.info().first_index, last = first + r.info().frames_total - 1;
    at::Tensor f = r.read_frames({first, last}, 96);
    double cx[2] = {0, 0};
    for (int k = 0; k < 2; ++k) {
      auto red = (f[k].select(2, 0).to(at::kInt) - f[k].select(2, 1).to(at::kInt)) > 100;
      auto xs = at::arange(96).to(at::kDouble).unsqueeze(0).expand({96, 96});
      cx[k] = (xs * red.to(at::kDouble)).sum().item<double>() / red.sum().item<double>();
    }
    CHECK(cx[1] > cx[0] + 30);
  }
}

TEST_CASE("synthetic layouts: the same seed writes the same bytes", "[synth]") {
  TempDir a("layouts_a"), b("layouts_b"), c("layouts_c");
  const auto names = synthetic_layout_names(default_catalog_path());
  write_synthetic_layouts(a.path(), names, {5, ""});
  write_synthetic_layouts(b.path(), names, {5, ""});
  write_synthetic_layouts(c.path(), names, {6, ""});
  const auto fa = all_files(a.path()), fb = all_files(b.path()), fc = all_files(c.path());
  CHECK(fa.size() > 40);
  CHECK(fa == fb);
  REQUIRE(fa.size() == fc.size());
  int differ = 0;
  for (const auto& [name, bytes] : fa) differ += bytes != fc.at(name);
  CHECK(differ > 5);
  CHECK_THROWS_WITH(write_synthetic_layouts(a.path(), {"mvbenchh"}, {5, ""}),
                    Catch::Contains("mvbenchh") && Catch::Contains("videomme"));
}

TEST_CASE("every synthetic layout reads back through the catalog, answers matching the pixels", "[synth]") {
  TempDir d("layouts");
  const auto names = synthetic_layout_names(default_catalog_path());
  write_synthetic_layouts(d.path(), names, {11, ""});
  // Items per dataset as the layouts are meant to be written (2-4 each).
  const std::map<std::string, size_t> expected = {
      {"msvd_qa", 3},  {"msrvtt_qa", 3},    {"tgif_qa", 3},          {"activitynet_qa", 3},
      {"vcg_generic", 3}, {"vcg_temporal", 2}, {"vcg_consistency", 2}, {"mvbench", 3},
      {"videomme", 3}, {"egoschema_subset", 2}, {"longvideobench_val", 2}, {"mlvu_dev", 2},
      {"msvd_caption", 3}, {"msrvtt_caption", 3}, {"dream1k", 3}};
  REQUIRE(names.size() == expected.size());
  std::set<std::string> extensions;
  for (const auto& [name, count] : expected) {
    INFO(name);
    const auto samples = load_dataset(name, d.path());
    REQUIRE(samples.size() == count);
    for (const auto& s : samples) {
      INFO(s.id << " " << s.video);
      REQUIRE(fs::exists(s.video));
      extensions.insert(fs::is_directory(s.video) ? "folder" : fs::path(s.video).extension().string());
      if (!s.candidates.empty()) {
        REQUIRE(s.answer_index >= 0);
        CHECK(s.candidates[static_cast<size_t>(s.answer_index)] == s.answer);
      }
      std::string q = s.question;
      std::transform(q.begin(), q.end(), q.begin(), ::tolower);
      if (q.find("colour") != std::string::npos)
        CHECK_THAT(s.answer, Catch::Contains(seen_colour(s.video, s.folder_fps > 0 ? s.folder_fps : 3.0)));
    }
  }
  CHECK(extensions == std::set<std::string>{".avi", ".mp4", ".MP4", ".mkv", ".webm", ".gif", "folder"});

  const auto mv = load_dataset("mvbench", d.path());
  int bounded_files = 0, folders = 0;
  for (const auto& s : mv) {
    if (s.folder_fps > 0) {
      ++folders;
      CHECK(s.folder_fps == 3);
      CHECK(s.bounds);
    } else if (s.bounds) {
      ++bounded_files;
      CHECK(s.bounds->end > s.bounds->start);
    }
  }
  CHECK(bounded_files == 1);
  CHECK(folders == 1);

  const auto vm = load_dataset("videomme", d.path());
  int with_srt = 0;
  for (const auto& s : vm)
    if (!s.subtitles.empty()) {
      ++with_srt;
      const auto cues = read_subtitles(s.subtitles);
      REQUIRE(cues.size() == 2);
      CHECK(cues[1].start_s == Approx(1.5));
    }
  CHECK(with_srt == 2);  // both questions about the first video

  const auto lvb = load_dataset("longvideobench_val", d.path());
  for (const auto& s : lvb) {
    const auto cues = read_subtitles(s.subtitles, s.subtitle_offset);
    REQUIRE(cues.size() == 2);
    CHECK(cues[0].start_s == Approx(0.0));  // both clips' first cue opens the clip, offsets applied
  }
}
