// Reader for MLVU dev's multiple-choice tasks: json/<N_task>.json (1_plotQA.json ..
// 7_topic_reasoning.json) each hold [{video, duration, question, candidates, answer (the correct
// candidate's text), question_type}], with the videos in the task's own folder.
#pragma once
#include <string>
#include <vector>

#include "datasets/sample.h"

namespace ppb::datasets {

// One row of MLVU's task table (the catalog holds it as data).
struct MlvuTask {
  std::string name;    // the task, also the samples' subtask (M-Avg is the macro mean over these)
  std::string file;    // annotation file name, e.g. "1_plotQA.json"
  std::string folder;  // the task's video folder, relative to the video root
};

// Reads <json_dir>/<task.file>; ids are "<task>/<NNNN>" (item index), meta {duration,
// question_type} for the keys present.
std::vector<Sample> read_mlvu_task(const std::string& json_dir, const std::string& video_root, const MlvuTask& task);

}  // namespace ppb::datasets
