#include "reports/report_markdown.h"

#include <algorithm>
#include <cstdio>
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

}  // namespace

std::string render_markdown(const nlohmann::ordered_json& report) {
  std::ostringstream md;
  const auto& ctx = report["context"];
  md << "# ppbench report\n\n";
  md << "- ppbench " << ctx.value("ppbench_version", "?") << " (" << ctx.value("git_sha", "?") << ", "
     << ctx.value("build_type", "?") << "), LibTorch " << ctx.value("libtorch", "?") << ", device "
     << ctx.value("device", "?") << ", " << ctx.value("threads", 0) << " threads\n";
  md << "- model fingerprint `" << ctx.value("model_fingerprint", "?").substr(0, 16) << "`\n\n";

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
      const auto& acc = r["accuracy"];
      const bool scored = r["n_scored"].get<int64_t>() > 0;
      std::string method = v["method"].get<std::string>();
      if (r["over_budget"].get<bool>()) {
        method += " (over budget)";
        notes.push_back(v["method"].get<std::string>() + " puts " + fixed(r["tokens"]["visual"]["max"].get<double>(), 0) +
                        " visual tokens into the LLM, above its budget of " + v["budget"].dump() + ".");
      }
      md << row({method, v["frames"].dump(), v["budget"].dump(), status,
                 scored ? fixed(100.0 * acc["value"].get<double>(), 1) + "% ± " + fixed(100.0 * acc["stderr"].get<double>(), 1)
                        : "n/a",
                 r["n_scored"].dump() + " / " + r["n_total"].dump(), r["n_errors"].dump(), r["n_unparsed"].dump(),
                 scored ? fixed(r["tokens"]["visual"]["mean"].get<double>(), 0) : "n/a",
                 scored ? fixed(r["tokens"]["context"]["mean"].get<double>(), 0) : "n/a",
                 scored ? fixed(r["latency_ms"]["total"]["p50"].get<double>(), 1) : "n/a"});
    }
    md << "\n";
    for (const auto& n : notes) md << "- " << n << "\n";
    if (!notes.empty()) md << "\n";

    md << "Latency per stage, p50 in ms:\n\n";
    std::vector<std::string> lhead = {"method"};
    lhead.insert(lhead.end(), stages.begin(), stages.end());
    md << row(lhead) << rule(lhead.size());
    for (const auto& r : report["results"]) {
      if (r["task"] != task || r["n_total"].get<int64_t>() == 0 || r["n_scored"].get<int64_t>() == 0) continue;
      std::vector<std::string> cells = {r["variant"]["method"].get<std::string>()};
      for (const auto& s : stages) cells.push_back(fixed(r["latency_ms"][s]["p50"].get<double>(), 1));
      md << row(cells);
    }
    md << "\n";
    for (const auto& r : report["results"]) {
      if (r["task"] != task || !r.contains("errors")) continue;
      for (const auto& e : r["errors"])
        md << "- error in " << r["variant"]["method"].get<std::string>() << ", sample " << e["sample_id"].get<std::string>()
           << " (" << e["stage"].get<std::string>() << "): " << e["message"].get<std::string>() << "\n";
    }
  }
  return md.str();
}

}  // namespace ppb::reports
