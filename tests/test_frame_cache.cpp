// The frame cache and the prefetcher: entries read back bit for bit, corrupt or partial ones are
// rebuilt, keys change exactly when the frames would, the size cap evicts the least recently
// used entry, and prefetched frames equal frames loaded directly, errors included.
#include "tests/catch_aten.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "datasets/frame_cache.h"
#include "datasets/frame_loader.h"
#include "datasets/frame_prefetcher.h"
#include "datasets/video_reader.h"
#include "datasets/video_writer.h"
#include "tests/test_support.h"

using namespace ppb::datasets;
using ppb::test::read_file;
using ppb::test::TempDir;
namespace fs = std::filesystem;

namespace {

// A 40-frame 64x48 MPEG-4 video whose frame f has red = 5 * f + shade everywhere.
std::string write_video(const std::string& path, int shade = 0, int frames = 40) {
  VideoWriterOptions o;
  o.width = 64;
  o.height = 48;
  VideoWriter w(path, o);
  std::vector<uint8_t> img(64 * 48 * 3);
  for (int f = 0; f < frames; ++f) {
    for (size_t p = 0; p < img.size(); p += 3) {
      img[p] = static_cast<uint8_t>(5 * f + shade);
      img[p + 1] = 100;
      img[p + 2] = static_cast<uint8_t>(200 - f);
    }
    w.write_rgb(img.data());
  }
  w.finish();
  return path;
}

CachedFrames random_frames(int t, uint64_t seed) {
  at::manual_seed(seed);
  CachedFrames c;
  c.rgb = at::randint(0, 256, {t, 8, 6, 3}, at::kByte);
  for (int i = 0; i < t; ++i) c.indices.push_back(3 * i + 1);
  c.frames_total = 99;
  c.fps = 29.97;
  return c;
}

FrameRequest request(const std::string& video, int count = 8) {
  FrameRequest r;
  r.video = video;
  r.count = count;
  r.geometry.mode = ResizeMode::squash;
  r.geometry.size = 32;
  return r;
}

void flip_byte(const std::string& path, std::streamoff from_end) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(-from_end, std::ios::end);
  const char c = static_cast<char>(f.get());
  f.seekp(-from_end, std::ios::end);
  f.put(static_cast<char>(c ^ 0x10));
}

}  // namespace

TEST_CASE("a stored entry reads back bit for bit", "[frame_cache]") {
  TempDir dir("fcache");
  FrameCache cache({dir.path(), 1 << 20});
  CHECK_FALSE(cache.load("k1").has_value());
  const CachedFrames in = random_frames(5, 1);
  cache.store("k1", in);
  const auto out = cache.load("k1");
  REQUIRE(out.has_value());
  CHECK(at::equal(out->rgb, in.rgb));
  CHECK(out->indices == in.indices);
  CHECK(out->frames_total == 99);
  CHECK(out->fps == 29.97);
  const auto s = cache.stats();
  CHECK(s.hits == 1);
  CHECK(s.misses == 1);
  CHECK(s.stored == 1);
  // No temporary file is left next to the entry.
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) files += e.is_regular_file() ? 1 : 0;
  CHECK(files == 1);
}

TEST_CASE("corrupt and partial entries are detected, removed and rebuilt", "[frame_cache]") {
  TempDir dir("fcache");
  FrameCache cache({dir.path(), 1 << 20});
  const CachedFrames in = random_frames(4, 2);
  SECTION("a flipped pixel") {
    cache.store("k", in);
    flip_byte(cache.entry_path("k"), 7);
  }
  SECTION("a file cut short") {
    cache.store("k", in);
    const std::string bytes = read_file(cache.entry_path("k"));
    std::ofstream(cache.entry_path("k"), std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 100);
  }
  SECTION("a header cut short") {
    cache.store("k", in);
    const std::string bytes = read_file(cache.entry_path("k"));
    std::ofstream(cache.entry_path("k"), std::ios::binary | std::ios::trunc) << bytes.substr(0, 30);
  }
  SECTION("not an entry at all") {
    std::ofstream(cache.entry_path("k")) << "hello";
  }
  SECTION("an entry written for another key") {
    cache.store("other", in);
    fs::copy_file(cache.entry_path("other"), cache.entry_path("k"));
  }
  CHECK_FALSE(cache.load("k").has_value());
  CHECK(cache.stats().rebuilt == 1);
  CHECK_FALSE(fs::exists(cache.entry_path("k")));
  cache.store("k", in);
  const auto again = cache.load("k");
  REQUIRE(again.has_value());
  CHECK(at::equal(again->rgb, in.rgb));
}

