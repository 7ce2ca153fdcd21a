#include "reports/judge_scores.h"

#include <map>
#include <set>

#include "metrics/confidence.h"
#include "metrics/judge_parsing.h"

namespace ppb::reports {
namespace {

nlohmann::ordered_json estimate_json(const metrics::Estimate& e) {
  return {{"value", e.mean},   {"n", e.n},           {"stderr", e.se}, {"ci_low", e.ci_low},
          {"ci_high", e.ci_high}, {"stderr_clustered", e.se_clustered}};
}

struct Dimension {
  std::vector<metrics::JudgeVerdict> verdicts;
  std::vector<double> yes, score;                  // per-item contributions
  std::vector<std::string> yes_video, score_video;  // their clusters
  std::map<std::string, int64_t> outcomes;         // client outcomes (ok, http_error ...)
};

}  // namespace

nlohmann::ordered_json judge_scores(const std::vector<const nlohmann::json*>& records, const std::string& family,
                                    const std::string& policy_name, uint64_t seed) {
  const metrics::JudgePolicy policy = metrics::judge_policy_from_name(policy_name);
  std::map<std::string, Dimension> dims;
  std::set<std::string> models;
  int64_t judged = 0, awaiting = 0;
  for (const auto* r : records) {
    if (!r->contains("judgements")) {
      ++awaiting;
      continue;
    }
    ++judged;
    for (const auto& [name, j] : (*r)["judgements"].items()) {
      Dimension& d = dims[name];
      const std::string outcome = j.value("outcome", "");
      ++d.outcomes[outcome];
      if (j.contains("model") && j["model"].is_string() && !j["model"].get<std::string>().empty())
        models.insert(j["model"].get<std::string>());
      // A failed call reads as an empty reply: each policy decides what that counts as.
      const std::string reply = outcome == "ok" ? j.value("content", "") : "";
      const metrics::JudgeVerdict v = family == "open_ended_judged" ? metrics::parse_qa_judgement(reply, policy)
                                                                    : metrics::parse_score_judgement(reply, policy);
      d.verdicts.push_back(v);
      const metrics::JudgeContribution c = metrics::judge_contribution(v, policy);
      const std::string video = r->value("video", "");
      if (c.in_accuracy) {
        d.yes.push_back(c.yes);
        d.yes_video.push_back(video);
      }
      if (c.in_score) {
        d.score.push_back(c.score);
        d.score_video.push_back(video);
      }
    }
  }
  metrics::BootstrapOptions opts;
  opts.seed = seed;
  nlohmann::ordered_json out;
  out["n_judged"] = judged;
  out["n_awaiting_scoring"] = awaiting;
  nlohmann::ordered_json judge;
  judge["policy"] = policy_name;
  judge["models"] = std::vector<std::string>(models.begin(), models.end());
  nlohmann::ordered_json by_dim = nlohmann::ordered_json::object();
  for (const auto& [name, d] : dims) {
    int64_t failed = 0;
    for (const auto& v : d.verdicts) failed += !v.ok;
    nlohmann::ordered_json j{{"n_items", static_cast<int64_t>(d.verdicts.size())}, {"n_parse_failed", failed}};
    nlohmann::ordered_json outcomes = nlohmann::ordered_json::object();
    for (const auto& [o, n] : d.outcomes) outcomes[o] = n;
    j["outcomes"] = outcomes;
    if (!d.yes.empty()) j["yes_rate"] = estimate_json(metrics::estimate(d.yes, opts, d.yes_video));
    j["mean_score"] = estimate_json(metrics::estimate(d.score, opts, d.score_video));
    by_dim[name] = j;
  }
  judge["dimensions"] = by_dim;
  out["judge"] = judge;
  return out;
}

}  // namespace ppb::reports
