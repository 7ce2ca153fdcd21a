// Synthetic videos through the real encoder and decoder: reproducible bytes, frame counts,
// pixel content, presentation order (the files carry B-frames) and errors.
#include "tests/catch_aten.h"

#include <filesystem>
#include <fstream>

#include "datasets/frame_preprocess.h"
#include "datasets/synthetic_benchmark.h"
#include "datasets/video_reader.h"
#include "datasets/video_writer.h"
#include "tests/test_support.h"

using namespace ppb::datasets;
using ppb::test::read_file;
using ppb::test::TempDir;

namespace {

SyntheticOptions small_options(uint64_t seed) {
  SyntheticOptions o;
  o.seed = seed;
  o.videos = 3;
  o.frames = 24;
  o.width = 240;
  o.height = 240;
  return o;
}

// Centroid (x, y) of the pixels that differ clearly from the grey background.
std::pair<double, double> shape_centroid(const at::Tensor& frame) {
  auto a = frame.accessor<uint8_t, 3>();
  double sx = 0, sy = 0, n = 0;
  for (int64_t y = 0; y < frame.size(0); ++y)
    for (int64_t x = 0; x < frame.size(1); ++x) {
      int diff = 0;
      for (int c = 0; c < 3; ++c) diff += std::abs(static_cast<int>(a[y][x][c]) - 128);
      if (diff > 90) {
        sx += x;
        sy += y;
        n += 1;
      }
    }
  REQUIRE(n > 0);
  return {sx / n, sy / n};
}

}  // namespace

TEST_CASE("the same seed writes the same bytes", "[video]") {
  TempDir a("synth_a"), b("synth_b"), c("synth_c");
  write_synthetic_benchmark(a.path(), small_options(3));
  write_synthetic_benchmark(b.path(), small_options(3));
  write_synthetic_benchmark(c.path(), small_options(4));
  for (const char* f : {"videos/synth_000.mp4", "videos/synth_002.mp4", "json/color.json", "json/direction.json"})
    CHECK(read_file(a / f) == read_file(b / f));
  CHECK(read_file(a / "json/count.json") + read_file(a / "json/color.json") + read_file(a / "json/direction.json") !=
        read_file(c / "json/count.json") + read_file(c / "json/color.json") + read_file(c / "json/direction.json"));
}

TEST_CASE("decoded synthetic videos show what their annotations say", "[video]") {
  TempDir dir("synth");
  const auto truths = write_synthetic_benchmark(dir.path(), small_options(11));
  for (const auto& t : truths) {
    VideoReader reader(dir / ("videos/" + t.file));
    CHECK(reader.info().frames_total == 24);
    CHECK(reader.info().fps == Approx(24.0));
    CHECK(reader.info().width == 240);
    std::vector<int64_t> all(24);
    for (int i = 0; i < 24; ++i) all[i] = i;
    at::Tensor frames = reader.read_frames(all, 240);
    REQUIRE(frames.sizes().vec() == (std::vector<int64_t>{24, 240, 240, 3}));
    // The corner is background grey (up to compression error).
    for (int c = 0; c < 3; ++c) CHECK(std::abs(frames[0][2][2][c].item<int>() - 128) < 12);
    // The shapes' colour: the mean of the clearly non-grey pixels of frame 0 is near the annotated colour.
    const auto rgb = synthetic_color_rgb(t.color);
    at::Tensor f0 = frames[0].to(at::kInt);
    at::Tensor fg = (f0 - 128).abs().sum(-1) > 90;
    for (int c = 0; c < 3; ++c) {
      const double mean = f0.select(-1, c).masked_select(fg).to(at::kDouble).mean().item<double>();
      CHECK(std::abs(mean - rgb[c]) < 40);
    }
    // Presentation order: the centroid moves one way, frame after frame.
    double prev = t.direction == "left" || t.direction == "right" ? shape_centroid(frames[0]).first
                                                                  : shape_centroid(frames[0]).second;
    for (int i = 1; i < 24; ++i) {
      auto [x, y] = shape_centroid(frames[i]);
      const double now = (t.direction == "left" || t.direction == "right") ? x : y;
      if (t.direction == "right" || t.direction == "down")
        CHECK(now > prev);
      else
        CHECK(now < prev);
      prev = now;
    }
  }
}

