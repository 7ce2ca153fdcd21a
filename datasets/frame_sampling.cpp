#include "datasets/frame_sampling.h"

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <stdexcept>

namespace ppb::datasets {
namespace {

// The last usable index: videos count from 0; 1-based frame folders use the file count, as the
// reference does (max_frame = len(listdir)).
int64_t last_index(const SamplingRequest& r) { return r.first_index == 0 ? r.frames_total - 1 : r.frames_total; }

void check(const SamplingRequest& r, const char* policy) {
  if (r.frames_total <= 0) throw std::runtime_error(std::string(policy) + ": the video has no frames");
  if (r.count <= 0) throw std::runtime_error(std::string(policy) + ": frame count must be positive");
}

// numpy.linspace(start, stop, n) cast to int64 (truncation), as np.linspace(..., dtype=int) does.
std::vector<int64_t> linspace_int(double start, double stop, int n) {
  std::vector<int64_t> out;
  if (n == 1) return {static_cast<int64_t>(start)};
  const double step = (stop - start) / (n - 1);
  for (int i = 0; i < n; ++i) out.push_back(static_cast<int64_t>(i == n - 1 ? stop : start + i * step));
  return out;
}

// splitmix64, fully specified so that a seed means the same indices everywhere.
uint64_t mix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::vector<int64_t> pick_segment_midpoint(const SamplingRequest& r) {
  check(r, "segment_midpoint");
  const int64_t max_frame = last_index(r);
  int64_t first = r.first_index, last = max_frame;
  if (r.bounds) {
    if (r.fps <= 0) throw std::runtime_error("segment_midpoint: time bounds need a positive fps");
    first = std::max(r.first_index, static_cast<int64_t>(round_half_even(r.bounds->start * r.fps)));
    last = std::min(static_cast<int64_t>(round_half_even(r.bounds->end * r.fps)), max_frame);
  }
  first = std::min(first, max_frame);
  if (last < first) last = first;  // bounds past the end of a short video: every index falls on `first`
  const double seg = static_cast<double>(last - first) / r.count;
  std::vector<int64_t> out;
  for (int k = 0; k < r.count; ++k)
    out.push_back(static_cast<int64_t>(static_cast<double>(first) + seg / 2.0 + round_half_even(seg * k)));
  return out;
}

std::vector<int64_t> pick_segment_midpoint_vcg(const SamplingRequest& r) {
  check(r, "segment_midpoint_vcg");
  const double seg = static_cast<double>(last_index(r) - r.first_index) / r.count;
  std::vector<int64_t> out;
  for (int i = 0; i < r.count; ++i) {
    const auto a = static_cast<int64_t>(round_half_even(seg * i)), b = static_cast<int64_t>(round_half_even(seg * (i + 1)));
    out.push_back(r.first_index + (a + b) / 2);
  }
  return out;
}

std::vector<int64_t> pick_linspace_inclusive(const SamplingRequest& r) {
  check(r, "linspace_inclusive");
  auto idx = linspace_int(static_cast<double>(r.first_index), static_cast<double>(last_index(r)), r.count);
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());  // np.unique: fewer frames than asked on short videos
  return idx;
}

std::vector<int64_t> pick_interior_uniform(const SamplingRequest& r) {
  check(r, "interior_uniform");
  const int64_t n = last_index(r) - r.first_index + 1;
  const double step = static_cast<double>(n) / (r.count + 1);
  std::vector<int64_t> out;
  for (int i = 1; i <= r.count; ++i) out.push_back(r.first_index + static_cast<int64_t>(i * step));
  return out;
}

std::vector<int64_t> pick_fps(const SamplingRequest& r) {
  check(r, "fps");
  if (r.fps <= 0 || r.rate <= 0) throw std::runtime_error("fps: needs a positive video fps and rate");
  const int64_t n_frames = last_index(r) - r.first_index + 1;
  const double duration = n_frames / r.fps;
  const int64_t n = std::max<int64_t>(1, static_cast<int64_t>(duration * r.rate));
  std::vector<int64_t> all;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = static_cast<int64_t>(i * r.fps / r.rate);
    if (k >= n_frames) break;
    all.push_back(r.first_index + k);
  }
  if (static_cast<int64_t>(all.size()) <= r.count) return all;
  // Over the cap: keep `count` of them, evenly with both ends (linspace over the list).
  std::vector<int64_t> out;
  for (int64_t pos : linspace_int(0, static_cast<double>(all.size() - 1), r.count)) out.push_back(all[pos]);
  return out;
}

