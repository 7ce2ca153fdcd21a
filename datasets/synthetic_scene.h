// The pictures of ppbench's synthetic videos: shapes of one colour moving in one direction over
// a grey background, and the fully specified random generator that chooses them. Shared by the
// synthetic benchmark (MVBench layout) and the synthetic instances of the other layouts.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/video_writer.h"

namespace ppb::datasets {

// splitmix64: a fully specified generator, so the data do not depend on a library's distributions.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<uint64_t>(n)); }
  template <typename T>
  void shuffle(std::vector<T>& v) {  // Fisher-Yates
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(static_cast<int>(i))]);
  }

 private:
  uint64_t state_;
};

struct ShapeScene {
  int width = 320;             // pixels
  int height = 240;            // pixels
  int frames = 72;             // the shapes cross from one side to the other over this many frames
  std::vector<uint8_t> color;  // RGB of every shape
  std::string direction;       // left, right, up or down
  std::vector<bool> squares;   // one entry per shape: a square (true) or a disc
};

// Frame `f` of the scene as packed RGB24 (width * height * 3 bytes), written into `rgb`.
void render_scene_frame(const ShapeScene& scene, int f, std::vector<uint8_t>& rgb);

// Encodes every frame of the scene to `path` (or a %05d.jpg pattern) with `opts`; the picture
// size comes from the scene.
void write_scene_video(const std::string& path, const ShapeScene& scene, VideoWriterOptions opts);

}  // namespace ppb::datasets
