// segment_midpoint against index lists worked out by hand from the reference formula
// index_k = int(first + seg/2 + round_half_even(seg*k)), seg = (last - first) / N.
#include "tests/catch_aten.h"

#include "datasets/frame_sampling.h"

using ppb::datasets::segment_midpoint;
using ppb::datasets::TimeBounds;
using V = std::vector<int64_t>;

TEST_CASE("segment_midpoint over a whole video", "[sampling]") {
  // seg = 99/8 = 12.375; round(49.5) = 50 (half to even).
  CHECK(segment_midpoint(100, 8, 25.0) == (V{6, 18, 31, 43, 56, 68, 80, 93}));
  CHECK(segment_midpoint(100, 1, 25.0) == (V{49}));
}

TEST_CASE("segment_midpoint rounds halves to even like numpy", "[sampling]") {
  // seg = 20/8 = 2.5: round(2.5) = 2, round(7.5) = 8, round(12.5) = 12, round(17.5) = 18.
  CHECK(segment_midpoint(21, 8, 25.0) == (V{1, 3, 6, 9, 11, 13, 16, 19}));
  CHECK(ppb::datasets::round_half_even(0.5) == 0.0);
  CHECK(ppb::datasets::round_half_even(1.5) == 2.0);
  CHECK(ppb::datasets::round_half_even(-2.5) == -2.0);
}

TEST_CASE("segment_midpoint with time bounds in seconds", "[sampling]") {
  // fps 10, [2 s, 5 s] -> frames 20..50, seg = 7.5.
  CHECK(segment_midpoint(100, 4, 10.0, TimeBounds{2.0, 5.0}) == (V{23, 31, 38, 45}));
  // An end past the video is clipped to the last frame: 20..99, seg = 79/2 = 39.5.
  CHECK(segment_midpoint(100, 2, 10.0, TimeBounds{2.0, 50.0}) == (V{39, 79}));
  CHECK_THROWS_WITH(segment_midpoint(100, 4, 0.0, TimeBounds{1, 2}), Catch::Contains("positive fps"));
}

TEST_CASE("segment_midpoint with fewer frames than asked repeats indices", "[sampling]") {
  CHECK(segment_midpoint(3, 8, 25.0) == (V{0, 0, 0, 1, 1, 1, 2, 2}));
  CHECK(segment_midpoint(1, 4, 25.0) == (V{0, 0, 0, 0}));
}

TEST_CASE("segment_midpoint for frame folders runs over file numbers 1..count", "[sampling]") {
  // Ten files 00001..00010: first = 1, last = 10 (the reference's max_frame = len(listdir)), seg = 3.
  CHECK(segment_midpoint(10, 3, 3.0, std::nullopt, 1) == (V{2, 5, 8}));
}

namespace {
std::vector<int64_t> pick(const std::string& policy, int64_t frames, int count, double fps = 25.0, double rate = 1.0,
                          uint64_t seed = 0) {
  ppb::datasets::SamplingRequest r;
  r.frames_total = frames;
  r.count = count;
  r.fps = fps;
  r.rate = rate;
  r.seed = seed;
  return ppb::datasets::sample_frames(policy, r);
}
}  // namespace

TEST_CASE("segment_midpoint_vcg: (round(seg*i) + round(seg*(i+1))) // 2", "[sampling]") {
  // seg = 9/4 = 2.25: rounds 0, 2, 4 (4.5 to even), 7, 9.
  CHECK(pick("segment_midpoint_vcg", 10, 4) == (V{1, 3, 5, 8}));
  CHECK(pick("segment_midpoint_vcg", 1, 3) == (V{0, 0, 0}));
}

TEST_CASE("linspace_inclusive keeps both ends and drops duplicates", "[sampling]") {
  // step 99/7: 0, 14.1, 28.3, 42.4, 56.6, 70.7, 84.9, 99.
  CHECK(pick("linspace_inclusive", 100, 8) == (V{0, 14, 28, 42, 56, 70, 84, 99}));
  CHECK(pick("linspace_inclusive", 3, 5) == (V{0, 1, 2}));  // np.unique of 0, 0, 1, 1, 2
  CHECK(pick("linspace_inclusive", 50, 1) == (V{0}));
}

TEST_CASE("interior_uniform excludes both ends", "[sampling]") {
  CHECK(pick("interior_uniform", 100, 4) == (V{20, 40, 60, 80}));
  CHECK(pick("interior_uniform", 3, 4) == (V{0, 1, 1, 2}));  // step 0.6
}

TEST_CASE("fps takes k frames per second up to a cap", "[sampling]") {
  CHECK(pick("fps", 100, 32, 25.0, 1.0) == (V{0, 25, 50, 75}));
  CHECK(pick("fps", 100, 32, 25.0, 2.0) == (V{0, 12, 25, 37, 50, 62, 75, 87}));
  CHECK(pick("fps", 100, 2, 25.0, 1.0) == (V{0, 75}));  // capped: linspace over the four
}

TEST_CASE("lvb_floor_stride: n = min(N, int(duration)), stride = int(duration*fps) // n", "[sampling]") {
  CHECK(pick("lvb_floor_stride", 300, 4, 30.0) == (V{0, 75, 150, 225}));
  CHECK(pick("lvb_floor_stride", 300, 32, 30.0).size() == 10);
  CHECK(pick("lvb_floor_stride", 15, 8, 30.0) == (V{0}));  // half a second: one frame
}

TEST_CASE("random_segment draws one frame per interval, seeded", "[sampling]") {
  const auto a = pick("random_segment", 100, 8, 25, 1, 42), b = pick("random_segment", 100, 8, 25, 1, 42);
  CHECK(a == b);
  CHECK(a != pick("random_segment", 100, 8, 25, 1, 43));
  // Intervals of linspace(0, 100, 9) as ints: [0,12), [12,25), [25,37), ...
  const V edges{0, 12, 25, 37, 50, 62, 75, 87, 100};
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i] >= edges[i]);
    CHECK(a[i] < edges[i + 1]);
  }
  CHECK(pick("random_segment", 3, 5, 25, 1, 1) == (V{0, 1, 2, 2, 2}));
}

TEST_CASE("the policy registry names the valid policies", "[sampling]") {
  CHECK_THROWS_WITH(pick("uniform", 10, 2), Catch::Contains("linspace_inclusive") && Catch::Contains("lvb_floor_stride"));
}

TEST_CASE("segment_midpoint rejects empty videos and counts", "[sampling]") {
  CHECK_THROWS_WITH(segment_midpoint(0, 4, 25.0), Catch::Contains("no frames"));
  CHECK_THROWS(segment_midpoint(10, 0, 25.0));
}
