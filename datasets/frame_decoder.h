// The decoding pass behind VideoReader::read_frames: one demuxer and decoder of its own bring a
// set of wanted frames (presentation indices) out of a video, seeking to keyframes or decoding on
// as the cost model says, and convert each into its output slots. Several passes over disjoint
// keyframe intervals can run at once on different threads. Internal to datasets/.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "datasets/frame_preprocess.h"
#include "datasets/video_index.h"
#include "datasets/video_reader.h"

namespace ppb::datasets {

// What every pass of one read_frames call shares; read-only during the passes.
struct DecodeJob {
  std::string path;                                  // the video file
  const VideoIndex* index = nullptr;                 // its packet index
  FrameGeometry geometry;                            // output geometry
  int rotation = 0;                                  // clockwise display rotation
  int out_w = 0, out_h = 0;                          // output frame size
  uint8_t* out = nullptr;                            // [slots, out_h, out_w, 3]
  const std::map<int64_t, std::vector<size_t>>* wanted = nullptr;  // frame -> output slots
  DecodeOptions opts;                                // strategy, skipping, limits
};

// Decodes `targets` (sorted, distinct presentation indices, each a key of job.wanted) with a
// decoder of `codec_threads` threads, accumulating into `stats`. `seek_by_pts` says whether
// seeking by the keyframe's pts lands on it; a pass that finds otherwise clears it. Throws naming
// the file and the frame when a frame cannot be decoded.
void decode_frames(const DecodeJob& job, const std::vector<int64_t>& targets, int codec_threads, DecodeStats& stats,
                   bool& seek_by_pts);

// Splits sorted targets into at most `parts` runs that start at keyframe boundaries, balancing the
// packets each run must decode (from its keyframes to its wanted frames).
std::vector<std::vector<int64_t>> split_by_keyframes(const VideoIndex& idx, const std::vector<int64_t>& targets,
                                                     int parts);

}  // namespace ppb::datasets
