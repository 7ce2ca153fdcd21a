#include "tasks/task_registry.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "common/sha256.h"
#include "datasets/dataset_catalog.h"
#include "ppb_build_info.h"
#include "tasks/judge_template.h"
#include "tasks/prompt_template.h"

namespace fs = std::filesystem;

namespace ppb::tasks {

std::vector<datasets::Sample> Task::load_samples(const std::string& data_root) const {
  return datasets::load_dataset(spec.dataset, data_root);
}

const std::string& Task::template_text(const std::string& file) const {
  const auto it = templates.find(file);
  if (it == templates.end()) throw std::logic_error("task " + spec.name + ": template " + file + " was not loaded");
  return it->second;
}

std::string Task::fingerprint(const std::string& protocol) const {
  const Protocol& p = spec.protocol(protocol);
  nlohmann::json header = spec.canonical;
  header.erase("protocols");  // the other protocols do not change this one's results
  std::string text = header.dump() + "\n" + p.canonical.dump() + "\n" + template_text(p.prompt_template);
  for (const auto& [dimension, file] : p.judge_templates) text += "\n" + dimension + "\n" + template_text(file);
  return sha256_hex(text);
}

std::string default_tasks_dir() {
  if (const char* env = std::getenv("PPBENCH_TASKS_DIR"); env && *env) return env;
  return std::string(PPB_SOURCE_DIR) + "/tasks";
}

const std::vector<std::string>& builtin_task_names() {
  static const std::vector<std::string> names = {
      "synth_mcq",       "mvbench",          "videomme",       "videomme_subs",  "egoschema_subset",
      "longvideobench_val", "mlvu_dev",      "msvd_qa",        "msrvtt_qa",      "tgif_qa",
      "activitynet_qa",  "vcg_generic",      "vcg_temporal",   "vcg_consistency", "msvd_caption",
      "msrvtt_caption",  "dream1k"};
  return names;
}

namespace {

// A template's placeholders are checked when it is loaded (a dry render), so a typo in a user's
// --prompts-dir file stops the run at once instead of failing every sample.
void check_template(const std::string& text, const std::string& path, bool prompt) {
  if (prompt) {
    PromptFields f;
    f.question = "q";
    f.candidates = {"a", "b"};
    render_prompt(text, path, f);
    return;
  }
  static const std::map<std::string, std::string> kJudgeFields = {
      {"question", ""},     {"answer", ""},       {"prediction", ""}, {"question_1", ""}, {"question_2", ""},
      {"prediction_1", ""}, {"prediction_2", ""}, {"options", ""},    {"description", ""}, {"events", ""}};
  render_judge_template(text, path, kJudgeFields);
}

}  // namespace

Task load_task(const std::string& spec_path, const std::string& tasks_dir, const std::string& prompts_dir) {
  Task t;
  t.spec = read_task_spec(spec_path);
  t.tasks_dir = tasks_dir;
  for (const auto& [name, p] : t.spec.protocols) {
    std::vector<std::string> files{p.prompt_template};
    for (const auto& [dimension, file] : p.judge_templates) files.push_back(file);
    for (const auto& file : files) {
      if (t.templates.count(file)) continue;
      // A user's folder of verbatim upstream texts takes precedence over the built-in ones.
      const fs::path own = prompts_dir.empty() ? fs::path() : fs::path(prompts_dir) / file;
      const fs::path path = !own.empty() && fs::exists(own) ? own : fs::path(tasks_dir) / file;
      t.templates[file] = read_prompt_template(path.string());
      t.template_paths[file] = path.string();
      check_template(t.templates[file], path.string(), file == p.prompt_template);
    }
  }
  return t;
}

void register_builtin_tasks(TaskRegistry& reg, const std::string& tasks_dir, const std::string& prompts_dir) {
  for (const auto& name : builtin_task_names()) {
    Task t = load_task((fs::path(tasks_dir) / "specs" / (name + ".json")).string(), tasks_dir, prompts_dir);
    if (t.spec.name != name)
      throw std::runtime_error(t.spec.source_file + ": name '" + t.spec.name + "' differs from the file name");
    reg.add(std::move(t));
  }
}

}  // namespace ppb::tasks
