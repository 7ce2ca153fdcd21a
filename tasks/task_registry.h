// The task registry: the built-in task specs, read from the tasks folder by one explicit call,
// with the templates their protocols name.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "common/named_registry.h"
#include "datasets/sample.h"
#include "tasks/task_spec.h"

namespace ppb::tasks {

struct Task {
  TaskSpec spec;                                // the parsed spec file
  std::string tasks_dir;                        // the folder it was read from
  std::map<std::string, std::string> templates;       // template file (relative to tasks_dir) -> text
  std::map<std::string, std::string> template_paths;  // template file -> where it was read from
  // Reads the task's dataset under `data_root` through the dataset catalog (load_dataset).
  std::vector<datasets::Sample> load_samples(const std::string& data_root) const;
  // The text of a template file the task's protocols name.
  const std::string& template_text(const std::string& file) const;
  // sha256 over the task's header, the protocol's object and the texts of the templates it uses:
  // two results are comparable only when their fingerprints match.
  std::string fingerprint(const std::string& protocol) const;
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
// The built-in task names, in listing order.
const std::vector<std::string>& builtin_task_names();
// Reads the built-in specs (tasks_dir/specs/<name>.json) and their templates into `reg`. A
// template present under `prompts_dir` (same relative path; e.g. the verbatim upstream text) is
// read from there instead; the fingerprints show which text was used.
void register_builtin_tasks(TaskRegistry& reg, const std::string& tasks_dir, const std::string& prompts_dir = "");
// Reads one spec file and its templates (relative to `tasks_dir`, or `prompts_dir` first).
Task load_task(const std::string& spec_path, const std::string& tasks_dir, const std::string& prompts_dir = "");

}  // namespace ppb::tasks
