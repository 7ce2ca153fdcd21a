#include "reports/choice_accuracy.h"

#include <map>

#include "metrics/confidence.h"
#include "reports/estimate_json.h"

namespace ppb::reports {
namespace {

int64_t hits_of(const std::vector<double>& v) {
  int64_t h = 0;
  for (double x : v) h += x > 0.5;
  return h;
}

bool blank(const nlohmann::json& s) {
  if (!s.is_string()) return true;
  for (char c : s.get<std::string>())
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') return false;
  return true;
}

}  // namespace

ScoringRules scoring_rules(const nlohmann::json& context, const std::string& task) {
  ScoringRules r;
  if (context.contains("config")) r.seed = context["config"].value("seed", uint64_t{0});
  if (!context.contains("tasks") || !context["tasks"].contains(task)) return r;
  const auto& t = context["tasks"][task];
  if (!t.contains("protocol_spec")) return r;
  const auto& p = t["protocol_spec"];
  r.denominator = p.value("denominator", r.denominator);
  r.aggregation = p.value("aggregation", r.aggregation);
  if (p.contains("breakdowns")) r.breakdowns = p["breakdowns"].get<std::vector<std::string>>();
  return r;
}

nlohmann::ordered_json choice_accuracy(const std::vector<const nlohmann::json*>& records, const ScoringRules& rules) {
  int64_t excluded = 0, unparsed = 0, guessed = 0;
  std::vector<double> values;
  std::vector<std::string> groups, clusters;
  std::vector<const nlohmann::json*> kept;
  for (const auto* r : records) {
    const bool no_answer = !(*r)["parsed"].is_string() || (*r)["parsed"].get<std::string>().empty();
    unparsed += no_answer;
    guessed += r->value("guessed", false);
    // The denominator rules of the upstream scripts: Video-MME's official scorer drops unparsed
    // answers; lmms-eval's MVBench drops empty responses; the others count everything.
    if ((rules.denominator == "parsed" && no_answer) || (rules.denominator == "nonempty" && blank((*r)["response"]))) {
      ++excluded;
      continue;
    }
    values.push_back((*r)["correct"].get<bool>() ? 1.0 : 0.0);
    groups.push_back(r->value("subtask", ""));
    clusters.push_back(r->value("video", ""));
    kept.push_back(r);
  }
  metrics::BootstrapOptions opts;
  opts.seed = rules.seed;
  const metrics::GroupedEstimate ge = metrics::grouped_estimate(values, groups, opts, clusters);
  const int64_t hits = hits_of(values);
  nlohmann::ordered_json out;
  out["n_excluded"] = excluded;
  out["n_unparsed"] = unparsed;
  out["n_guessed"] = guessed;
  nlohmann::ordered_json micro = estimate_json(ge.micro, hits), macro = estimate_json(ge.macro, hits);
  nlohmann::ordered_json acc = rules.aggregation == "macro" ? macro : micro;
  acc["aggregation"] = rules.aggregation;
  acc["denominator"] = rules.denominator;
  out["accuracy"] = acc;
  out["accuracy_micro"] = micro;
  out["accuracy_macro"] = macro;
  nlohmann::ordered_json subs = nlohmann::ordered_json::object();
  for (const auto& g : ge.groups) {
    if (g.group.empty()) continue;
    std::vector<double> v;
    for (size_t i = 0; i < values.size(); ++i)
      if (groups[i] == g.group) v.push_back(values[i]);
    subs[g.group] = estimate_json(g.estimate, hits_of(v));
  }
  out["subtasks"] = subs;
  nlohmann::ordered_json by = nlohmann::ordered_json::object();
  for (const auto& key : rules.breakdowns) {
    std::map<std::string, std::pair<std::vector<double>, std::vector<std::string>>> split;
    for (size_t i = 0; i < kept.size(); ++i) {
      const auto& meta = (*kept[i]).value("meta", nlohmann::json::object());
      const std::string value = meta.contains(key) && meta[key].is_string() ? meta[key].get<std::string>() : "(none)";
      split[value].first.push_back(values[i]);
      split[value].second.push_back(clusters[i]);
    }
    nlohmann::ordered_json part = nlohmann::ordered_json::object();
    for (const auto& [value, vc] : split)
      part[value] = estimate_json(metrics::estimate(vc.first, opts, vc.second), hits_of(vc.first));
    by[key] = part;
  }
  out["breakdowns"] = by;
  return out;
}

}  // namespace ppb::reports
