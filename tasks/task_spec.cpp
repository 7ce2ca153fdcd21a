#include "tasks/task_spec.h"

#include "common/json_file.h"
#include "datasets/frame_sampling.h"

#include <fstream>
#include <set>
#include <stdexcept>

namespace ppb::tasks {

TaskSpec read_task_spec(const std::string& path) {
  const nlohmann::json j = read_json_file(path, "task spec");
  if (!j.is_object()) throw std::runtime_error("task spec " + path + " is not a JSON object");
  static const std::set<std::string> known = {
      "name", "version", "family", "description", "dataset", "protocol",
      "prompt_template", "answer_prefix", "frame_policy", "frames", "extractor", "metric", "max_new_tokens"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known.count(it.key())) throw std::runtime_error("task spec " + path + ": unknown key '" + it.key() + "'");
  TaskSpec s;
  auto get = [&](const char* key, auto& out) {
    if (!j.contains(key)) throw std::runtime_error("task spec " + path + ": missing key '" + key + "'");
    try {
      out = j[key].get<std::decay_t<decltype(out)>>();
    } catch (const std::exception& e) {
      throw std::runtime_error("task spec " + path + ": key '" + key + "' has the wrong type");
    }
  };
  get("name", s.name);
  get("version", s.version);
  get("family", s.family);
  get("description", s.description);
  get("dataset", s.dataset);
  get("protocol", s.protocol);
  get("prompt_template", s.prompt_template);
  get("answer_prefix", s.answer_prefix);
  get("frame_policy", s.frame_policy);
  get("frames", s.frames);
  get("extractor", s.extractor);
  get("metric", s.metric);
  get("max_new_tokens", s.max_new_tokens);
  if (s.dataset.empty()) throw std::runtime_error("task spec " + path + ": key 'dataset' is empty");
  try {
    datasets::builtin_sampling_policies().get(s.frame_policy);
  } catch (const std::exception& e) {
    throw std::runtime_error("task spec " + path + ": frame_policy: " + e.what());
  }
  if (s.metric != "accuracy")
    throw std::runtime_error("task spec " + path + ": metric '" + s.metric + "' is unknown (known: accuracy)");
  if (s.frames < 1 || s.max_new_tokens < 1)
    throw std::runtime_error("task spec " + path + ": frames and max_new_tokens must be positive");
  s.source_file = path;
  s.canonical = j;
  return s;
}

}  // namespace ppb::tasks