TEST_CASE("the size cap evicts the least recently used entries", "[frame_cache]") {
  TempDir dir("fcache");
  const CachedFrames a = random_frames(50, 3);  // 50*8*6*3 = 7200 pixel bytes, plus a header under 1 KiB
  FrameCache cache({dir.path(), 20000});
  cache.store("a", a);
  cache.store("b", a);
  // Make the recency order unambiguous whatever the file system's timestamp resolution: b is older.
  const auto now = fs::file_time_type::clock::now();
  fs::last_write_time(cache.entry_path("b"), now - std::chrono::hours(2));
  fs::last_write_time(cache.entry_path("a"), now - std::chrono::hours(1));
  cache.store("c", a);  // three entries pass 20000 bytes: the oldest (b) goes
  CHECK(fs::exists(cache.entry_path("a")));
  CHECK_FALSE(fs::exists(cache.entry_path("b")));
  CHECK(fs::exists(cache.entry_path("c")));
  CHECK(cache.stats().evicted == 1);
  // A hit makes an entry recent: after reading a, storing d evicts c... only if c is older.
  fs::last_write_time(cache.entry_path("c"), now - std::chrono::hours(3));
  REQUIRE(cache.load("a").has_value());
  cache.store("d", a);
  CHECK(fs::exists(cache.entry_path("a")));
  CHECK_FALSE(fs::exists(cache.entry_path("c")));
  // A new cache object on the same folder counts what is already there.
  FrameCache reopened({dir.path(), 20000});
  reopened.store("e", a);
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) entries += e.path().extension() == ".ppbf" ? 1 : 0;
  CHECK(entries == 2);
}

TEST_CASE("cache keys change exactly when the frames would", "[frame_cache]") {
  TempDir dir("fkey");
  const std::string v = write_video(dir / "v.mp4");
  const FrameRequest base = request(v);
  const std::string k0 = frame_cache_key(base);
  CHECK(frame_cache_key(base) == k0);
  FrameRequest r = base;
  r.seed = 77;  // segment_midpoint does not read the seed
  CHECK(frame_cache_key(r) == k0);
  r = base;
  r.count = 9;
  CHECK(frame_cache_key(r) != k0);
  r = base;
  r.policy = "linspace_inclusive";
  CHECK(frame_cache_key(r) != k0);
  r = base;
  r.bounds = TimeBounds{0.5, 1.0};
  CHECK(frame_cache_key(r) != k0);
  r = base;
  r.geometry.size = 33;
  CHECK(frame_cache_key(r) != k0);
  r = base;
  r.geometry.mode = ResizeMode::pad_to_square;
  CHECK(frame_cache_key(r) != k0);
  r = base;
  r.policy = "random_segment";
  FrameRequest r2 = r;
  r2.seed = 5;
  CHECK(frame_cache_key(r) != frame_cache_key(r2));
  // Same bytes but a new modification time, then new bytes of the same size: both new keys.
  fs::last_write_time(v, fs::last_write_time(v) + std::chrono::seconds(10));
  const std::string k1 = frame_cache_key(base);
  CHECK(k1 != k0);
  write_video(v, 1);
  CHECK(frame_cache_key(base) != k1);
  CHECK_THROWS_WITH(frame_cache_key(request(dir / "gone.mp4")), Catch::Contains("gone.mp4"));
}

