// Reader for VCG-Bench (Video-ChatGPT's generative benchmark): generic_qa.json and
// temporal_qa.json hold [{video_name, Q, A}], consistency_qa.json [{video_name, Q1, Q2, A}].
#pragma once
#include <string>
#include <vector>

#include "datasets/sample.h"

namespace ppb::datasets {

struct VcgLayout {
  std::string annotations;              // path of the dimension's json file
  std::string video_dir;                // folder holding the videos (Test_Videos)
  std::vector<std::string> extensions;  // tried in order; the first when none exists
  std::string dimension;                // "generic", "temporal" or "consistency": each file is bound to one
};

// Open-ended samples in file order. The id is "<video_name>_<k>" with k the 0-based occurrence of
// that video in the file (the upstream eval script's key), subtask = dimension, and for
// consistency question = Q1, question_2 = Q2.
std::vector<Sample> read_vcg_qa(const VcgLayout& layout);

}  // namespace ppb::datasets
