// A small synthetic video benchmark: real encoded videos of coloured shapes moving over a plain
// background, with multiple-choice questions whose answers follow from the pixels (colour,
// count, direction), written in MVBench's upstream layout:
//   DIR/videos/synth_NNN.mp4
//   DIR/json/{color,count,direction}.json   (arrays of {video, question, candidates, answer})
// The same options and seed give the same bytes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ppb::datasets {

struct SyntheticOptions {
  uint64_t seed = 0;       // every random choice (colours, counts, directions, option order) follows it
  int videos = 6;          // number of videos; each gets one question per sub-task
  int frames = 72;         // frames per video (3 s at 24 fps)
  int fps = 24;            // frame rate
  int width = 320;         // pixels
  int height = 240;        // pixels
};

// What one synthetic video shows; also what the questions ask about.
struct SyntheticVideoTruth {
  std::string file;        // file name under videos/
  std::string color;       // colour name of every shape
  int count = 0;           // number of shapes
  std::string direction;   // left, right, up or down
};

// The RGB value of a colour name used by the generator.
std::vector<uint8_t> synthetic_color_rgb(const std::string& name);
// The background RGB value.
std::vector<uint8_t> synthetic_background_rgb();

// Writes the benchmark and returns the truth per video.
std::vector<SyntheticVideoTruth> write_synthetic_benchmark(const std::string& dir, const SyntheticOptions& opts);

// The sub-task names, i.e. the json file stems.
const std::vector<std::string>& synthetic_subtasks();

}  // namespace ppb::datasets
