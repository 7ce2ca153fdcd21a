// Reader for MVBench's upstream annotation layout: json/<task>.json holds an array of
// {video, question, candidates, answer[, start, end]} with `answer` the correct candidate's text.
// Each task reads its videos from its own folder; bounded tasks clip to [start, end] seconds and
// one task (episodic_reasoning) reads folders of 1-based %05d.jpg frames at 3 fps.
#pragma once
#include <string>
#include <vector>

#include "datasets/sample.h"

namespace ppb::datasets {

// One row of MVBench's task table (the catalog holds it as data).
struct MvbenchTask {
  std::string name;        // json file stem, also the samples' subtask, e.g. "action_sequence"
  std::string folder;      // the task's video folder, relative to the video root ("" = the root)
  bool bounded = false;    // items carry start/end seconds that bound the clip (required then, ignored otherwise)
  double frames_fps = 0;   // > 0: `video` names a folder of frames at this rate rather than a file
};

// Reads <json_dir>/<task.name>.json; the ids are "<task>/<NNNN>" (item index). Errors name the
// file, the item index and the key.
std::vector<Sample> read_mvbench_json(const std::string& json_dir, const std::string& video_root,
                                      const MvbenchTask& task);

}  // namespace ppb::datasets
