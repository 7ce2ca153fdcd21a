// ppbench judge: asks the protocol's judge about every recorded answer of the judged tasks of a
// finished run (open-ended QA, VCG-Bench, DREAM-1K; judge_plan.h says what each needs), through
// the cache, and rewrites the report. The raw judge replies go into the records; the report
// parses them under the protocol's policy, so a re-parse never needs the network.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "common/json_file.h"
#include "harness/cli_options.h"
#include "harness/judge_plan.h"
#include "harness/commands.h"
#include "harness/run_config.h"
#include "harness/run_context.h"
#include "metrics/judge_cache.h"
#include "metrics/judge_client.h"
#include "metrics/judge_pricing.h"
#include "reports/run_report.h"
#include "reports/sample_records.h"
#include "tasks/task_registry.h"

namespace fs = std::filesystem;

namespace ppb::harness {
namespace {

// One judgement to obtain: which record it belongs to, what to ask, and how it is sent.
struct Pending {
  size_t record = 0;
  JudgeAsk ask;
  std::string model;
  int max_tokens = 0;
  std::string key;
  nlohmann::json messages;
};

// Requests that share the model and generation parameters go out as one batch.
using BatchKey = std::tuple<std::string, int, int>;  // model, max_tokens, retry (the seed)

nlohmann::json judgement_from_cache(const metrics::CachedJudgement& c) {
  return {{"outcome", c.outcome},          {"content", c.content},
          {"model", c.model_resolved},     {"system_fingerprint", c.system_fingerprint},
          {"prompt_tokens", c.prompt_tokens}, {"completion_tokens", c.completion_tokens},
          {"cached", true}};
}

nlohmann::json judgement_from_response(const metrics::JudgeResponse& r) {
  nlohmann::json j = {{"outcome", r.outcome_name},  {"content", r.content},
                      {"model", r.model},           {"system_fingerprint", r.system_fingerprint},
                      {"prompt_tokens", r.prompt_tokens}, {"completion_tokens", r.completion_tokens},
                      {"cached", false},            {"attempts", r.attempts}};
  if (r.outcome != metrics::JudgeOutcome::ok) j["error"] = r.error;
  return j;
}

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
      "judge-max-tokens", po::value<int>(), "max_tokens of each judge call [the protocol's judge_max_tokens]")(
      "judge-timeout", po::value<double>()->default_value(60.0), "seconds per attempt")(
      "judge-connect-timeout", po::value<double>()->default_value(5.0), "seconds to connect, per attempt")(
      "judge-attempts", po::value<int>()->default_value(5), "attempts per judgement, the first included")(
      "azure-deployment", po::value<std::string>(), "Azure: deployment name (URL form and api-key header)")(
      "api-key-env", po::value<std::string>()->default_value("OPENAI_API_KEY"),
      "environment variable holding the key (or NAME_FILE naming a file)");
  po::positional_options_description pos;
  pos.add("run", 1);
  po::variables_map vm;
  if (!parse_command(args, o,
                     {"ppbench judge RUN [--judge-url URL] [--judge-model ID] [--judge-offline]",
                      "Judges the recorded answers of RUN's judged tasks (open-ended QA, VCG-Bench, DREAM-1K's\n"
                      "event extraction and entailment) with each protocol's judge templates, temperature 0,\n"
                      "through the cache; records gain `judgements`\n"
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
  client.total_timeout_s = vm["judge-timeout"].as<double>();
  client.connect_timeout_s = vm["judge-connect-timeout"].as<double>();
  client.max_attempts = vm["judge-attempts"].as<int>();
  client.api_key_env = vm["api-key-env"].as<std::string>();
  client.api_key_file_env = client.api_key_env + "_FILE";
  if (vm.count("azure-deployment")) {
    client.azure = true;
    client.azure_deployment = vm["azure-deployment"].as<std::string>();
  }

  const std::string cache_path =
      vm.count("judge-cache") ? vm["judge-cache"].as<std::string>() : metrics::default_judge_cache_path();
  if (vm.count("judge-offline") && !fs::exists(cache_path))
    throw std::runtime_error("judge: --judge-offline: there is no cache at " + cache_path +
                             ", so every judgement is missing (give the run's cache with --judge-cache)");
  metrics::JudgeCache cache(cache_path);
  const metrics::JudgePrices prices = metrics::JudgePrices::load(metrics::default_judge_prices_path());
  std::map<std::string, metrics::UsageTally> usage;
  std::map<std::string, int64_t> failed;  // fresh calls that did not end ok, by outcome

  // This pass judges afresh: earlier judgements (maybe of another judge model) are replaced.
  std::vector<size_t> judged;
  for (size_t i = 0; i < records.size(); ++i) {
    auto& rec = records[i];
    const tasks::Task& t = registry.get(rec.at("task").get<std::string>());
    const std::string& family = t.spec.family;
    if (family != "open_ended_judged" && family != "vcg_judged" && family != "dream_judged") continue;
    rec.erase("judgements");
    if (rec["error"].is_null()) judged.push_back(i);
  }
  // Rounds: each asks what the records still need given the replies so far (DREAM-1K's second
  // step and re-asks of unusable replies come in later rounds). Every round asks something new,
  // and re-asks are bounded, so the loop ends.
  for (int round = 1;; ++round) {
    std::map<BatchKey, std::vector<Pending>> batches;
    for (size_t i : judged) {
      const auto& rec = records[i];
      const tasks::Task& t = registry.get(rec["task"].get<std::string>());
      // The protocol the results are read under: `ppbench score --protocol` may have changed it.
      const tasks::Protocol& p =
          t.spec.protocol(rec.value("scored_protocol", rec["protocol"].get<std::string>()));
      const std::string model = vm.count("judge-model") ? vm["judge-model"].as<std::string>() : p.judge_model;
      const int max_tokens = vm.count("judge-max-tokens") ? vm["judge-max-tokens"].as<int>() : p.judge_max_tokens;
      for (JudgeAsk& ask : next_judge_asks(rec, t, p)) {
        Pending pending{i, std::move(ask), model, max_tokens, "", nlohmann::json::array()};
        for (const auto& m : pending.ask.messages) pending.messages.push_back({{"role", m.role}, {"content", m.content}});
        batches[{model, max_tokens, pending.ask.retry}].push_back(std::move(pending));
      }
    }
    if (batches.empty()) break;
    for (auto& [batch, pending] : batches) {
      client.model = std::get<0>(batch);
      client.max_tokens = std::get<1>(batch);
      client.seed = std::get<2>(batch) > 0 ? std::optional<int64_t>(std::get<2>(batch)) : std::nullopt;
      const nlohmann::json params = metrics::judge_request_params(client);
      std::vector<std::string> keys;
      for (auto& p : pending) keys.push_back(p.key = metrics::judge_cache_key(client.model, p.messages, params));
      if (vm.count("judge-offline")) metrics::require_cached(cache, keys);
      const auto cached = cache.get_many(keys);
      std::vector<metrics::JudgeRequest> requests;
      std::set<std::string> sent;  // identical judgements in one round go out once
      for (const auto& p : pending) {
        if (cached.count(p.key) || !sent.insert(p.key).second) continue;
        metrics::JudgeRequest r;
        r.id = p.key;
        for (const auto& m : p.ask.messages) r.messages.push_back({m.role, m.content});
        requests.push_back(std::move(r));
      }
      std::map<std::string, metrics::JudgeResponse> fresh;
      if (!requests.empty()) {
        size_t from_cache = 0;
        for (const auto& p : pending) from_cache += cached.count(p.key);
        std::fprintf(stderr,
                     "ppbench judge: round %d: %zu calls to %s%s (%zu judgements from the cache, %zu identical to "
                     "another in this round)\n",
                     round, requests.size(), client.model.c_str(),
                     client.seed ? (", re-ask " + std::to_string(*client.seed)).c_str() : "", from_cache,
                     pending.size() - requests.size() - from_cache);
        for (auto& r : metrics::run_judge_batch(client, requests)) {
          // Calls that got no answer are not cached: the next run asks again.
          if (metrics::judge_response_is_cacheable(r)) cache.put(r.id, metrics::cached_judgement_of(r, client.model));
          fresh.emplace(r.id, std::move(r));
        }
      }
      std::set<std::string> delivered;  // fresh answers already given to a record
      for (const auto& p : pending) {
        auto& rec = records[p.record];
        const std::string task = rec["task"].get<std::string>();
        nlohmann::json j;
        if (const auto c = cached.find(p.key); c != cached.end()) {
          j = judgement_from_cache(c->second);
          usage[task].add(c->second.model_resolved.empty() ? client.model : c->second.model_resolved,
                          c->second.prompt_tokens, c->second.completion_tokens, true, prices);
        } else {
          const metrics::JudgeResponse& r = fresh.at(p.key);
          j = judgement_from_response(r);
          // The same judgement for another record rides on that one call: not a call of its own.
          const bool shared = !delivered.insert(p.key).second;
          if (shared) j["shared"] = true;
          else if (r.outcome != metrics::JudgeOutcome::ok) ++failed[r.outcome_name];
          usage[task].add(r.model.empty() ? client.model : r.model, r.prompt_tokens, r.completion_tokens, shared,
                          prices);
        }
        j["model_requested"] = client.model;
        j["key"] = p.key;
        if (p.ask.retry > 0) {
          // A re-ask keeps the replies it replaces, with the reason each was not used.
          const nlohmann::json& before = rec["judgements"][p.ask.dimension];
          j["retry"] = p.ask.retry;
          j["rejected"] = before.value("rejected", nlohmann::json::array());
          j["rejected"].push_back({{"content", before.value("content", "")}, {"reason", p.ask.rejected_reason}});
        }
        rec["judgements"][p.ask.dimension] = std::move(j);
      }
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
  if (!failed.empty()) {
    std::string counts;
    for (const auto& [outcome, n] : failed) counts += (counts.empty() ? "" : ", ") + outcome + " " + std::to_string(n);
    std::printf("judge calls that did not end ok: %s (recorded with their outcome; the report counts them)\n",
                counts.c_str());
  }
  std::cout << (run / "report.json").string() << "\n" << (run / "report.md").string() << "\n";
  return 0;
}

}  // namespace ppb::harness
