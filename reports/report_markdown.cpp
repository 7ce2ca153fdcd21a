#include "reports/report_markdown.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <sstream>
#include <vector>

namespace ppb::reports {
namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string row(const std::vector<std::string>& cells) {
  std::string s = "|";
  for (const auto& c : cells) s += " " + c + " |";
  return s + "\n";
}

std::string rule(size_t n) {
  std::string s = "|";
  for (size_t i = 0; i < n; ++i) s += "---|";
  return s + "\n";
}


// Accuracy per sub-task (rows) and method (columns), for multiple-choice tasks with sub-tasks.
void render_subtasks(std::ostringstream& md, const nlohmann::ordered_json& report, const std::string& task) {
  std::vector<const nlohmann::ordered_json*> cols;
  std::vector<std::string> names;
  for (const auto& r : report["results"]) {
    if (r["task"] != task || !r.contains("subtasks") || r["subtasks"].empty()) continue;
    cols.push_back(&r);
    for (auto it = r["subtasks"].begin(); it != r["subtasks"].end(); ++it)
      if (std::find(names.begin(), names.end(), it.key()) == names.end()) names.push_back(it.key());
  }
  if (cols.empty() || names.size() < 2) return;
  md << "Accuracy per sub-task (%):\n\n";
  std::vector<std::string> head = {"sub-task"};
  for (const auto* c : cols) head.push_back((*c)["variant"]["method"].get<std::string>());
  md << row(head) << rule(head.size());
  for (const auto& n : names) {
    std::vector<std::string> cells = {n};
    for (const auto* c : cols)
      cells.push_back((*c)["subtasks"].contains(n) ? fixed(100.0 * (*c)["subtasks"][n]["value"].get<double>(), 1) : "n/a");
    md << row(cells);
  }
  std::vector<std::string> micro = {"micro average"}, macro = {"macro average"};
  for (const auto* c : cols) {
    micro.push_back(fixed(100.0 * (*c)["accuracy_micro"]["value"].get<double>(), 1));
    macro.push_back(fixed(100.0 * (*c)["accuracy_macro"]["value"].get<double>(), 1));
  }
  md << row(micro) << row(macro) << "\n";
}

// Caption metrics per method (rows), coco scale, for caption tasks scored as a corpus.
void render_captions(std::ostringstream& md, const nlohmann::ordered_json& report, const std::string& task) {
  static const char* const kNames[] = {"BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr-D"};
  bool any = false;
  for (const auto& r : report["results"])
    if (r["task"] == task && r.contains("captions") && r["captions"].is_object()) {
      if (!any) {
        md << "Caption metrics (coco scale; CIDEr-D in [0, 10], papers print x100; METEOR not provided):\n\n";
        std::vector<std::string> head = {"method", "items"};
        head.insert(head.end(), std::begin(kNames), std::end(kNames));
        md << row(head) << rule(head.size());
        any = true;
      }
      const auto& c = r["captions"];
      std::vector<std::string> cells = {r["variant"]["method"].get<std::string>(), c["n_items"].dump()};
      for (const char* n : kNames)
        cells.push_back(c.contains(n) && c[n].is_number() ? fixed(c[n].get<double>(), n[0] == 'C' ? 3 : 4) : "n/a");
      md << row(cells);
    }
  if (any) md << "\n";
}

}  // namespace

