#include "harness/choice_judge.h"

#include <mutex>
#include <stdexcept>

#include "metrics/judge_cache.h"
#include "metrics/judge_client.h"
#include "tasks/judge_template.h"
#include "tasks/prompt_template.h"

namespace ppb::harness {

tasks::ChoiceJudge make_choice_judge(const ChoiceJudgeOptions& o) {
  if (o.url.empty()) return {};
  auto cache = std::make_shared<metrics::JudgeCache>(o.cache.empty() ? metrics::default_judge_cache_path() : o.cache);
  metrics::JudgeClientOptions client;
  client.base_url = o.url;
  client.model = o.model;
  client.api_key_env = o.api_key_env;
  client.api_key_file_env = o.api_key_env + "_FILE";
  client.concurrency = 1;
  const nlohmann::json params = metrics::judge_request_params(client);
  auto lock = std::make_shared<std::mutex>();
  return [=](const tasks::ChoiceJudgeQuery& q) -> std::string {
    const auto messages = tasks::render_judge_template(
        o.template_text, o.template_name,
        {{"question", q.question}, {"options", tasks::format_options(q.options)}, {"prediction", q.response}});
    nlohmann::json mj = nlohmann::json::array();
    metrics::JudgeRequest request;
    for (const auto& m : messages) {
      mj.push_back({{"role", m.role}, {"content", m.content}});
      request.messages.push_back({m.role, m.content});
    }
    const std::string key = metrics::judge_cache_key(client.model, mj, params);
    std::lock_guard<std::mutex> guard(*lock);
    if (const auto hit = cache->get(key)) return hit->content;
    request.id = key;
    const metrics::JudgeResponse r = metrics::run_judge_batch(client, {request}).at(0);
    if (r.outcome != metrics::JudgeOutcome::ok)
      throw std::runtime_error("choice judge " + client.model + ": " + r.outcome_name + ": " + r.error);
    cache->put(key, metrics::cached_judgement_of(r, client.model));
    return r.content;
  };
}

tasks::ChoiceJudge choice_judge_for(const RunConfig& cfg, const tasks::Task& task, const tasks::Protocol& protocol) {
  const auto t = protocol.judge_templates.find("choice_extraction");
  if (cfg.judge_url.empty() || t == protocol.judge_templates.end()) return {};
  ChoiceJudgeOptions o;
  o.url = cfg.judge_url;
  o.model = cfg.judge_model.empty() ? protocol.judge_model : cfg.judge_model;
  o.cache = cfg.judge_cache;
  o.api_key_env = cfg.judge_api_key_env;
  o.template_text = task.template_text(t->second);
  o.template_name = t->second;
  return make_choice_judge(o);
}

void add_choice_judge_flags(po::options_description& o, bool rescoring) {
  // Re-scoring keeps what the run used unless a flag is given.
  const std::string run = rescoring ? "the run's" : "";
  const std::string kept = rescoring ? "the run's, else " : "";
  const std::string url = "judge for extractors that ask one (vlmeval_judge): OpenAI-compatible URL [" + run + "]";
  const std::string model = "that judge's model id [" + kept + "each protocol's judge_model]";
  const std::string cache = "judge cache file [" + kept + "$PPBENCH_CACHE_DIR/judge.sqlite]";
  const std::string key = "variable holding the judge's key [" + kept + "OPENAI_API_KEY]";
  o.add_options()("judge-url", po::value<std::string>(), url.c_str())(
      "judge-model", po::value<std::string>(), model.c_str())("judge-cache", po::value<std::string>(), cache.c_str())(
      "api-key-env", po::value<std::string>(), key.c_str());
}

void apply_choice_judge_flags(const po::variables_map& vm, RunConfig& cfg) {
  if (vm.count("judge-url")) cfg.judge_url = vm["judge-url"].as<std::string>();
  if (vm.count("judge-model")) cfg.judge_model = vm["judge-model"].as<std::string>();
  if (vm.count("judge-cache")) cfg.judge_cache = vm["judge-cache"].as<std::string>();
  if (vm.count("api-key-env")) cfg.judge_api_key_env = vm["api-key-env"].as<std::string>();
}

}  // namespace ppb::harness