TEST_CASE("read_frames honours order and repeats, and reports bad requests", "[video]") {
  TempDir dir("synth");
  write_synthetic_benchmark(dir.path(), small_options(5));
  VideoReader reader(dir / "videos/synth_001.mp4");
  at::Tensor some = reader.read_frames({5, 2, 5}, 64);
  at::Tensor two = reader.read_frames({2}, 64);
  CHECK(at::equal(some[0], some[2]));
  CHECK(at::equal(some[1], two[0]));
  CHECK_FALSE(at::equal(some[0], some[1]));
  CHECK_THROWS_WITH(reader.read_frames({30}, 64), Catch::Contains("frame 30 requested but the video has 24 frames"));
  CHECK_THROWS_WITH(VideoReader(dir / "videos/none.mp4"), Catch::Contains("none.mp4"));
  std::ofstream(dir / "junk.mp4") << "this is not a video";
  CHECK_THROWS_WITH(VideoReader(dir / "junk.mp4"), Catch::Contains("junk.mp4"));
}

TEST_CASE("CLIP normalisation of uint8 frames", "[video]") {
  at::Tensor rgb = at::full({1, 2, 2, 3}, 255, at::kByte);
  rgb[0][0][0][1] = 0;
  at::Tensor x = normalize_frames(rgb, clip_normalization());
  REQUIRE(x.sizes().vec() == (std::vector<int64_t>{1, 3, 2, 2}));
  CHECK(x[0][0][1][1].item<float>() == Approx((1.0 - 0.48145466) / 0.26862954));
  CHECK(x[0][1][0][0].item<float>() == Approx((0.0 - 0.4578275) / 0.26130258));
}

namespace {

// A video of `frames` frames whose every frame differs (a moving bar and a frame-numbered block),
// so that any off-by-one in frame addressing changes the pixels.
std::string write_test_video(const std::string& path, VideoWriterOptions o, int frames) {
  VideoWriter w(path, o);
  std::vector<uint8_t> img(static_cast<size_t>(o.width) * o.height * 3);
  for (int f = 0; f < frames; ++f) {
    for (int y = 0; y < o.height; ++y)
      for (int x = 0; x < o.width; ++x) {
        uint8_t* p = &img[(static_cast<size_t>(y) * o.width + x) * 3];
        const bool bar = std::abs(x - (f * 7) % o.width) < 6;
        p[0] = bar ? 250 : static_cast<uint8_t>((x + f) % 200);
        p[1] = static_cast<uint8_t>((y * 3 + f * 11) % 256);
        p[2] = static_cast<uint8_t>(x < 16 && y < 16 ? (f * 37) % 256 : 60);
      }
    w.write_rgb(img.data());
  }
  w.finish();
  return path;
}

}  // namespace

TEST_CASE("seeking, skipping and one sequential pass give pixel-identical frames", "[video]") {
  TempDir dir("seek");
  struct Case {
    const char* name;
    VideoWriterOptions o;
    int frames;
  };
  std::vector<Case> cases;
  VideoWriterOptions bframes;  // MPEG-4 with B-frames, GOP 12
  bframes.width = 96;
  bframes.height = 64;
  cases.push_back({"mpeg4_b.mp4", bframes, 90});
  VideoWriterOptions longgop = bframes;  // H.264, B-frames, GOP 250
  longgop.codec = "libx264";
  longgop.gop = 250;
  longgop.max_b_frames = 3;
  cases.push_back({"h264_gop250.mp4", longgop, 300});
  VideoWriterOptions vfr = longgop;  // H.264, variable frame rate, GOP 30, in Matroska (no frame count)
  vfr.gop = 30;
  vfr.variable_rate = true;
  cases.push_back({"h264_vfr.mkv", vfr, 120});
  for (const auto& c : cases) {
    INFO(c.name);
    const std::string path = write_test_video(dir / c.name, c.o, c.frames);
    FrameGeometry native;
    native.mode = ResizeMode::native;
    DecodeOptions plain;
    plain.strategy = DecodeStrategy::sequential;
    plain.skip_nonref = false;
    VideoReader ref_reader(path, plain);
    REQUIRE(ref_reader.info().frames_total == c.frames);
    std::vector<int64_t> all(c.frames);
    for (int i = 0; i < c.frames; ++i) all[i] = i;
    const at::Tensor ref = ref_reader.read_frames(all, native);  // every frame, decoded in order, nothing skipped
    for (int i = 1; i < c.frames; ++i) REQUIRE_FALSE(at::equal(ref[i], ref[i - 1]));
    const std::vector<std::vector<int64_t>> requests = {
        {0}, {c.frames - 1}, {5, 6, 7}, {c.frames / 2, 3, c.frames - 2, 3}, {1, 40, 80, c.frames - 1}};
    for (auto strategy : {DecodeStrategy::sequential, DecodeStrategy::seek, DecodeStrategy::automatic})
      for (int threads : {1, 3}) {
        DecodeOptions d;
        d.strategy = strategy;
        d.threads = threads;
        VideoReader reader(path, d);
        for (const auto& req : requests) {
          at::Tensor got = reader.read_frames(req, native);
          for (size_t i = 0; i < req.size(); ++i) CHECK(at::equal(got[i], ref[req[i]]));
        }
        if (strategy == DecodeStrategy::seek) CHECK(reader.stats().seeks > 0);
      }
  }
}

