#include "harness/run_context.h"

#include <unistd.h>

#include <fstream>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/csrc/api/include/torch/version.h>

#include "datasets/ffmpeg_info.h"
#include "common/sha256.h"
#include "ppb_build_info.h"

namespace ppb::harness {

std::string task_fingerprint(const tasks::Task& t) {
  return sha256_hex(t.spec.canonical.dump() + "\n" + t.prompt_template);
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
  ctx["judge_models"] = nlohmann::json::array();  // no task of this run calls a judge
  nlohmann::json task_info = nlohmann::json::object();
  for (const auto* t : run_tasks)
    task_info[t->spec.name] = {{"version", t->spec.version},
                               {"protocol", t->spec.protocol},
                               {"fingerprint", task_fingerprint(*t)},
                               {"prompt_template", t->spec.prompt_template},
                               {"prompt_template_sha256", sha256_hex(t->prompt_template)}};
  ctx["tasks"] = task_info;
  std::ofstream(cfg.out + "/context.json") << ctx.dump(2) << "\n";
}

}  // namespace ppb::harness