std::vector<int64_t> pick_lvb_floor_stride(const SamplingRequest& r) {
  check(r, "lvb_floor_stride");
  if (r.fps <= 0) throw std::runtime_error("lvb_floor_stride: needs a positive fps");
  const int64_t n_frames = last_index(r) - r.first_index + 1;
  const double duration = n_frames / r.fps;
  // Under one second the reference would divide by zero; one frame (the first) is taken instead.
  const int64_t n = std::max<int64_t>(1, std::min<int64_t>(r.count, static_cast<int64_t>(duration)));
  const int64_t stride = static_cast<int64_t>(duration * r.fps) / n;
  std::vector<int64_t> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(r.first_index + stride * i);
  return out;
}

std::vector<int64_t> pick_random_segment(const SamplingRequest& r) {
  check(r, "random_segment");
  const int64_t n_frames = last_index(r) - r.first_index + 1;
  const int64_t n = std::min<int64_t>(r.count, n_frames);
  // Bounds of n equal integer intervals over [0, n_frames): np.linspace(0, vlen, n + 1).astype(int).
  const auto edges = linspace_int(0.0, static_cast<double>(n_frames), static_cast<int>(n + 1));
  uint64_t state = r.seed;
  std::vector<int64_t> out;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t lo = edges[i], hi = std::max(edges[i], edges[i + 1] - 1);
    out.push_back(r.first_index + lo + static_cast<int64_t>(mix(state) % static_cast<uint64_t>(hi - lo + 1)));
  }
  while (static_cast<int64_t>(out.size()) < r.count) out.push_back(out.back());  // pad with the last index
  return out;
}

}  // namespace

uint64_t derive_seed(uint64_t seed, const std::string& label) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : label) h = (h ^ c) * 0x100000001b3ULL;
  uint64_t state = seed ^ h;
  return mix(state);
}

double round_half_even(double x) {
  // nearbyint honours the current rounding mode; to-nearest-even is set for the call.
  const int saved = std::fegetround();
  std::fesetround(FE_TONEAREST);
  const double r = std::nearbyint(x);
  std::fesetround(saved);
  return r;
}

std::vector<int64_t> segment_midpoint(int64_t frames_total, int count, double fps,
                                      const std::optional<TimeBounds>& bounds, int64_t first_index) {
  SamplingRequest r;
  r.frames_total = frames_total;
  r.count = count;
  r.fps = fps;
  r.bounds = bounds;
  r.first_index = first_index;
  return pick_segment_midpoint(r);
}

void register_builtin_sampling_policies(SamplingRegistry& reg) {
  reg.add({"segment_midpoint", "PPLLaVA evaluation, VideoChat2 MVBench",
           "seg = (last - first) / N; i_k = int(first + seg/2 + round(seg*k)); optional [start, end] seconds; "
           "repeats indices when the video is shorter than N",
           pick_segment_midpoint});
  reg.add({"segment_midpoint_vcg", "Video-ChatGPT, SlowFast-LLaVA",
           "seg = (F-1) / N; i_k = (round(seg*k) + round(seg*(k+1))) // 2; repeats indices on short videos",
           pick_segment_midpoint_vcg});
  reg.add({"linspace_inclusive", "lmms-eval",
           "int(linspace(0, F-1, N)), duplicates removed (np.unique): fewer than N frames on short videos",
           pick_linspace_inclusive});
  reg.add({"interior_uniform", "VLMEvalKit (nframe mode)",
           "step = F / (N+1); i_k = int(k*step) for k = 1..N; repeats indices on short videos", pick_interior_uniform});
  reg.add({"fps", "VLMEvalKit (fps mode) with a cap",
           "i_k = int(k * video_fps / rate) for k < duration*rate; above N (the cap) N of them by linspace",
           pick_fps});
  reg.add({"lvb_floor_stride", "LongVideoBench",
           "n = min(N, int(duration)); i_k = (int(duration*fps) // n) * k, k = 0..n-1; at least one frame",
           pick_lvb_floor_stride});
  reg.add({"random_segment", "training-style sampling (PPLLaVA datasets)",
           "N equal integer intervals of [0, F), a seeded uniform frame in each; short videos padded with the last",
           pick_random_segment});
}

const SamplingRegistry& builtin_sampling_policies() {
  static const SamplingRegistry reg = [] {
    SamplingRegistry r;
    register_builtin_sampling_policies(r);
    return r;
  }();
  return reg;
}

std::vector<int64_t> sample_frames(const std::string& policy, const SamplingRequest& req) {
  return builtin_sampling_policies().get(policy).pick(req);
}

}  // namespace ppb::datasets
