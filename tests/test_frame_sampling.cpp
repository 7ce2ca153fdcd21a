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

TEST_CASE("segment_midpoint for frame folders starts at index 1", "[sampling]") {
  CHECK(segment_midpoint(10, 3, 3.0, std::nullopt, 1) == (V{2, 5, 7}));
}

TEST_CASE("segment_midpoint rejects empty videos and counts", "[sampling]") {
  CHECK_THROWS_WITH(segment_midpoint(0, 4, 25.0), Catch::Contains("no frames"));
  CHECK_THROWS(segment_midpoint(10, 0, 25.0));
}
