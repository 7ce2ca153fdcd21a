// ppbench judge: asks the protocol's judge about every recorded answer of the judged tasks of a
// finished run (open-ended QA, VCG-Bench), through the cache, and rewrites the report. The raw
// judge replies go into the records; the report parses them under the protocol's policy, so a
// re-parse never needs the network.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "common/json_file.h"
#include "harness/cli_options.h"
#include "harness/commands.h"
#include "harness/run_config.h"
#include "harness/run_context.h"
#include "metrics/judge_cache.h"
#include "metrics/judge_client.h"
#include "metrics/judge_pricing.h"
#include "reports/run_report.h"
#include "reports/sample_records.h"
#include "tasks/judge_template.h"
#include "tasks/task_registry.h"

namespace fs = std::filesystem;

namespace ppb::harness {
namespace {

std::string text_of(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// The placeholders a judge template may use, from one record.
std::map<std::string, std::string> judge_fields(const nlohmann::json& rec) {
  return {{"question", text_of(rec, "question")},   {"answer", text_of(rec, "target")},
          {"prediction", text_of(rec, "response")}, {"question_1", text_of(rec, "question")},
          {"question_2", text_of(rec, "question_2")}, {"prediction_1", text_of(rec, "response")},
          {"prediction_2", text_of(rec, "response_2")}};
}


// One judgement to obtain: which record and dimension it belongs to, and its cache key.
struct Pending {
  size_t record = 0;
  std::string dimension;
  std::string key;
  nlohmann::json messages;
};

}  // namespace

int cmd_judge(const Args& args, const Args&) {
  po::options_description o("judge options");
  o.add_options()("run", po::value<std::string>()->required(), "run folder")(
      "judge-url", po::value<std::string>()->default_value("https://api.openai.com/v1"),
      "OpenAI-compatible base URL (POST URL/chat/completions)")(
      "judge-model", po::value<std::string>(), "judge model id [each protocol's published judge]")(
      "judge-concurrency", po::value<int>()->default_value(8), "requests in flight at once")(
      "judge-cache", po::value<std::string>(), "SQLite cache of judge replies [$PPBENCH_CACHE_DIR/judge.sqlite]")(
      "judge-offline", "read only the cache; fail listing the judgements it lacks")(
      "judge-max-tokens", po::value<int>()->default_value(64), "max_tokens of each judge call")(
      "judge-timeout", po::value<double>()->default_value(60.0), "seconds per attempt")(
      "judge-attempts", po::value<int>()->default_value(5), "attempts per judgement, the first included")(
      "azure-deployment", po::value<std::string>(), "Azure: deployment name (URL form and api-key header)")(
      "api-key-env", po::value<std::string>()->default_value("OPENAI_API_KEY"),
      "environment variable holding the key (or NAME_FILE naming a file)");
  po::positional_options_description pos;
  pos.add("run", 1);
  po::variables_map vm;
  if (!parse_command(args, o,
                     {"ppbench judge RUN [--judge-url URL] [--judge-model ID] [--judge-offline]",
                      "Judges the recorded answers of RUN's judged tasks (open-ended QA, VCG-Bench) with each\n"
                      "protocol's judge templates, temperature 0, through the cache; records gain `judgements`\n"
                      "(raw reply, outcome, resolved model, usage, cached), RUN/judge_usage.json holds calls,\n"
                      "cache hits, tokens and estimated cost per task, and the report is rewritten. The key is\n"
                      "read from the environment and written nowhere."},
                     vm, &pos))
    return 0;
  const fs::path run = vm["run"].as<std::string>();
  for (const char* f : {"samples.jsonl", "config.json"})
    if (!fs::exists(run / f)) throw std::runtime_error("judge: no " + std::string(f) + " in " + run.string());
  const RunConfig cfg = read_run_config(run.string());
  tasks::TaskRegistry registry;
  register_run_tasks(registry, cfg);
  reports::LoadedRecords loaded = reports::load_records((run / "samples.jsonl").string());
  auto& records = loaded.records;

  metrics::JudgeClientOptions client;
  client.base_url = vm["judge-url"].as<std::string>();
  client.concurrency = vm["judge-concurrency"].as<int>();
  client.max_tokens = vm["judge-max-tokens"].as<int>();
  client.total_timeout_s = vm["judge-timeout"].as<double>();
  client.max_attempts = vm["judge-attempts"].as<int>();
  client.api_key_env = vm["api-key-env"].as<std::string>();
  client.api_key_file_env = client.api_key_env + "_FILE";
  if (vm.count("azure-deployment")) {
    client.azure = true;
    client.azure_deployment = vm["azure-deployment"].as<std::string>();
  }
  const nlohmann::json params{{"temperature", client.temperature}, {"max_tokens", client.max_tokens}};

  // Every (record, dimension) of a judged task, grouped by the judge model that answers it.
  std::map<std::string, std::vector<Pending>> by_model;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& rec = records[i];
    const tasks::Task& t = registry.get(rec.at("task").get<std::string>());
    if (t.spec.family != "open_ended_judged" && t.spec.family != "vcg_judged") continue;
    if (!rec["error"].is_null()) continue;
    const tasks::Protocol& p = t.spec.protocol(rec.at("protocol").get<std::string>());
    const std::string model = vm.count("judge-model") ? vm["judge-model"].as<std::string>() : p.judge_model;
    for (const auto& [dimension, file] : p.judge_templates) {
      nlohmann::json messages = nlohmann::json::array();
      for (const auto& m : tasks::render_judge_template(t.template_text(file), file, judge_fields(rec)))
        messages.push_back({{"role", m.role}, {"content", m.content}});
      by_model[model].push_back({i, dimension, metrics::judge_cache_key(model, messages, params), messages});
    }
  }

