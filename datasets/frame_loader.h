// One sample's frames, from a request: open the video, pick indices with the named sampling
// policy, decode and resize, going through the frame cache when one is given. This is the unit
// of work the prefetcher runs ahead of the model.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "datasets/frame_cache.h"
#include "datasets/frame_preprocess.h"
#include "datasets/frame_sampling.h"
#include "datasets/video_reader.h"

namespace ppb::datasets {

struct FrameRequest {
  std::string video;                        // video file or frame folder
  std::string policy = "segment_midpoint";  // sampling policy name (ppbench frames --help lists them)
  int count = 8;                            // frames asked for (the cap, for `fps`)
  std::optional<TimeBounds> bounds;         // [start, end] seconds, for segment_midpoint
  double rate = 1.0;                        // frames per second, for the `fps` policy
  uint64_t seed = 0;                        // for random_segment
  FrameGeometry geometry;                   // resize geometry of the output frames
  DecodeOptions decode;                     // decoder threads, strategy, frame-folder rate
};

struct LoadedFrames {
  at::Tensor rgb;                // uint8 [T, H, W, 3]
  std::vector<int64_t> indices;  // what the policy picked
  int64_t frames_total = 0;      // frames in the video
  double fps = 0.0;              // its average frame rate
  std::string cache = "off";     // "off", "hit" or "miss"
  double work_ms = 0.0;          // time the loading took on the thread that did it
  DecodeStats decode;            // how decoding went (empty on a cache hit)
  std::string cache_error;       // why a decoded set could not be stored (disk full...); empty when it was
};

// The cache key of a request: SHA-256 over the video's identity, the policy and the parameters
// it reads, the geometry and the FFmpeg library versions. Throws when the video is missing.
std::string frame_cache_key(const FrameRequest& req);

// A short name of a geometry for records and reports, e.g. "squash@336".
std::string geometry_name(const FrameGeometry& g);

// Loads the frames; `cache` may be null. Throws naming the video and the cause.
LoadedFrames load_frames(const FrameRequest& req, FrameCache* cache);

}  // namespace ppb::datasets
