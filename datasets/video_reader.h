// Reading frames from a video file with FFmpeg. Frame k is the k-th frame in presentation order.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace ppb::datasets {

struct VideoInfo {
  int64_t frames_total = 0;     // frames in the video stream
  bool frames_counted = false;  // true when the container gave no count and the packets were counted
  double fps = 0.0;             // average frame rate
  int width = 0;                // coded picture width
  int height = 0;               // coded picture height
  std::string codec;            // decoder name
};

class VideoReader {
 public:
  // Opens `path`; throws with the path when the file cannot be opened or has no video stream.
  explicit VideoReader(const std::string& path, int decode_threads = 1);
  ~VideoReader();
  VideoReader(const VideoReader&) = delete;
  VideoReader& operator=(const VideoReader&) = delete;

  const VideoInfo& info() const { return info_; }
  // RGB frames uint8 [indices.size(), size, size, 3], resized to size x size (bicubic, aspect
  // ratio ignored), in the order of `indices` (repeats allowed). Decodes the stream once from the
  // start. Throws when an index lies past the last decodable frame.
  at::Tensor read_frames(const std::vector<int64_t>& indices, int size);

 private:
  struct State;
  void open();
  std::string path_;
  int threads_;
  VideoInfo info_;
  std::unique_ptr<State> state_;
};

}  // namespace ppb::datasets
