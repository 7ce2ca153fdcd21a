// Decoded picture -> RGB in the requested geometry: colour conversion and scaling (swscale),
// display rotation, then crop or pad into the output slot. Internal to datasets/.
#pragma once
#include <cstdint>
#include <vector>

#include "datasets/ffmpeg_util.h"
#include "datasets/frame_preprocess.h"

namespace ppb::datasets {

class FrameConverter {
 public:
  // `rotation` is the clockwise turn (0, 90, 180 or 270) that displays the stream upright.
  FrameConverter(const FrameGeometry& geometry, int rotation);
  // Output size for frames of coded size width x height.
  std::pair<int, int> output_size(int width, int height) const;  // (out_w, out_h)
  // Writes `frame` as out_h x out_w x 3 bytes at `dst`.
  void convert(const AVFrame* frame, uint8_t* dst);

 private:
  FrameGeometry geometry_;
  int rotation_ = 0;
  SwsContext* sws_ = nullptr;  // cached across frames; owned by sws_owner_
  SwsPtr sws_owner_;
  std::vector<uint8_t> scaled_, rotated_;
};

}  // namespace ppb::datasets
