// A task is data: one JSON spec file per task under tasks/specs/. This is its parsed form.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppb::tasks {

struct TaskSpec {
  std::string name;                  // registry key, e.g. "synth_mcq"
  int version = 1;                   // bumped when the task's data or scoring changes
  std::string family;                // "multiple_choice"
  std::string description;           // one line for `ppbench list tasks`
  std::string dataset;               // dataset catalog key (datasets/catalog.json): reader and file layout
  std::string protocol;              // protocol name recorded with every sample
  std::string prompt_template;       // template file, relative to the tasks folder
  std::string answer_prefix;         // text the assistant turn starts with
  std::string frame_policy;          // "segment_midpoint"
  int frames = 32;                   // default frame count (the run's --frames overrides)
  std::string extractor;             // answer extractor name
  std::string metric;                // "accuracy"
  int max_new_tokens = 200;          // generation limit
  std::string source_file;           // where the spec was read from
  nlohmann::json canonical;          // the spec as read, for fingerprints
};

// Parses and validates a spec file: an unknown key, a missing key or a wrong type is an error
// naming the file and the key.
TaskSpec read_task_spec(const std::string& path);

}  // namespace ppb::tasks
