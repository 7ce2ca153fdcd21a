#include "harness/run_context.h"

#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/csrc/api/include/torch/version.h>

#include "datasets/ffmpeg_info.h"
#include "common/sha256.h"
#include "ppb_build_info.h"

namespace ppb::harness {

void register_run_tasks(tasks::TaskRegistry& registry, const RunConfig& cfg) {
  tasks::register_builtin_tasks(registry, cfg.tasks_dir.empty() ? tasks::default_tasks_dir() : cfg.tasks_dir,
                                cfg.prompts_dir);
}

const tasks::Protocol& run_protocol(const tasks::Task& t, const RunConfig& cfg) {
  return t.spec.protocol(cfg.protocol.empty() ? t.spec.default_protocol : cfg.protocol);
}

nlohmann::json build_context() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return {{"ppbench_version", PPB_VERSION},
          {"git_sha", PPB_GIT_SHA},
          {"build_type", PPB_BUILD_TYPE},
          {"compiler", std::string("g++ ") + __VERSION__},
          {"libtorch", std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
                           std::to_string(TORCH_VERSION_PATCH)},
          {"ffmpeg", datasets::ffmpeg_versions()},
          {"host", host},
          {"cores", std::thread::hardware_concurrency()}};
}

void write_run_context(const RunConfig& cfg, const std::vector<std::string>& argv, const nlohmann::json& model,
                       const nlohmann::json& budget_plans, const std::vector<const tasks::Task*>& run_tasks) {
  nlohmann::json ctx = build_context();
  ctx["device"] = cfg.device;
  ctx["threads"] = at::get_num_threads();
  ctx["argv"] = argv;
  ctx["config"] = to_json(cfg);
  ctx["model_fingerprint"] = model.at("fingerprint");
  ctx["model"] = model;
  ctx["budget_plans"] = budget_plans;
  nlohmann::json task_info = nlohmann::json::object();
  for (const auto* t : run_tasks) {
    const tasks::Protocol& p = run_protocol(*t, cfg);
    nlohmann::json info{{"version", t->spec.version},
                        {"family", t->spec.family},
                        {"protocol", p.name},
                        {"protocol_spec", p.canonical},
                        {"fingerprint", t->fingerprint(p.name)},
                        {"prompt_template", p.prompt_template},
                        {"prompt_template_sha256", sha256_hex(t->template_text(p.prompt_template))}};
    info["prompt_template_path"] = t->template_paths.at(p.prompt_template);
    if (!p.judge_templates.empty()) {
      nlohmann::json judges = nlohmann::json::object();
      for (const auto& [dimension, file] : p.judge_templates)
        judges[dimension] = {{"file", file}, {"sha256", sha256_hex(t->template_text(file))}};
      info["judge_templates"] = judges;
      info["judge_model"] = p.judge_model;
      info["judge_parse"] = p.judge_parse;
    }
    task_info[t->spec.name] = info;
  }
  ctx["tasks"] = task_info;
  // The judges this run binds for extractors that ask one (E8); `ppbench judge` records the
  // models it uses in the records and the report.
  std::set<std::string> judge_models;
  if (!cfg.judge_url.empty())
    for (const auto* t : run_tasks) {
      const tasks::Protocol& p = run_protocol(*t, cfg);
      if (p.judge_templates.count("choice_extraction"))
        judge_models.insert(cfg.judge_model.empty() ? p.judge_model : cfg.judge_model);
    }
  ctx["judge_models"] = std::vector<std::string>(judge_models.begin(), judge_models.end());
  std::ofstream(cfg.out + "/context.json") << ctx.dump(2) << "\n";
}

}  // namespace ppb::harness
