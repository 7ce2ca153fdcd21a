// One benchmark item as the readers produce it, before any protocol is applied.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "datasets/frame_sampling.h"

namespace ppb::datasets {

struct Sample {
  std::string id;                        // unique within its task, e.g. "color/0003"
  std::string subtask;                   // the upstream sub-task (MVBench json file name), may be empty
  std::string video;                     // path of the video file
  std::string question;                  // question text as the annotation gives it
  std::vector<std::string> candidates;   // answer options, in annotation order
  std::string answer;                    // the correct candidate's text
  std::optional<TimeBounds> bounds;      // [start, end] seconds for bounded items
};

}  // namespace ppb::datasets
