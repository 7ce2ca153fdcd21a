#include "datasets/synthetic_scene.h"

#include <algorithm>
#include <stdexcept>

#include "datasets/synthetic_benchmark.h"

namespace ppb::datasets {
namespace {

void draw(std::vector<uint8_t>& img, int W, int H, bool square, double cx, double cy, int r,
          const std::vector<uint8_t>& rgb) {
  const int x_lo = std::max(0, static_cast<int>(cx) - r), x_hi = std::min(W - 1, static_cast<int>(cx) + r);
  const int y_lo = std::max(0, static_cast<int>(cy) - r), y_hi = std::min(H - 1, static_cast<int>(cy) + r);
  for (int y = y_lo; y <= y_hi; ++y)
    for (int x = x_lo; x <= x_hi; ++x) {
      const double dx = x - cx, dy = y - cy;
      if (!square && dx * dx + dy * dy > static_cast<double>(r) * r) continue;
      uint8_t* p = &img[(static_cast<size_t>(y) * W + x) * 3];
      p[0] = rgb[0]; p[1] = rgb[1]; p[2] = rgb[2];
    }
}

}  // namespace

void render_scene_frame(const ShapeScene& s, int f, std::vector<uint8_t>& img) {
  const int W = s.width, H = s.height, r = std::min(W, H) / 12;
  if (s.color.size() != 3) throw std::runtime_error("synthetic scene: the colour needs three channels");
  img.resize(static_cast<size_t>(W) * H * 3);
  const auto bg = synthetic_background_rgb();
  for (size_t p = 0; p < img.size(); p += 3) {
    img[p] = bg[0]; img[p + 1] = bg[1]; img[p + 2] = bg[2];
  }
  const bool horizontal = s.direction == "left" || s.direction == "right";
  const int sign = (s.direction == "right" || s.direction == "down") ? 1 : -1;
  // Shapes sit in lanes across the motion; all travel the same path so none leaves the frame.
  const double travel = (horizontal ? W : H) - 4.0 * r;
  const double d = sign * travel * f / std::max(1, s.frames - 1);
  const int count = static_cast<int>(s.squares.size());
  for (int i = 0; i < count; ++i) {
    const double lane = (i + 1.0) / (count + 1.0);
    const double start = sign > 0 ? 2.0 * r : (horizontal ? W : H) - 2.0 * r;
    const double x0 = horizontal ? start : lane * W, y0 = horizontal ? lane * H : start;
    draw(img, W, H, s.squares[i], x0 + (horizontal ? d : 0.0), y0 + (horizontal ? 0.0 : d), r, s.color);
  }
}

void write_scene_video(const std::string& path, const ShapeScene& scene, VideoWriterOptions opts) {
  opts.width = scene.width;
  opts.height = scene.height;
  VideoWriter writer(path, opts);
  std::vector<uint8_t> img;
  for (int f = 0; f < scene.frames; ++f) {
    render_scene_frame(scene, f, img);
    writer.write_rgb(img.data());
  }
  writer.finish();
}

}  // namespace ppb::datasets
