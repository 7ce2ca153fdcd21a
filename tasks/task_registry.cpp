#include "tasks/task_registry.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "datasets/dataset_catalog.h"
#include "ppb_build_info.h"
#include "tasks/prompt_template.h"

namespace fs = std::filesystem;

namespace ppb::tasks {

std::vector<datasets::Sample> Task::load_samples(const std::string& data_root) const {
  return datasets::load_dataset(spec.dataset, data_root);
}

std::string default_tasks_dir() {
  if (const char* env = std::getenv("PPBENCH_TASKS_DIR"); env && *env) return env;
  return std::string(PPB_SOURCE_DIR) + "/tasks";
}

void register_builtin_tasks(TaskRegistry& reg, const std::string& tasks_dir) {
  static const char* const kBuiltin[] = {"synth_mcq"};
  for (const char* name : kBuiltin) {
    Task t;
    t.spec = read_task_spec((fs::path(tasks_dir) / "specs" / (std::string(name) + ".json")).string());
    if (t.spec.name != name)
      throw std::runtime_error(t.spec.source_file + ": name '" + t.spec.name + "' differs from the file name");
    t.template_path = (fs::path(tasks_dir) / t.spec.prompt_template).string();
    t.prompt_template = read_prompt_template(t.template_path);
    reg.add(std::move(t));
  }
}

}  // namespace ppb::tasks
