// Frame-sampling policies: which frame indices of a video the model sees. Each policy is named
// after the code base whose convention it reproduces; the name, its parameters and the chosen
// indices go into every sample record.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/named_registry.h"

namespace ppb::datasets {

// Optional [start, end] bounds in seconds (MVBench's bounded tasks).
struct TimeBounds {
  double start = 0.0;  // seconds
  double end = 0.0;    // seconds
};

// What a policy knows about the video and what it is asked for.
struct SamplingRequest {
  int64_t frames_total = 0;            // decodable frames (for frame folders: files)
  double fps = 0.0;                    // average frame rate
  int count = 8;                       // frames asked for (the cap, for `fps`)
  std::optional<TimeBounds> bounds;    // segment_midpoint only
  int64_t first_index = 0;             // 1 for 1-based frame folders (MVBench's TVQA frames)
  double rate = 1.0;                   // `fps` policy: frames per second to take
  uint64_t seed = 0;                   // `random_segment`: the run seed mixed with the sample's identity
};

struct SamplingPolicy {
  std::string name;         // registry key
  std::string source;       // whose convention it reproduces
  std::string rule;         // the index formula, and what happens with fewer frames than asked
  std::function<std::vector<int64_t>(const SamplingRequest&)> pick;
};

struct SamplingRegistry : NamedRegistry<SamplingPolicy> {
  SamplingRegistry() : NamedRegistry("sampling policy") {}
  void add(SamplingPolicy p) {
    const std::string name = p.name;  // read before the move: argument order is unspecified
    NamedRegistry::add(name, std::move(p));
  }
};

// segment_midpoint, segment_midpoint_vcg, linspace_inclusive, interior_uniform, fps,
// lvb_floor_stride, random_segment.
void register_builtin_sampling_policies(SamplingRegistry& reg);
const SamplingRegistry& builtin_sampling_policies();

// Picks indices with the named policy; throws for an unknown name or an empty video.
std::vector<int64_t> sample_frames(const std::string& policy, const SamplingRequest& req);

// PPLLaVA / VideoChat2 evaluation sampling: split [first, last] into `count` equal segments and
// take each segment's middle, with numpy's round-half-to-even:
//   last = min(round(end * fps), last_index), first = max(first_index, round(start * fps)),
//   seg = (last - first) / count, index_k = int(first + seg / 2 + round(seg * k)).
// For videos last_index = frames_total - 1; for 1-based frame folders the reference uses the
// file count itself. With fewer frames than `count`, indices repeat (as in the reference).
std::vector<int64_t> segment_midpoint(int64_t frames_total, int count, double fps,
                                      const std::optional<TimeBounds>& bounds = std::nullopt,
                                      int64_t first_index = 0);

// A seed for one item, from the run seed and a label such as "task/sample_id": FNV-1a over the
// label mixed with the seed by splitmix64, fully specified so that it is the same everywhere.
uint64_t derive_seed(uint64_t seed, const std::string& label);

// Round half to even, as numpy.round and Python's round() do.
double round_half_even(double x);

}  // namespace ppb::datasets
