// Encoding RGB frames into a video file; the container follows the file name (mp4, mkv, avi,
// mov, webm, gif...). MPEG-4 Part 2 (libavcodec's own encoder, in every FFmpeg build), H.264
// (libx264), VP8/VP9 (libvpx, for WebM), animated GIF, or JPEG frames: with codec "mjpeg" and a
// path like DIR/%05d.jpg the writer fills an existing folder with 1-based numbered images.
// One encoder thread and bit-exact flags make the bytes reproducible.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ppb::datasets {

struct VideoWriterOptions {
  int width = 320;        // pixels (even, except for png)
  int height = 240;       // pixels (even, except for png)
  int fps = 24;           // constant frame rate
  int gop = 12;           // frames between key frames
  int max_b_frames = 2;   // B-frames make decode order differ from presentation order
  int64_t bit_rate = 1'000'000;  // bits per second
  std::string codec = "mpeg4";   // encoder: "mpeg4" (always present), "libx264", "png" (RGB, any size),
                                 // "libvpx"/"libvpx-vp9" (WebM), "gif" (216-colour palette), "mjpeg"
  bool variable_rate = false;    // frame durations alternate 1, 2, 3 ticks of 1/fps: a variable frame rate
  int rotation = 0;              // clockwise display rotation stored as metadata (0, 90, 180, 270)
};

class VideoWriter {
 public:
  VideoWriter(const std::string& path, const VideoWriterOptions& opts);
  ~VideoWriter();
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;
  // One frame of packed RGB24, width*height*3 bytes.
  void write_rgb(const uint8_t* rgb);
  // Flushes the encoder and writes the trailer; called by the destructor if not before.
  void finish();

 private:
  struct State;
  std::unique_ptr<State> s_;
  std::string path_;
  bool finished_ = false;
};

}  // namespace ppb::datasets
