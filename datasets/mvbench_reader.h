// Reader for MVBench's upstream annotation layout: json/<task>.json holds an array of
// {video, question, candidates, answer[, start, end]} with `answer` the correct candidate's text.
#pragma once
#include <string>
#include <vector>

#include "datasets/sample.h"

namespace ppb::datasets {

// Reads one task file; `video_root` is the folder the `video` fields are relative to. Errors
// name the file and the item index.
std::vector<Sample> read_mvbench_json(const std::string& json_path, const std::string& video_root,
                                      const std::string& subtask);

}  // namespace ppb::datasets
