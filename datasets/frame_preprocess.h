// Pixel preprocessing: RGB uint8 frames to the normalised float input of a vision tower.
#pragma once
#include <array>
#include <string>

#include <ATen/ATen.h>

namespace ppb::datasets {

// Per-channel normalisation constants.
struct Normalization {
  std::string name;             // recorded in sample records
  std::array<double, 3> mean;   // RGB mean of [0, 1] pixels
  std::array<double, 3> std;    // RGB standard deviation
};

// OpenAI CLIP's constants.
const Normalization& clip_normalization();

// rgb uint8 [T, S, S, 3] -> float [T, 3, S, S]: x / 255, then (x - mean) / std per channel.
at::Tensor normalize_frames(const at::Tensor& rgb, const Normalization& norm);

}  // namespace ppb::datasets
