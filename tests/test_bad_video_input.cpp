// Bad input never crashes the reader: each case is an error naming the file and the cause, or
// (for the merely unusual: one frame, one pixel) a correct result.
#include "tests/catch_aten.h"

#include <filesystem>
#include <fstream>

#include "datasets/frame_sampling.h"
#include "datasets/video_reader.h"
#include "datasets/video_writer.h"
#include "tests/test_support.h"

using namespace ppb::datasets;
using ppb::test::read_file;
using ppb::test::TempDir;
namespace fs = std::filesystem;

namespace {

void write_frames(const std::string& path, VideoWriterOptions o, int frames) {
  VideoWriter w(path, o);
  std::vector<uint8_t> img(static_cast<size_t>(o.width) * o.height * 3, 90);
  for (int f = 0; f < frames; ++f) {
    img[0] = static_cast<uint8_t>(f * 40);
    w.write_rgb(img.data());
  }
  w.finish();
}

// A one-second 8 kHz mono 16-bit PCM WAV file: audio only.
void write_wav(const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  auto u32 = [&](uint32_t v) { for (int i = 0; i < 4; ++i) out.put(static_cast<char>((v >> (8 * i)) & 0xff)); };
  auto u16 = [&](uint16_t v) { out.put(static_cast<char>(v & 0xff)); out.put(static_cast<char>(v >> 8)); };
  const uint32_t samples = 8000;
  out << "RIFF";
  u32(36 + samples * 2);
  out << "WAVEfmt ";
  u32(16); u16(1); u16(1); u32(8000); u32(16000); u16(2); u16(16);
  out << "data";
  u32(samples * 2);
  for (uint32_t i = 0; i < samples; ++i) u16(static_cast<uint16_t>((i * 37) & 0xffff));
}

}  // namespace

TEST_CASE("unreadable inputs are errors that name the file and the cause", "[bad_input]") {
  TempDir dir("bad");
  CHECK_THROWS_WITH(VideoReader(dir / "missing.mp4"), Catch::Contains("no such file") && Catch::Contains("missing.mp4"));
  std::ofstream(dir / "empty.mp4").close();
  CHECK_THROWS_WITH(VideoReader(dir / "empty.mp4"), Catch::Contains("0 bytes") && Catch::Contains("empty.mp4"));
  std::ofstream(dir / "notes.mp4") << "these are notes, not a video\n";
  CHECK_THROWS_WITH(VideoReader(dir / "notes.mp4"), Catch::Contains("cannot open video") && Catch::Contains("notes.mp4"));
  write_wav(dir / "speech.wav");
  CHECK_THROWS_WITH(VideoReader(dir / "speech.wav"), Catch::Contains("no video stream") && Catch::Contains("speech.wav"));

  VideoWriterOptions o;
  o.width = 64;
  o.height = 48;
  write_frames(dir / "whole.mp4", o, 30);
  // MP4 from FFmpeg keeps its index at the end: cut in half, the file has none.
  const std::string bytes = read_file(dir / "whole.mp4");
  std::ofstream(dir / "cut.mp4", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  CHECK_THROWS_WITH(VideoReader(dir / "cut.mp4"), Catch::Contains("cut.mp4"));

  DecodeOptions small;
  small.max_pixels = 1000;  // 64 x 48 = 3072 pixels
  CHECK_THROWS_WITH(VideoReader(dir / "whole.mp4", small), Catch::Contains("64x48 exceeds the limit of 1000 pixels"));
  VideoReader ok(dir / "whole.mp4");
  CHECK_THROWS_WITH(ok.read_frames({30}, 32), Catch::Contains("frame 30 requested but the video has 30 frames"));
  CHECK_THROWS_WITH(ok.read_frames({}, 32), Catch::Contains("no frame indices"));
}

TEST_CASE("a header claiming 16384x16384 and an unknown codec are refused by name", "[bad_input]") {
  TempDir dir("bad");
  // A Matroska header announcing 16384 x 16384 pictures (268 megapixels): a 256 x 256 file whose
  // PixelWidth and PixelHeight elements (IDs B0 and BA, two-byte values 0x0100) are patched to
  // 0x4000. Refused from the header, before stream probing allocates a picture of that size.
  VideoWriterOptions big;
  big.width = 256;
  big.height = 256;
  write_frames(dir / "256.mkv", big, 2);
  std::string mkv = read_file(dir / "256.mkv");
  for (const char* id : {"\xB0\x82\x01\x00", "\xBA\x82\x01\x00"}) {
    const auto at = mkv.find(std::string(id, 4));
    REQUIRE(at != std::string::npos);
    mkv[at + 2] = '\x40';
  }
  std::ofstream(dir / "huge.mkv", std::ios::binary) << mkv;
  CHECK_THROWS_WITH(VideoReader(dir / "huge.mkv"),
                    Catch::Contains("16384x16384 exceeds the limit") && Catch::Contains("huge.mkv"));
  // A Matroska file whose codec id no decoder knows: the MPEG-4 id, renamed in place.
  VideoWriterOptions o;
  o.width = 64;
  o.height = 48;
  write_frames(dir / "mpeg4.mkv", o, 5);  // the header's codec id, renamed below
  std::string bytes = read_file(dir / "mpeg4.mkv");
  const auto at = bytes.find("V_MPEG4/ISO/ASP");
  REQUIRE(at != std::string::npos);
  bytes.replace(at, 15, "V_QQQQQ/ISO/ASP");
  std::ofstream(dir / "unknown.mkv", std::ios::binary) << bytes;
  CHECK_THROWS_WITH(VideoReader(dir / "unknown.mkv"),
                    Catch::Contains("unsupported video codec") && Catch::Contains("unknown.mkv"));
}

TEST_CASE("a truncated Matroska file yields the frames that are there", "[bad_input]") {
  TempDir dir("bad");
  VideoWriterOptions o;
  o.width = 64;
  o.height = 48;
  write_frames(dir / "whole.mkv", o, 60);
  const std::string bytes = read_file(dir / "whole.mkv");
  std::ofstream(dir / "cut.mkv", std::ios::binary) << bytes.substr(0, bytes.size() * 2 / 3);
  VideoReader r(dir / "cut.mkv");
  CHECK(r.info().frames_total > 0);
  CHECK(r.info().frames_total < 60);
  const auto idx = segment_midpoint(r.info().frames_total, 8, r.info().fps);
  CHECK(r.read_frames(idx, 32).size(0) == 8);
}

TEST_CASE("one frame and one pixel are read, not refused", "[bad_input]") {
  TempDir dir("bad");
  VideoWriterOptions o;
  o.width = 64;
  o.height = 48;
  write_frames(dir / "single.mkv", o, 1);
  VideoReader single(dir / "single.mkv");
  REQUIRE(single.info().frames_total == 1);
  const auto idx = segment_midpoint(1, 8, single.info().fps);
  at::Tensor f = single.read_frames(idx, 32);
  CHECK(f.size(0) == 8);
  CHECK(at::equal(f[0], f[7]));

  VideoWriterOptions px;
  px.width = 1;
  px.height = 1;
  px.codec = "png";
  write_frames(dir / "pixel.mov", px, 3);
  VideoReader pixel(dir / "pixel.mov");
  CHECK(pixel.info().width == 1);
  at::Tensor p = pixel.read_frames({0, 2}, 8);
  CHECK(p.sizes() == (std::vector<int64_t>{2, 8, 8, 3}));
  CHECK(p[1][4][4][0].item<int>() == 80);  // frame 2's only pixel: red = 2 * 40, stretched
}
