// Reading frames from a video file, or a folder of numbered images, with FFmpeg. Frame k is the
// k-th frame in presentation order, pixel-identical whichever way it is reached: one sequential
// pass, or seeks to the keyframe before each wanted frame. A per-request cost estimate picks
// between the two, and frames no wanted frame depends on are skipped by the decoder.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "datasets/frame_preprocess.h"

namespace ppb::datasets {

enum class DecodeStrategy {
  automatic,   // per wanted frame: seek when decoding on from here costs more than seeking
  sequential,  // one pass from the first frame
  seek,        // seek to every wanted frame's keyframe that lies ahead
};
DecodeStrategy decode_strategy_by_name(const std::string& name);

struct DecodeOptions {
  int threads = 1;                            // decoder threads (frame + slice threading)
  DecodeStrategy strategy = DecodeStrategy::automatic;  // see DecodeStrategy
  bool skip_nonref = true;                    // let the decoder drop unwanted non-reference frames
  int64_t max_pixels = 40'000'000;            // larger pictures are refused before any allocation
  double folder_fps = 3.0;                    // frame rate of an image folder (MVBench's TVQA frames: 3)
};

struct VideoInfo {
  int64_t frames_total = 0;   // frames in presentation order (for folders: image files)
  double fps = 0.0;           // average frame rate (frames / duration when the stream gives none)
  double duration = 0.0;      // seconds
  int width = 0;              // displayed width (after rotation)
  int height = 0;             // displayed height
  int rotation = 0;           // clockwise degrees applied to show the stream upright
  std::string codec;          // decoder name
  std::string container;      // demuxer name, or "folder"
  bool frame_folder = false;  // a folder of numbered images
  int64_t first_index = 0;    // index of the first frame: 0, or 1 for image folders (1-based file numbers)
};

// How the last read_frames() call went.
struct DecodeStats {
  std::string strategy;        // "sequential", "seek" or "mixed"
  int64_t seeks = 0;           // seeks performed
  int64_t packets_sent = 0;    // packets given to the decoder
  int64_t frames_decoded = 0;  // pictures the decoder returned
};

class VideoReader {
 public:
  // Opens `path` (a file, or a folder of images) and indexes it; throws naming the path and the cause.
  explicit VideoReader(const std::string& path, DecodeOptions opts = {});
  ~VideoReader();
  VideoReader(const VideoReader&) = delete;
  VideoReader& operator=(const VideoReader&) = delete;

  const VideoInfo& info() const { return info_; }
  const DecodeStats& stats() const { return stats_; }
  // Frames uint8 [indices.size(), H, W, 3] in the order of `indices` (repeats allowed), H x W
  // from `geometry`. Indices run from info().first_index. Throws for an index past the end.
  at::Tensor read_frames(const std::vector<int64_t>& indices, const FrameGeometry& geometry);
  // Squashed S x S frames (the PPLLaVA preprocessing).
  at::Tensor read_frames(const std::vector<int64_t>& indices, int size);

 private:
  struct State;
  void open();
  at::Tensor read_folder(const std::vector<int64_t>& indices, const FrameGeometry& geometry);
  std::string path_;
  DecodeOptions opts_;
  VideoInfo info_;
  DecodeStats stats_;
  std::unique_ptr<State> state_;
};

}  // namespace ppb::datasets
