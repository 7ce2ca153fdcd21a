#include "datasets/frame_converter.h"

#include <cstring>
#include <stdexcept>

namespace ppb::datasets {
namespace {

// Rotates a packed RGB image of w x h clockwise by `rot` degrees into dst.
void rotate_rgb(const uint8_t* src, int w, int h, int rot, uint8_t* dst) {
  const int dw = (rot == 180) ? w : h;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      int dx, dy;
      if (rot == 90) {
        dx = h - 1 - y;
        dy = x;
      } else if (rot == 270) {
        dx = y;
        dy = w - 1 - x;
      } else {  // 180
        dx = w - 1 - x;
        dy = h - 1 - y;
      }
      std::memcpy(dst + (static_cast<size_t>(dy) * dw + dx) * 3, src + (static_cast<size_t>(y) * w + x) * 3, 3);
    }
}

}  // namespace

FrameConverter::FrameConverter(const FrameGeometry& geometry, int rotation) : geometry_(geometry), rotation_(rotation) {
  if (rotation != 0 && rotation != 90 && rotation != 180 && rotation != 270)
    throw std::runtime_error("unsupported display rotation " + std::to_string(rotation));
}

std::pair<int, int> FrameConverter::output_size(int width, int height) const {
  const bool turned = rotation_ == 90 || rotation_ == 270;
  const Placement p = place_frame(geometry_, turned ? height : width, turned ? width : height);
  return {p.out_w, p.out_h};
}

void FrameConverter::convert(const AVFrame* f, uint8_t* dst) {
  const bool turned = rotation_ == 90 || rotation_ == 270;
  const int disp_w = turned ? f->height : f->width, disp_h = turned ? f->width : f->height;
  const Placement p = place_frame(geometry_, disp_w, disp_h);
  // Scale in the stored orientation, then turn: the scaled size before turning swaps with the rotation.
  const int sw = turned ? p.scaled_h : p.scaled_w, sh = turned ? p.scaled_w : p.scaled_h;
  // Same-size conversion uses bilinear flags like PyAV's default; resizing is bicubic like PIL's.
  const int flags = geometry_.mode == ResizeMode::native ? SWS_BILINEAR : SWS_BICUBIC;
  sws_ = sws_getCachedContext(sws_, f->width, f->height, static_cast<AVPixelFormat>(f->format), sw, sh,
                              AV_PIX_FMT_RGB24, flags, nullptr, nullptr, nullptr);
  if (sws_owner_.get() != sws_) {
    (void)sws_owner_.release();  // sws_getCachedContext already freed the old context
    sws_owner_.reset(sws_);
  }
  if (!sws_) throw std::runtime_error("cannot convert pixel format " + std::to_string(f->format) + " to RGB");

  const bool direct = rotation_ == 0 && p.crop_x == 0 && p.crop_y == 0 && p.pad_x == 0 && p.pad_y == 0 &&
                      p.out_w == p.scaled_w && p.out_h == p.scaled_h;
  uint8_t* target = dst;
  if (!direct) {
    scaled_.resize(static_cast<size_t>(sw) * sh * 3);
    target = scaled_.data();
  }
  uint8_t* planes[4] = {target, nullptr, nullptr, nullptr};
  int strides[4] = {sw * 3, 0, 0, 0};
  sws_scale(sws_, f->data, f->linesize, 0, f->height, planes, strides);
  if (direct) return;

  const uint8_t* upright = scaled_.data();
  if (rotation_ != 0) {
    rotated_.resize(scaled_.size());
    rotate_rgb(scaled_.data(), sw, sh, rotation_, rotated_.data());
    upright = rotated_.data();
  }
  if (p.pad_x || p.pad_y || p.copy_w != p.out_w || p.copy_h != p.out_h)
    for (int i = 0; i < p.out_w * p.out_h; ++i) std::memcpy(dst + 3 * i, geometry_.pad_rgb.data(), 3);
  for (int y = 0; y < p.copy_h; ++y)
    std::memcpy(dst + (static_cast<size_t>(y + p.pad_y) * p.out_w + p.pad_x) * 3,
                upright + (static_cast<size_t>(y + p.crop_y) * p.scaled_w + p.crop_x) * 3,
                static_cast<size_t>(p.copy_w) * 3);
}

}  // namespace ppb::datasets
