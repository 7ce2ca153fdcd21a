#include "datasets/frame_sampling.h"

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <stdexcept>

namespace ppb::datasets {

double round_half_even(double x) {
  // nearbyint honours the current rounding mode; the default (and the one we insist on) is to-nearest-even.
  const int saved = std::fegetround();
  std::fesetround(FE_TONEAREST);
  const double r = std::nearbyint(x);
  std::fesetround(saved);
  return r;
}

std::vector<int64_t> segment_midpoint(int64_t frames_total, int count, double fps,
                                      const std::optional<TimeBounds>& bounds, int64_t first_index) {
  if (frames_total <= 0) throw std::runtime_error("segment_midpoint: the video has no frames");
  if (count <= 0) throw std::runtime_error("segment_midpoint: frame count must be positive");
  const int64_t max_frame = frames_total - 1;
  int64_t first = first_index;
  int64_t last = max_frame;
  if (bounds) {
    if (fps <= 0) throw std::runtime_error("segment_midpoint: time bounds need a positive fps");
    first = std::max(first_index, static_cast<int64_t>(round_half_even(bounds->start * fps)));
    last = std::min(static_cast<int64_t>(round_half_even(bounds->end * fps)), max_frame);
  }
  if (last < first) last = first;  // bounds past the end of a short video: all indices fall on `first`
  first = std::min(first, max_frame);
  last = std::min(last, max_frame);
  const double seg = static_cast<double>(last - first) / count;
  std::vector<int64_t> out;
  out.reserve(count);
  for (int k = 0; k < count; ++k)
    out.push_back(static_cast<int64_t>(static_cast<double>(first) + seg / 2.0 + round_half_even(seg * k)));
  return out;
}

}  // namespace ppb::datasets