TEST_CASE("a seek lands on the wanted frame's own keyframe", "[video]") {
  // MP4 and Matroska seek by different timestamps: whichever, the decoder must start at the last
  // keyframe before the frame, not one GOP earlier. (AVI with B-frames stores no presentation
  // times, so frames there are found by counting in one sequential pass.)
  TempDir dir("seekland");
  VideoWriterOptions o;
  o.width = 64;
  o.height = 48;
  o.codec = "libx264";
  o.gop = 50;
  o.max_b_frames = 3;
  for (const char* name : {"gop50.mp4", "gop50.mkv"}) {
    INFO(name);
    const std::string path = write_test_video(dir / name, o, 200);
    DecodeOptions d;
    d.strategy = DecodeStrategy::seek;
    d.skip_nonref = false;
    VideoReader r(path, d);
    REQUIRE(r.info().frames_total == 200);
    FrameGeometry native;
    native.mode = ResizeMode::native;
    r.read_frames({160}, native);
    CHECK(r.stats().seeks >= 1);
    // From keyframe 150 to frame 160 is 11 pictures, plus at most the B-frame reordering delay.
    CHECK(r.stats().frames_decoded <= 11 + 4);
  }
}

TEST_CASE("display rotation is applied", "[video]") {
  TempDir dir("rot");
  VideoWriterOptions o;
  o.width = 64;
  o.height = 32;
  o.rotation = 90;
  const std::string path = write_test_video(dir / "rot.mp4", o, 4);
  VideoReader r(path);
  CHECK(r.info().rotation == 90);
  CHECK(r.info().width == 32);
  CHECK(r.info().height == 64);
  FrameGeometry native;
  native.mode = ResizeMode::native;
  at::Tensor f = r.read_frames({2}, native);
  CHECK(f.sizes() == (std::vector<int64_t>{1, 64, 32, 3}));
  // The 16x16 block at the top-left of the stored picture is at the top-right once turned clockwise.
  CHECK(std::abs(f[0][4][32 - 5][2].item<int>() - (2 * 37) % 256) < 24);
  CHECK(std::abs(f[0][4][4][2].item<int>() - 60) < 24);
}

TEST_CASE("preprocessing geometries", "[video]") {
  FrameGeometry g = make_geometry("shortest_edge_center_crop", 336, clip_normalization());
  Placement p = place_frame(g, 640, 360);  // short edge 360 -> 336, long edge int(336*640/360) = 597
  CHECK(p.scaled_w == 597);
  CHECK(p.scaled_h == 336);
  CHECK(p.crop_x == (597 - 336) / 2);
  g = make_geometry("pad_to_square", 384, siglip_normalization());
  p = place_frame(g, 640, 360);  // long edge 640 -> 384, short int(384*360/640) = 216, centred
  CHECK(p.scaled_w == 384);
  CHECK(p.scaled_h == 216);
  CHECK(p.pad_y == 84);
  CHECK(g.pad_rgb[0] == 127);
  CHECK_THROWS_WITH(make_geometry("letterbox", 336, clip_normalization()), Catch::Contains("pad_to_square"));
}

