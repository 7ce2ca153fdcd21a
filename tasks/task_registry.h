// The task registry: the built-in task specs, read from the tasks folder by one explicit call.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "datasets/sample.h"
#include "tasks/task_spec.h"

namespace ppb::tasks {

struct Task {
  TaskSpec spec;                // the parsed spec file
  std::string prompt_template;  // the template text the spec names
  std::string template_path;    // where it was read from
  // Reads the task's annotations under `data_root` with the spec's reader.
  std::vector<datasets::Sample> load_samples(const std::string& data_root) const;
};

class TaskRegistry {
 public:
  void add(Task t);
  // Throws for an unknown name, listing the valid ones.
  const Task& get(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Task> tasks_;
};

// The tasks folder: $PPBENCH_TASKS_DIR when set, else the source tree's tasks/ recorded at build time.
std::string default_tasks_dir();
// Reads the built-in specs (tasks_dir/specs/<name>.json) and their templates into `reg`.
void register_builtin_tasks(TaskRegistry& reg, const std::string& tasks_dir);

}  // namespace ppb::tasks