TEST_CASE("frames through the cache equal frames decoded directly", "[frame_cache]") {
  TempDir dir("fload");
  const std::string v = write_video(dir / "v.mp4");
  FrameCache cache({(dir / "cache"), int64_t{1} << 30});
  const FrameRequest req = request(v, 6);
  const LoadedFrames first = load_frames(req, &cache);
  CHECK(first.cache == "miss");
  CHECK(first.decode.frames_decoded > 0);
  const LoadedFrames second = load_frames(req, &cache);
  CHECK(second.cache == "hit");
  CHECK(second.decode.frames_decoded == 0);
  const LoadedFrames plain = load_frames(req, nullptr);
  CHECK(plain.cache == "off");
  VideoReader reader(v);
  const auto expected_idx = segment_midpoint(40, 6, reader.info().fps);
  const at::Tensor expected = reader.read_frames(expected_idx, req.geometry);
  for (const auto* f : {&first, &second, &plain}) {
    CHECK(f->indices == expected_idx);
    CHECK(f->frames_total == 40);
    CHECK(at::equal(f->rgb, expected));
  }
  // A corrupt entry costs one decode, not a wrong answer.
  flip_byte(cache.entry_path(frame_cache_key(req)), 1);
  const LoadedFrames third = load_frames(req, &cache);
  CHECK(third.cache == "miss");
  CHECK(at::equal(third.rgb, expected));
  CHECK(cache.stats().rebuilt == 1);
}

TEST_CASE("two cache objects writing the same key leave one valid entry", "[frame_cache]") {
  TempDir dir("fshare");
  FrameCache a({dir.path(), 1 << 24}), b({dir.path(), 1 << 24});
  const CachedFrames in = random_frames(30, 4);
  std::thread t1([&] { for (int i = 0; i < 20; ++i) a.store("k", in); });
  std::thread t2([&] { for (int i = 0; i < 20; ++i) b.store("k", in); });
  std::thread t3([&] {
    for (int i = 0; i < 20; ++i)
      if (auto got = a.load("k")) CHECK(at::equal(got->rgb, in.rgb));  // never a half-written entry
  });
  t1.join();
  t2.join();
  t3.join();
  CHECK(a.stats().rebuilt == 0);
  const auto got = b.load("k");
  REQUIRE(got.has_value());
  CHECK(at::equal(got->rgb, in.rgb));
}

TEST_CASE("prefetched frames equal direct loads, in order, with errors in place", "[frame_cache]") {
  TempDir dir("fpre");
  std::vector<FrameRequest> reqs;
  for (int i = 0; i < 6; ++i) {
    const std::string v = i == 3 ? dir / "missing.mp4" : write_video(dir / ("v" + std::to_string(i) + ".mp4"), 3 * i);
    reqs.push_back(request(v, 4 + i));
  }
  for (int depth : {0, 1, 3, 10}) {
    INFO("depth " << depth);
    FramePrefetcher pre(reqs, depth, nullptr);
    for (size_t i = 0; i < reqs.size(); ++i) {
      double waited = -1;
      if (i == 3) {
        CHECK_THROWS_WITH(pre.take(i, waited), Catch::Contains("missing.mp4"));
        continue;
      }
      const LoadedFrames got = pre.take(i, waited);
      CHECK(waited >= 0);
      const LoadedFrames direct = load_frames(reqs[i], nullptr);
      CHECK(got.indices == direct.indices);
      CHECK(at::equal(got.rgb, direct.rgb));
    }
  }
  FramePrefetcher pre(reqs, 2, nullptr);
  double w = 0;
  CHECK_THROWS_WITH(pre.take(1, w), Catch::Contains("out of order"));
}

TEST_CASE("a prefetcher dropped early stops its threads", "[frame_cache]") {
  TempDir dir("fdrop");
  std::vector<FrameRequest> reqs;
  for (int i = 0; i < 8; ++i) reqs.push_back(request(write_video(dir / ("v" + std::to_string(i) + ".mp4"), i), 8));
  FramePrefetcher pre(reqs, 4, nullptr);
  double w = 0;
  CHECK(pre.take(0, w).rgb.size(0) == 8);
  // Leaving scope with requests in flight and unread must neither hang nor crash.
}