TEST_CASE("every frame written is read back, whatever the count", "[video]") {
  // MP4 edit lists once ended before the last frame for some counts (encoder packets without a
  // duration): the demuxer then dropped it.
  TempDir dir("count");
  for (const char* ext : {".mp4", ".mkv"})
    for (int frames : {1, 2, 3, 13, 37, 38, 39, 40, 41, 64}) {
      INFO(ext << " " << frames);
      VideoWriterOptions o;
      o.width = 32;
      o.height = 16;
      const std::string path = dir / (std::to_string(frames) + ext);
      {
        VideoWriter w(path, o);
        std::vector<uint8_t> img(32 * 16 * 3);
        for (int f = 0; f < frames; ++f) {
          for (size_t p = 0; p < img.size(); p += 3) {  // a flat frame whose blue level is (37 f) mod 256
            img[p] = 0;
            img[p + 1] = 100;
            img[p + 2] = static_cast<uint8_t>((f * 37) % 256);
          }
          w.write_rgb(img.data());
        }
      }
      VideoReader r(path);
      CHECK(r.info().frames_total == frames);
      FrameGeometry native;
      native.mode = ResizeMode::native;
      const at::Tensor last = r.read_frames({frames - 1}, native);
      CHECK(std::abs(last[0][8][16][2].item<int>() - ((frames - 1) * 37) % 256) < 10);
    }
}

TEST_CASE("every input kind: frame counts, rates, content, and seeks equal to one pass", "[video]") {
  // The same 30 frames (a white bar at columns 2f, 2f+1 on black: exact even in GIF's palette) in
  // each container the benchmarks ship; a frame folder of 1-based JPEGs is read at its stated
  // rate. WebM and Matroska state no frame count: the index pass counts them.
  TempDir dir("inputs");
  struct Kind {
    std::string file, codec;
  };
  const std::vector<Kind> kinds = {{"v.mp4", "libx264"}, {"v.mkv", "mpeg4"}, {"v.webm", "libvpx"},
                                   {"v.avi", "mpeg4"},   {"v.mov", "mpeg4"}, {"v.gif", "gif"},
                                   {"frames/%05d.jpg", "mjpeg"}};
  const int n = 30;
  for (const auto& k : kinds) {
    INFO(k.file);
    VideoWriterOptions o;
    o.width = 64;
    o.height = 48;
    o.fps = 10;
    o.codec = k.codec;
    const bool folder = k.codec == "mjpeg";
    if (folder) std::filesystem::create_directories(dir / "frames");
    {
      VideoWriter w(dir / k.file, o);
      std::vector<uint8_t> img(64 * 48 * 3);
      for (int f = 0; f < n; ++f) {
        for (int y = 0; y < 48; ++y)
          for (int x = 0; x < 64; ++x)
            for (int c = 0; c < 3; ++c) img[(y * 64 + x) * 3 + c] = (x / 2 == f) ? 255 : 0;
        w.write_rgb(img.data());
      }
    }
    const std::string path = folder ? dir / "frames" : dir / k.file;
    DecodeOptions d;
    d.folder_fps = 10;
    VideoReader r(path, d);
    CHECK(r.info().frames_total == n);
    CHECK(r.info().fps == Approx(10.0).epsilon(0.05));
    const int64_t first = r.info().first_index;
    CHECK(first == (folder ? 1 : 0));
    FrameGeometry native;
    native.mode = ResizeMode::native;
    const std::vector<int64_t> want = {first + 29, first + 3, first + 17};
    const at::Tensor got = r.read_frames(want, native);
    for (size_t i = 0; i < want.size(); ++i) {
      // The bar's brightness centroid on a middle row: 2f + 0.5, two columns from its neighbours'.
      const int f = static_cast<int>(want[i] - first);
      double sum = 0, weighted = 0;
      for (int x = 0; x < 64; ++x) {
        const double v = got[i][24][x][1].item<int>();
        sum += v;
        weighted += v * x;
      }
      REQUIRE(sum > 0);
      CHECK(std::abs(weighted / sum - (2 * f + 0.5)) < 0.8);
    }
    DecodeOptions seq = d;
    seq.strategy = DecodeStrategy::sequential;
    seq.skip_nonref = false;
    VideoReader plain(path, seq);
    CHECK(at::equal(plain.read_frames(want, native), got));
  }
}
