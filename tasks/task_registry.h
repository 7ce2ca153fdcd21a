// The task registry: the built-in task specs, read from the tasks folder by one explicit call.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "common/named_registry.h"
#include "datasets/sample.h"
#include "tasks/task_spec.h"

namespace ppb::tasks {

struct Task {
  TaskSpec spec;                // the parsed spec file
  std::string prompt_template;  // the template text the spec names
  std::string template_path;    // where it was read from
  // Reads the task's dataset under `data_root` through the dataset catalog (load_dataset).
  std::vector<datasets::Sample> load_samples(const std::string& data_root) const;
};

struct TaskRegistry : NamedRegistry<Task> {
  TaskRegistry() : NamedRegistry("task") {}
  void add(Task t) {
    const std::string name = t.spec.name;  // read before the move: argument order is unspecified
    NamedRegistry::add(name, std::move(t));
  }
};

// The tasks folder: $PPBENCH_TASKS_DIR when set, else the source tree's tasks/ recorded at build time.
std::string default_tasks_dir();
// Reads the built-in specs (tasks_dir/specs/<name>.json) and their templates into `reg`.
void register_builtin_tasks(TaskRegistry& reg, const std::string& tasks_dir);

}  // namespace ppb::tasks
