#include "harness/run_config.h"

#include "common/json_file.h"

#include <set>
#include <stdexcept>

namespace ppb::harness {

nlohmann::json to_json(const RunConfig& c) {
  return {{"tasks", c.tasks},
          {"methods", c.methods},
          {"budget", c.budget},
          {"frames", c.frames},
          {"model", c.model},
          {"data_root", c.data_root},
          {"out", c.out},
          {"limit", c.limit},
          {"device", c.device},
          {"dtype", c.dtype},
          {"clip_tokenizer", c.clip_tokenizer},
          {"threads", c.threads},
          {"decode_threads", c.decode_threads},
          {"prefetch", c.prefetch},
          {"frame_cache", c.frame_cache},
          {"frame_cache_max_gb", c.frame_cache_max_gb},
          {"preprocess", c.preprocess},
          {"max_new_tokens", c.max_new_tokens},
          {"seed", c.seed},
          {"tasks_dir", c.tasks_dir},
          {"protocol", c.protocol},
          {"prompts_dir", c.prompts_dir},
          {"judge_url", c.judge_url},
          {"judge_model", c.judge_model},
          {"judge_cache", c.judge_cache},
          {"judge_api_key_env", c.judge_api_key_env}};
}

void apply_json(RunConfig& c, const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw std::runtime_error(where + ": a configuration must be a JSON object");
  static const std::set<std::string> known = {"tasks", "methods", "budget", "frames", "model", "data_root", "out",
                                              "limit", "device", "dtype", "clip_tokenizer", "threads", "decode_threads", "prefetch", "frame_cache",
                                              "frame_cache_max_gb", "preprocess", "max_new_tokens",
                                              "seed", "tasks_dir", "protocol", "prompts_dir", "judge_url",
                                              "judge_model", "judge_cache", "judge_api_key_env"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!known.count(it.key())) throw std::runtime_error(where + ": unknown key '" + it.key() + "'");
    try {
      const auto& v = it.value();
      const std::string& k = it.key();
      if (k == "tasks") c.tasks = v.get<std::vector<std::string>>();
      else if (k == "methods") c.methods = v.get<std::vector<std::string>>();
      else if (k == "budget") c.budget = v.get<int64_t>();
      else if (k == "frames") c.frames = v.get<int>();
      else if (k == "model") c.model = v.get<std::string>();
      else if (k == "data_root") c.data_root = v.get<std::string>();
      else if (k == "out") c.out = v.get<std::string>();
      else if (k == "limit") c.limit = v.get<int64_t>();
      else if (k == "device") c.device = v.get<std::string>();
      else if (k == "dtype") c.dtype = v.get<std::string>();
      else if (k == "clip_tokenizer") c.clip_tokenizer = v.get<std::string>();
      else if (k == "threads") c.threads = v.get<int>();
      else if (k == "decode_threads") c.decode_threads = v.get<int>();
      else if (k == "prefetch") c.prefetch = v.get<int>();
      else if (k == "frame_cache") c.frame_cache = v.get<std::string>();
      else if (k == "frame_cache_max_gb") c.frame_cache_max_gb = v.get<double>();
      else if (k == "preprocess") c.preprocess = v.get<std::string>();
      else if (k == "max_new_tokens") c.max_new_tokens = v.get<int>();
      else if (k == "seed") c.seed = v.get<uint64_t>();
      else if (k == "tasks_dir") c.tasks_dir = v.get<std::string>();
      else if (k == "protocol") c.protocol = v.get<std::string>();
      else if (k == "prompts_dir") c.prompts_dir = v.get<std::string>();
      else if (k == "judge_url") c.judge_url = v.get<std::string>();
      else if (k == "judge_model") c.judge_model = v.get<std::string>();
      else if (k == "judge_cache") c.judge_cache = v.get<std::string>();
      else if (k == "judge_api_key_env") c.judge_api_key_env = v.get<std::string>();
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(where + ": key '" + it.key() + "' has the wrong type");
    }
  }
}

nlohmann::json plan_fields(const RunConfig& c) {
  // Budget, frames, method and task are part of each record's key; these are not.
  return {{"model", c.model},
          {"data_root", c.data_root},
          {"seed", c.seed},
          {"max_new_tokens", c.max_new_tokens},
          {"preprocess", c.preprocess},
          {"dtype", c.dtype},
          {"protocol", c.protocol},
          {"prompts_dir", c.prompts_dir}};
}

RunConfig read_run_config(const std::string& run_dir) {
  const std::string path = run_dir + "/config.json";
  RunConfig c;
  apply_json(c, read_json_file(path, "run configuration"), path);
  return c;
}

}  // namespace ppb::harness