std::string render_markdown(const nlohmann::ordered_json& report) {
  std::ostringstream md;
  const auto& ctx = report["context"];
  md << "# ppbench report\n\n";
  md << "- ppbench " << ctx.value("ppbench_version", "?") << " (" << ctx.value("git_sha", "?") << ", "
     << ctx.value("build_type", "?") << "), LibTorch " << ctx.value("libtorch", "?") << ", device "
     << ctx.value("device", "?") << ", " << ctx.value("threads", 0) << " threads\n";
  md << "- model fingerprint `" << ctx.value("model_fingerprint", "?").substr(0, 16) << "`\n";
  if (report.contains("duplicate_records_ignored") && !report["duplicate_records_ignored"].empty()) {
    const auto& d = report["duplicate_records_ignored"];
    md << "- **" << d.size() << " records in samples.jsonl repeat an earlier record's key and are not counted again** "
       << "(first: " << d[0]["task"].get<std::string>() << "/" << d[0]["sample_id"].get<std::string>() << ", line "
       << d[0]["line"].dump() << " repeats line " << d[0]["first_line"].dump() << "; report.json lists them all)\n";
  }
  md << "\n";

  std::vector<std::string> tasks;
  for (const auto& r : report["results"]) {
    const std::string t = r["task"].get<std::string>();
    if (std::find(tasks.begin(), tasks.end(), t) == tasks.end()) tasks.push_back(t);
  }
  const std::vector<std::string> stages = {"decode",  "preprocess", "vision",   "relevance",
                                           "reduce",  "prefill",    "generate", "total"};
  for (const auto& task : tasks) {
    std::string protocol;
    for (const auto& r : report["results"])
      if (r["task"] == task) protocol = r["protocol"].get<std::string>();
    md << "## " << task << " (protocol " << protocol << ")\n\n";
    const std::vector<std::string> head = {"method", "frames", "budget", "status", "accuracy", "scored / total", "errors",
                                           "unparsed", "visual tokens", "context tokens", "p50 latency (ms)"};
    md << row(head) << rule(head.size());
    std::vector<std::string> notes;
    for (const auto& r : report["results"]) {
      if (r["task"] != task) continue;
      const auto& v = r["variant"];
      const std::string status = r["status"].get<std::string>();
      if (status == "infeasible") {
        md << row({v["method"].get<std::string>(), v["frames"].dump(), v["budget"].dump(), "infeasible", "n/a", "0 / 0",
                   "0", "0", "n/a", "n/a", "n/a"});
        notes.push_back(v["method"].get<std::string>() + " cannot run at a budget of " + v["budget"].dump() + ": " +
                        r["reason"].get<std::string>() + ".");
        continue;
      }
      if (status == "under_filled")
        notes.push_back(v["method"].get<std::string>() + " fills " + fixed(100.0 * r["budget_use"].get<double>(), 0) +
                        "% of the budget of " + v["budget"].dump() + " (more than 10% below it).");
      // Records that ran (tokens, latency) versus records in the accuracy's denominator.
      const bool ran = r["n_total"].get<int64_t>() > r["n_errors"].get<int64_t>();
      const bool scored = r["n_scored"].get<int64_t>() > 0 && r.contains("accuracy");
      std::string accuracy = "n/a";
      if (scored) {
        const auto& acc = r["accuracy"];
        accuracy = fixed(100.0 * acc["value"].get<double>(), 1) + "% ± " + fixed(100.0 * acc["stderr"].get<double>(), 1) +
                   " [" + fixed(100.0 * acc["ci_low"].get<double>(), 1) + ", " +
                   fixed(100.0 * acc["ci_high"].get<double>(), 1) + "]";
      } else if (r.contains("captions") && r["captions"].is_object() && r["captions"].contains("CIDEr-D")) {
        accuracy = "CIDEr-D " + fixed(r["captions"]["CIDEr-D"].get<double>(), 3);
        if (r["captions"].contains("uncertainty") && r["captions"]["uncertainty"].contains("CIDEr-D"))
          accuracy += " ± " + fixed(r["captions"]["uncertainty"]["CIDEr-D"]["stderr"].get<double>(), 3);
      } else if (r.contains("judge") && r["n_scored"].get<int64_t>() > 0) {
        // Judged: the yes-rate where the judge answers yes or no, and the mean 0-5 score per dimension.
        accuracy.clear();
        for (const auto& [dim, d] : r["judge"]["dimensions"].items()) {
          if (!accuracy.empty()) accuracy += "; ";
          if (d.contains("yes_rate")) accuracy += fixed(100.0 * d["yes_rate"]["value"].get<double>(), 1) + "% yes, ";
          accuracy += dim + " " + fixed(d["mean_score"]["value"].get<double>(), 2);
        }
        if (r["n_awaiting_scoring"].get<int64_t>() > 0) accuracy += " (" + r["n_awaiting_scoring"].dump() + " unjudged)";
        // Calls that did not end ok, and replies the policy could not read, per dimension.
        std::string odd;
        for (const auto& [dim, d] : r["judge"]["dimensions"].items()) {
          for (const auto& [outcome, n] : d["outcomes"].items())
            if (outcome != "ok") odd += (odd.empty() ? "" : ", ") + dim + " " + outcome + " x" + n.dump();
          if (d["n_parse_failed"].get<int64_t>() > 0)
            odd += (odd.empty() ? "" : ", ") + dim + " unreadable reply x" + d["n_parse_failed"].dump();
        }
        if (!odd.empty())
          notes.push_back(v["method"].get<std::string>() + ": judge " + odd + " (counted as the '" +
                          r["judge"]["policy"].get<std::string>() + "' policy says).");
      } else if (r.contains("dream") && r["dream"]["n_videos"].get<int64_t>() + r["dream"]["n_failed"].get<int64_t>() > 0) {
        const auto& d = r["dream"];
        accuracy = d["n_videos"].get<int64_t>() == 0
                       ? "no video scored"
                       : "F1 " + fixed(100.0 * d["f1"]["value"].get<double>(), 1) + " ± " +
                             fixed(100.0 * d["f1"]["stderr"].get<double>(), 1) + " (P " +
                             fixed(100.0 * d["precision"]["value"].get<double>(), 1) + ", R " +
                             fixed(100.0 * d["recall"]["value"].get<double>(), 1) + ", " +
                             d["aggregation"].get<std::string>() + ")";
        if (d["n_failed"].get<int64_t>() > 0)
          notes.push_back(v["method"].get<std::string>() + ": " + d["n_failed"].dump() +
                          " videos left out of DREAM-1K's scores (judge calls failed or replies stayed unusable; "
                          "report.json lists them).");
        if (r["n_awaiting_scoring"].get<int64_t>() > 0) accuracy += " (" + r["n_awaiting_scoring"].dump() + " unjudged)";
      } else if (r.contains("scoring") && r["scoring"] == "judge") {
        accuracy = "awaits judge scoring";
      }
      std::string method = v["method"].get<std::string>();
      if (r["over_budget"].get<bool>()) {
        method += " (over budget)";
        notes.push_back(v["method"].get<std::string>() + " puts " + fixed(r["tokens"]["visual"]["max"].get<double>(), 0) +
                        " visual tokens into the LLM, above its budget of " + v["budget"].dump() + ".");
      }
      md << row({method, v["frames"].dump(), v["budget"].dump(), status, accuracy,
                 r["n_scored"].dump() + " / " + r["n_total"].dump(), r["n_errors"].dump(), r["n_unparsed"].dump(),
                 ran ? fixed(r["tokens"]["visual"]["mean"].get<double>(), 0) : "n/a",
                 ran ? fixed(r["tokens"]["context"]["mean"].get<double>(), 0) : "n/a",
                 ran ? fixed(r["latency_ms"]["total"]["p50"].get<double>(), 1) : "n/a"});
      if (r.value("n_excluded", 0) > 0)
        notes.push_back(v["method"].get<std::string>() + ": " + r["n_excluded"].dump() +
                        " records left out of the denominator (rule '" + r["accuracy"]["denominator"].get<std::string>() +
                        "').");
    }
    md << "\n";
    for (const auto& n : notes) md << "- " << n << "\n";
    if (!notes.empty()) md << "\n";

    md << "Latency per stage, p50 in ms:\n\n";
    std::vector<std::string> lhead = {"method"};
    lhead.insert(lhead.end(), stages.begin(), stages.end());
    md << row(lhead) << rule(lhead.size());
    for (const auto& r : report["results"]) {
      if (r["task"] != task || r["n_total"].get<int64_t>() <= r["n_errors"].get<int64_t>()) continue;
      std::vector<std::string> cells = {r["variant"]["method"].get<std::string>()};
      for (const auto& s : stages) cells.push_back(fixed(r["latency_ms"][s]["p50"].get<double>(), 1));
      md << row(cells);
    }
    md << "\n";
    render_subtasks(md, report, task);
    render_captions(md, report, task);
    for (const auto& r : report["results"]) {
      if (r["task"] != task || !r.contains("errors")) continue;
      for (const auto& e : r["errors"])
        md << "- error in " << r["variant"]["method"].get<std::string>() << ", sample " << e["sample_id"].get<std::string>()
           << " (" << e["stage"].get<std::string>() << "): " << e["message"].get<std::string>() << "\n";
    }
  }
  if (report.contains("vcg_bench")) {
    // The five VCG-Bench dimensions side by side, as papers print them.
    md << "## VCG-Bench (mean judge score, 0-5)\n\n";
    const char* const dims[] = {"correctness", "detail", "context", "temporal", "consistency"};
    std::vector<std::string> head = {"method", "frames", "budget"};
    head.insert(head.end(), std::begin(dims), std::end(dims));
    head.push_back("mean of five");
    md << row(head) << rule(head.size());
    for (const auto& v : report["vcg_bench"]) {
      std::vector<std::string> cells = {v["variant"]["method"].get<std::string>(), v["variant"]["frames"].dump(),
                                        v["variant"]["budget"].dump()};
      for (const char* d : dims)
        cells.push_back(v["dimensions"].contains(d) ? fixed(v["dimensions"][d]["value"].get<double>(), 2) : "n/a");
      cells.push_back(v["mean_of_five"].is_number() ? fixed(v["mean_of_five"].get<double>(), 2) : "n/a");
      md << row(cells);
    }
    md << "\n";
  }
  if (report.contains("judge_usage")) {
    // What judging cost: calls over the network versus the cache, tokens, and the estimate from
    // the editable price table (null when a model has no price).
    md << "## Judge usage\n\n";
    const std::vector<std::string> head = {"task", "calls made", "from cache", "prompt tokens", "completion tokens",
                                           "estimated cost (USD)"};
    md << row(head) << rule(head.size());
    for (const auto& [task, u] : report["judge_usage"].items()) {
      const auto& cost = u["estimated_cost_usd"];
      md << row({task, u["calls_made"].dump(), u["served_from_cache"].dump(), u["prompt_tokens"].dump(),
                 u["completion_tokens"].dump(), cost.is_number() ? fixed(cost.get<double>(), 4) : "unknown"});
    }
    md << "\n";
  }
  return md.str();
}

}  // namespace ppb::reports
