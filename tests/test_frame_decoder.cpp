// How wanted frames are split among independent decoders: runs under one keyframe stay
// together, every frame lands in exactly one part, in order, and the parts balance the packets
// each must decode. (Exactness of the parallel decode itself is checked in test_video_io.)
#include "tests/catch_aten.h"

#include "datasets/frame_decoder.h"

using namespace ppb::datasets;

namespace {

// A stream of `n` frames in decode order = presentation order, a keyframe every `gop` frames.
VideoIndex index_with_gop(int64_t n, int64_t gop) {
  VideoIndex idx;
  for (int64_t k = 0; k < n; ++k) {
    idx.pts.push_back(k);
    idx.decode_pos.push_back(k);
    idx.key_decode_pos.push_back(k / gop * gop);
    idx.key_pts.push_back(k / gop * gop);
    idx.key_seek_ts.push_back(k / gop * gop);
    idx.frame_of_pts[k] = k;
  }
  return idx;
}

}  // namespace

TEST_CASE("split_by_keyframes keeps keyframe runs whole and balances decoding", "[frame_decoder]") {
  const VideoIndex idx = index_with_gop(1000, 100);
  // Two frames in each of GOPs 0..9 (at 10 and 90 within the GOP): ten equal runs of 91 packets.
  std::vector<int64_t> targets;
  for (int64_t g = 0; g < 10; ++g) {
    targets.push_back(100 * g + 10);
    targets.push_back(100 * g + 90);
  }
  for (int parts : {1, 2, 3, 4, 16}) {
    INFO(parts);
    const auto split = split_by_keyframes(idx, targets, parts);
    CHECK(static_cast<int>(split.size()) == std::min(parts, 10));
    std::vector<int64_t> joined;
    for (const auto& p : split) {
      REQUIRE_FALSE(p.empty());
      joined.insert(joined.end(), p.begin(), p.end());
      // A part never ends between two frames of one GOP.
      CHECK(p.front() % 100 == 10);
      CHECK(p.back() % 100 == 90);
    }
    CHECK(joined == targets);
  }
  // Two parts of equal runs: five GOPs each.
  const auto two = split_by_keyframes(idx, targets, 2);
  CHECK(two[0].size() == 10);
  CHECK(two[1].size() == 10);
  // One heavy run (frame 99 needs 100 packets) against nine light ones (1 packet each): the heavy
  // one is a part of its own.
  const std::vector<int64_t> skewed = {99, 100, 200, 300, 400, 500, 600, 700, 800, 900};
  const auto parts = split_by_keyframes(idx, skewed, 2);
  REQUIRE(parts.size() == 2);
  CHECK(parts[0] == std::vector<int64_t>{99});
  // A single keyframe interval cannot be split.
  CHECK(split_by_keyframes(idx, {3, 50, 97}, 4).size() == 1);
}
