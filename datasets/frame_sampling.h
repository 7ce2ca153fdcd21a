// Frame-sampling policies: which frame indices of a video the model sees.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace ppb::datasets {

// Optional [start, end] bounds in seconds (MVBench's bounded tasks).
struct TimeBounds {
  double start = 0.0;  // seconds
  double end = 0.0;    // seconds
};

// PPLLaVA / VideoChat2 evaluation sampling: split [first, last] into `count` equal segments and
// take each segment's middle, with numpy's round-half-to-even:
//   last = min(round(end * fps), frames_total - 1), first = max(first_index, round(start * fps)),
//   seg = (last - first) / count, index_k = int(first + seg / 2 + round(seg * k)).
// With fewer frames than `count`, indices repeat (the reference does the same). `first_index`
// is 1 for raw-frame folders, 0 for videos.
std::vector<int64_t> segment_midpoint(int64_t frames_total, int count, double fps,
                                      const std::optional<TimeBounds>& bounds = std::nullopt,
                                      int64_t first_index = 0);

// Round half to even, as numpy.round and Python's round() do.
double round_half_even(double x);

}  // namespace ppb::datasets
