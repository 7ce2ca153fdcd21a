#include "reports/run_report.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "common/json_file.h"
#include "metrics/summary_stats.h"
#include "reports/caption_scores.h"
#include "reports/choice_accuracy.h"
#include "reports/judge_scores.h"
#include "reports/report_markdown.h"
#include "reports/sample_records.h"
#include "reports/vcg_bench_summary.h"

namespace fs = std::filesystem;

namespace ppb::reports {
namespace {

const char* const kStages[] = {"decode", "preprocess", "vision", "relevance", "reduce", "prefill", "generate", "total"};
// A result whose visual tokens fall more than 10% below the budget is marked under-filled.
constexpr double kUnderFilledShare = 0.9;
const char* const kTokenFields[] = {"visual_raw", "visual", "prompt", "generated", "context"};

nlohmann::ordered_json distribution_json(const std::vector<double>& v) {
  const metrics::Distribution d = metrics::distribution(v);
  return {{"mean", d.mean}, {"p50", d.p50}, {"p90", d.p90}, {"p99", d.p99}};
}

struct Group {
  nlohmann::json first;                 // the first record, for task, protocol and variant
  std::vector<const nlohmann::json*> records;
};

nlohmann::ordered_json aggregate(const Group& g, const nlohmann::json& context) {
  const std::string task = g.first["task"].get<std::string>();
  std::string family = "multiple_choice";
  if (context.contains("tasks") && context["tasks"].contains(task))
    family = context["tasks"][task].value("family", family);
  int64_t n_errors = 0;
  std::map<std::string, std::vector<double>> tokens, times;
  std::vector<const nlohmann::json*> scored;
  nlohmann::ordered_json errors = nlohmann::ordered_json::array();
  for (const auto* r : g.records) {
    if (!(*r)["error"].is_null()) {
      ++n_errors;
      errors.push_back({{"sample_id", (*r)["sample_id"]}, {"stage", (*r)["error"]["stage"]},
                        {"message", (*r)["error"]["message"]}});
      continue;
    }
    scored.push_back(r);
    for (const char* f : kTokenFields) tokens[f].push_back((*r)["tokens"][f].get<double>());
    for (const char* s : kStages) times[s].push_back((*r)["times_ms"].value(s, 0.0));
  }
  const int64_t n_total = static_cast<int64_t>(g.records.size());
  const int64_t n_scored = n_total - n_errors;
  const auto& variant = g.first["variant"];
  nlohmann::ordered_json out;
  out["task"] = g.first["task"];
  out["protocol"] = g.first["protocol"];
  out["scored_protocol"] = g.first.value("scored_protocol", g.first["protocol"].get<std::string>());
  out["task_fingerprint"] = g.first.value("task_fingerprint", "");
  out["variant"] = {{"method", variant["method"]}, {"budget", variant["budget"]}, {"frames", variant["frames"]},
                    {"checkpoint", variant["checkpoint"]}};
  out["method_params"] = g.first["method_params"];
  out["n_total"] = n_total;
  out["n_errors"] = n_errors;
  if (family == "multiple_choice") {
    const nlohmann::ordered_json acc = choice_accuracy(scored, scoring_rules(context, task));
    out["n_scored"] = n_scored - acc["n_excluded"].get<int64_t>();
    for (auto it = acc.begin(); it != acc.end(); ++it) out[it.key()] = it.value();
  } else if (family == "caption") {
    // Caption metrics need no judge: the corpus is scored here, from the records' references.
    const nlohmann::ordered_json cap =
        caption_scores(scored, caption_metric_keys(context, task), scoring_rules(context, task).seed);
    out["n_scored"] = cap["n_scored"];
    out["n_excluded"] = 0;
    out["n_unparsed"] = 0;
    out["scoring"] = "corpus";
    out["n_awaiting_scoring"] = 0;
    out["n_without_references"] = cap["n_without_references"];
    out["captions"] = cap["captions"];
  } else if (family == "open_ended_judged" || family == "vcg_judged") {
    // The raw replies `ppbench judge` recorded, parsed under the protocol's policy.
    const auto& spec = context["tasks"][task]["protocol_spec"];
    const nlohmann::ordered_json js = judge_scores(scored, family, spec.value("judge_parse", "vcg_original"),
                                                   scoring_rules(context, task).seed);
    out["n_scored"] = js["n_judged"];
    out["n_excluded"] = 0;
    out["n_unparsed"] = js["n_without_verdict"];
    out["scoring"] = "judge";
    out["n_awaiting_scoring"] = js["n_awaiting_scoring"];
    out["judge"] = js["judge"];
  } else {
    // DREAM-1K: event precision, recall and F1 from the extraction and entailment replies.
    const auto& spec = context["tasks"][task]["protocol_spec"];
    const nlohmann::ordered_json ds =
        dream_scores(scored, spec.value("aggregation", "macro"), scoring_rules(context, task).seed);
    out["n_scored"] = ds["dream"]["n_videos"];
    out["n_excluded"] = 0;
    out["n_unparsed"] = ds["dream"]["n_failed"];
    out["scoring"] = "judge";
    out["n_awaiting_scoring"] = ds["n_awaiting_scoring"];
    out["dream"] = ds["dream"];
  }
  nlohmann::ordered_json tok = nlohmann::ordered_json::object();
  for (const char* f : kTokenFields) {
    const metrics::Distribution d = metrics::distribution(tokens[f]);
    tok[f] = {{"mean", d.mean}, {"min", d.min}, {"max", d.max}};
  }
  out["tokens"] = tok;
  const int64_t budget = variant["budget"].get<int64_t>();
  const double visual_max = tok["visual"]["max"].get<double>();
  const double visual_mean = tok["visual"]["mean"].get<double>();
  out["budget_use"] = budget > 0 ? visual_mean / static_cast<double>(budget) : 0.0;
  out["over_budget"] = !scored.empty() && visual_max > static_cast<double>(budget);
  // The solver's count; the records' actual count decides the status when any sample was scored.
  out["tokens_planned"] = g.first.contains("budget_plan") ? g.first["budget_plan"]["tokens"] : nlohmann::json(nullptr);
  const double used = !scored.empty() ? visual_mean
                      : out["tokens_planned"].is_number() ? out["tokens_planned"].get<double>() : 0.0;
  out["status"] = out["over_budget"].get<bool>()                        ? "over_budget"
                  : used < kUnderFilledShare * static_cast<double>(budget) ? "under_filled"
                                                                         : "ok";
  nlohmann::ordered_json lat = nlohmann::ordered_json::object();
  for (const char* s : kStages) lat[s] = distribution_json(times[s]);
  out["latency_ms"] = lat;
  out["errors"] = errors;
  return out;
}

}  // namespace

nlohmann::ordered_json build_report(const std::string& run_dir) {
  const fs::path root(run_dir);
  if (!fs::exists(root / "context.json")) throw std::runtime_error("no context.json in " + run_dir + " (is it a run folder?)");
  const nlohmann::json context = read_json_file((root / "context.json").string(), "run context");
  const LoadedRecords loaded = load_records((root / "samples.jsonl").string());
  // Groups by task in order of first appearance, then methods in the order the run named them
  // (a run works through the frame counts it needs, so records of one task interleave).
  std::vector<std::string> order;
  std::map<std::string, Group> groups;
  std::map<std::string, size_t> task_rank, method_rank;
  if (context.contains("config") && context["config"].contains("methods"))
    for (const auto& m : context["config"]["methods"]) method_rank.try_emplace(m.get<std::string>(), method_rank.size());
  std::vector<bool> duplicate(loaded.records.size(), false);
  nlohmann::ordered_json duplicates = nlohmann::ordered_json::array();
  for (const DuplicateRecord& d : loaded.duplicates) {
    duplicate[d.index] = true;
    const auto& r = loaded.records[d.index];
    duplicates.push_back({{"task", r["task"]}, {"sample_id", r["sample_id"]}, {"variant", r["variant"]},
                          {"line", d.line}, {"first_line", d.first_line}});
  }
  for (size_t i = 0; i < loaded.records.size(); ++i) {
    if (duplicate[i]) continue;  // counted once: the first record of its key
    const auto& r = loaded.records[i];
    const auto& v = r.at("variant");
    const std::string key = r.at("task").get<std::string>() + "\x1f" + v.at("method").get<std::string>() + "\x1f" +
                            v.at("budget").dump() + "\x1f" + v.at("frames").dump() + "\x1f" +
                            v.at("checkpoint").get<std::string>();
    auto [it, fresh] = groups.try_emplace(key);
    if (fresh) {
      order.push_back(key);
      it->second.first = r;
    }
    it->second.records.push_back(&r);
  }
  auto rank = [&](const std::string& key) {
    const auto& first = groups.at(key).first;
    const auto m = method_rank.find(first["variant"]["method"].get<std::string>());
    return std::make_pair(task_rank.at(first["task"].get<std::string>()),
                          m == method_rank.end() ? method_rank.size() : m->second);
  };
  for (const auto& key : order) task_rank.try_emplace(groups.at(key).first["task"].get<std::string>(), task_rank.size());
  std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  nlohmann::ordered_json report;
  report["schema_version"] = kReportSchemaVersion;
  report["context"] = context;
  report["torn_tail_ignored"] = loaded.torn_tail;
  report["duplicate_records_ignored"] = duplicates;
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  // `ppbench score --protocol` may have re-scored tasks under another protocol: its rules count.
  nlohmann::json rules_context = context;
  if (fs::exists(root / "scoring.json")) {
    const nlohmann::json scoring = read_json_file((root / "scoring.json").string(), "scoring record");
    for (const auto& [task, s] : scoring.items())
      if (rules_context["tasks"].contains(task)) rules_context["tasks"][task]["protocol_spec"] = s.at("protocol_spec");
    report["scoring"] = scoring;
  }
  if (fs::exists(root / "judge_usage.json"))
    report["judge_usage"] = read_json_file((root / "judge_usage.json").string(), "judge usage");
  for (const auto& key : order) results.push_back(aggregate(groups.at(key), rules_context));
  // Methods the solver could not fit into the budget get a row that says so, instead of vanishing.
  if (context.contains("budget_plans"))
    for (const auto& [task, methods] : context["budget_plans"].items())
      for (const auto& [key, plan] : methods.items()) {
        if (plan.value("feasible", true)) continue;
        const std::string method = plan.value("method", key);  // keys read "method@frames" with several counts
        nlohmann::ordered_json row;
        row["task"] = task;
        row["protocol"] = context["tasks"].contains(task) ? context["tasks"][task].value("protocol", "") : "";
        row["variant"] = {{"method", method}, {"budget", plan["budget"]}, {"frames", plan["frames_requested"]},
                          {"checkpoint", context.value("model_fingerprint", "").substr(0, 16)}};
        row["status"] = "infeasible";
        row["reason"] = plan["reason"];
        row["n_total"] = 0;
        row["n_errors"] = 0;
        row["n_scored"] = 0;
        results.push_back(row);
      }
  report["results"] = results;
  if (const nlohmann::ordered_json vcg = vcg_bench_summary(results); !vcg.empty()) report["vcg_bench"] = vcg;
  return report;
}

nlohmann::ordered_json write_reports(const std::string& run_dir) {
  nlohmann::ordered_json report = build_report(run_dir);
  std::ofstream(fs::path(run_dir) / "report.json") << report.dump(2) << "\n";
  std::ofstream(fs::path(run_dir) / "report.md") << render_markdown(report);
  return report;
}

}  // namespace ppb::reports