  metrics::JudgeCache cache(vm.count("judge-cache") ? vm["judge-cache"].as<std::string>()
                                                    : metrics::default_judge_cache_path());
  const metrics::JudgePrices prices = metrics::JudgePrices::load(metrics::default_judge_prices_path());
  std::map<std::string, metrics::UsageTally> usage;
  int64_t failed = 0;
  for (auto& [model, pending] : by_model) {
    std::vector<std::string> keys;
    for (const auto& p : pending) keys.push_back(p.key);
    if (vm.count("judge-offline")) metrics::require_cached(cache, keys);
    const auto cached = cache.get_many(keys);
    std::vector<metrics::JudgeRequest> requests;
    std::vector<size_t> asked;  // index into `pending` of each request
    for (size_t k = 0; k < pending.size(); ++k) {
      if (cached.count(pending[k].key)) continue;
      metrics::JudgeRequest r;
      r.id = pending[k].key;
      for (const auto& m : pending[k].messages) r.messages.push_back({m["role"], m["content"]});
      requests.push_back(std::move(r));
      asked.push_back(k);
    }
    std::map<std::string, metrics::JudgeResponse> fresh;
    if (!requests.empty()) {
      client.model = model;
      std::fprintf(stderr, "ppbench judge: %zu judgements from %s (%zu from the cache)\n", requests.size(),
                   model.c_str(), pending.size() - requests.size());
      for (auto& r : metrics::run_judge_batch(client, requests)) {
        // Failures are not cached: the next run asks again.
        if (r.outcome == metrics::JudgeOutcome::ok) cache.put(r.id, metrics::cached_judgement_of(r, model));
        fresh.emplace(r.id, std::move(r));
      }
    }
    for (const auto& p : pending) {
      auto& rec = records[p.record];
      const std::string task = rec["task"].get<std::string>();
      nlohmann::json j;
      if (const auto c = cached.find(p.key); c != cached.end()) {
        j = {{"outcome", c->second.outcome},       {"content", c->second.content},
             {"model", c->second.model_resolved},  {"system_fingerprint", c->second.system_fingerprint},
             {"prompt_tokens", c->second.prompt_tokens}, {"completion_tokens", c->second.completion_tokens},
             {"cached", true}};
        usage[task].add(c->second.model_resolved.empty() ? model : c->second.model_resolved, c->second.prompt_tokens,
                        c->second.completion_tokens, true, prices);
      } else {
        const metrics::JudgeResponse& r = fresh.at(p.key);
        j = {{"outcome", r.outcome_name},  {"content", r.content},
             {"model", r.model},           {"system_fingerprint", r.system_fingerprint},
             {"prompt_tokens", r.prompt_tokens}, {"completion_tokens", r.completion_tokens},
             {"cached", false},            {"attempts", r.attempts}};
        if (r.outcome != metrics::JudgeOutcome::ok) {
          j["error"] = r.error;
          ++failed;
        }
        usage[task].add(r.model.empty() ? model : r.model, r.prompt_tokens, r.completion_tokens, false, prices);
      }
      j["model_requested"] = model;
      j["key"] = p.key;
      rec["judgements"][p.dimension] = j;
    }
  }
  std::string out;
  for (const auto& rec : records) out += rec.dump() + "\n";
  ppb::replace_file((run / "samples.jsonl").string(), out);
  ppb::replace_file((run / "judge_usage.json").string(), metrics::usage_by_task_to_json(usage).dump(2) + "\n");
  reports::write_reports(run.string());
  for (const auto& [task, u] : usage)
    std::printf("%s: %lld judgements asked, %lld from the cache\n", task.c_str(), static_cast<long long>(u.calls_made),
                static_cast<long long>(u.served_from_cache));
  if (failed) std::printf("%lld judgements failed after retries (recorded with their outcome)\n", static_cast<long long>(failed));
  std::cout << (run / "report.json").string() << "\n" << (run / "report.md").string() << "\n";
  return 0;
}

}  // namespace ppb::harness
