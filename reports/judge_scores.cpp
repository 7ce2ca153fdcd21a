#include "reports/judge_scores.h"

#include <map>
#include <set>

#include "metrics/confidence.h"
#include "metrics/judge_parsing.h"
#include "reports/estimate_json.h"
#include "reports/sample_records.h"

namespace ppb::reports {
namespace {

// The resolved model a judgement names, if any, joins `models`.
void note_model(const nlohmann::json& judgement, std::set<std::string>* models) {
  const auto m = judgement.find("model");
  if (m != judgement.end() && m->is_string() && !m->get<std::string>().empty()) models->insert(m->get<std::string>());
}

struct Dimension {
  std::vector<metrics::JudgeVerdict> verdicts;
  std::vector<double> yes, score;                  // per-item contributions
  std::vector<std::string> yes_video, score_video;  // their clusters
  std::map<std::string, int64_t> outcomes;         // client outcomes (ok, http_error ...)
  int64_t parse_failed = 0;                        // ok replies not in the policy's format
};

}  // namespace

nlohmann::ordered_json judge_scores(const std::vector<const nlohmann::json*>& records, const std::string& family,
                                    const std::string& policy_name, uint64_t seed) {
  const metrics::JudgePolicy policy = metrics::judge_policy_from_name(policy_name);
  std::map<std::string, Dimension> dims;
  std::set<std::string> models;
  int64_t judged = 0, awaiting = 0, without_verdict = 0;
  for (const auto* r : records) {
    if (!r->contains("judgements")) {
      ++awaiting;
      continue;
    }
    ++judged;
    bool all_read = true;
    for (const auto& [name, j] : (*r)["judgements"].items()) {
      Dimension& d = dims[name];
      const std::string outcome = j.value("outcome", "");
      ++d.outcomes[outcome];
      note_model(j, &models);
      // A failed call reads as an empty reply: each policy decides what that counts as.
      const std::string reply = outcome == "ok" ? j.value("content", "") : "";
      const metrics::JudgeVerdict v = family == "open_ended_judged" ? metrics::parse_qa_judgement(reply, policy)
                                                                    : metrics::parse_score_judgement(reply, policy);
      d.verdicts.push_back(v);
      // A parse failure is an ok reply the policy cannot read; failed calls are counted apart.
      if (outcome == "ok" && !v.ok) ++d.parse_failed;
      all_read = all_read && outcome == "ok" && v.ok;
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
    without_verdict += !all_read;
  }
  metrics::BootstrapOptions opts;
  opts.seed = seed;
  nlohmann::ordered_json out;
  out["n_judged"] = judged;
  out["n_awaiting_scoring"] = awaiting;
  out["n_without_verdict"] = without_verdict;
  nlohmann::ordered_json judge;
  judge["policy"] = policy_name;
  judge["models"] = std::vector<std::string>(models.begin(), models.end());
  nlohmann::ordered_json by_dim = nlohmann::ordered_json::object();
  for (const auto& [name, d] : dims) {
    nlohmann::ordered_json j{{"n_items", static_cast<int64_t>(d.verdicts.size())}, {"n_parse_failed", d.parse_failed}};
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

namespace {

// One DREAM step's reply, read: "" when usable, else why not.
std::string unusable(const nlohmann::json& judgements, const char* step) {
  if (!judgements.contains(step)) return std::string(step) + ": not judged";
  const nlohmann::json& j = judgements[step];
  const std::string outcome = j.value("outcome", "");
  if (outcome != "ok") return std::string(step) + ": the call ended " + outcome;
  return "";
}

nlohmann::ordered_json scores_json(const metrics::DreamScores& s) {
  return {{"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}};
}

}  // namespace

nlohmann::ordered_json dream_scores(const std::vector<const nlohmann::json*>& records, const std::string& aggregation,
                                    uint64_t seed) {
  struct Step {
    std::map<std::string, int64_t> outcomes;
    int64_t reasked = 0;  // replies asked again because they did not parse
  };
  std::map<std::string, Step> steps;
  std::set<std::string> models;
  std::vector<metrics::DreamVideoJudgement> videos;
  std::vector<double> precision, recall;
  std::vector<std::string> subsets, clusters;
  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  int64_t judged = 0, awaiting = 0, reference_events = 0, extracted_events = 0;
  for (const auto* r : records) {
    if (!r->contains("judgements")) {
      ++awaiting;
      continue;
    }
    ++judged;
    const nlohmann::json& js = (*r)["judgements"];
    for (const auto& [name, j] : js.items()) {
      Step& st = steps[name];
      ++st.outcomes[j.value("outcome", "")];
      st.reasked += j.value("retry", 0);
      note_model(j, &models);
    }
    metrics::DreamVideoJudgement v;
    v.video = r->value("sample_id", "");
    v.subset = r->value("subtask", "");
    // Recall side: the reference events against the model's description.
    const size_t n_reference = dream_reference_events(*r).size();
    std::string why = unusable(js, "recall");
    if (why.empty()) {
      const metrics::EntailmentParse e = metrics::parse_entailment_reply(js["recall"].value("content", ""), n_reference);
      if (e.ok) v.reference_events = e.labels;
      else why = "recall: " + e.reason;
    }
    // Precision side: the events extracted from the description against the reference.
    if (why.empty()) why = unusable(js, "extract_events");
    if (why.empty()) {
      const metrics::EventListParse ev = metrics::parse_event_list_reply(js["extract_events"].value("content", ""));
      if (!ev.ok) {
        why = "extract_events: " + ev.reason;
      } else if (!ev.events.empty()) {
        why = unusable(js, "precision");
        if (why.empty()) {
          const metrics::EntailmentParse e =
              metrics::parse_entailment_reply(js["precision"].value("content", ""), ev.events.size());
          if (e.ok) v.predicted_events = e.labels;
          else why = "precision: " + e.reason;
        }
      }
    }
    if (!why.empty()) {
      failures.push_back({{"sample_id", (*r)["sample_id"]}, {"reason", why}});
      continue;
    }
    reference_events += static_cast<int64_t>(v.reference_events.size());
    extracted_events += static_cast<int64_t>(v.predicted_events.size());
    const metrics::DreamScores s = metrics::dream_video_scores(v);
    precision.push_back(s.precision);
    recall.push_back(s.recall);
    subsets.push_back(v.subset);
    clusters.push_back(r->value("video", v.video));
    videos.push_back(std::move(v));
  }
  metrics::BootstrapOptions opts;
  opts.seed = seed;
  const bool macro = aggregation == "macro";
  const metrics::DreamSummary summary = metrics::summarize_dream(videos);
  const metrics::GroupedEstimate p = metrics::grouped_estimate(precision, subsets, opts, clusters);
  const metrics::GroupedEstimate rc = metrics::grouped_estimate(recall, subsets, opts, clusters);
  nlohmann::ordered_json out;
  out["n_judged"] = judged;
  out["n_awaiting_scoring"] = awaiting;
  nlohmann::ordered_json d;
  d["aggregation"] = aggregation;
  d["models"] = std::vector<std::string>(models.begin(), models.end());
  d["n_videos"] = summary.n_videos;
  d["n_failed"] = static_cast<int64_t>(failures.size());
  d["precision"] = estimate_json(macro ? p.macro : p.micro);
  d["recall"] = estimate_json(macro ? rc.macro : rc.micro);
  d["f1"] = estimate_json(metrics::f1_estimate(precision, recall, subsets, macro, opts));
  d["macro"] = scores_json(summary.macro);
  d["micro"] = scores_json(summary.micro);
  nlohmann::ordered_json by_subset = nlohmann::ordered_json::object();
  for (const auto& sub : summary.subsets) {
    nlohmann::ordered_json j = scores_json(sub.mean);
    j["n_videos"] = sub.n_videos;
    by_subset[sub.subset] = j;
  }
  d["subsets"] = by_subset;
  const double n = summary.n_videos > 0 ? static_cast<double>(summary.n_videos) : 1.0;
  d["events"] = {{"reference_mean", static_cast<double>(reference_events) / n},
                 {"extracted_mean", static_cast<double>(extracted_events) / n}};
  nlohmann::ordered_json by_step = nlohmann::ordered_json::object();
  for (const auto& [name, st] : steps) {
    nlohmann::ordered_json outcomes = nlohmann::ordered_json::object();
    for (const auto& [o, k] : st.outcomes) outcomes[o] = k;
    by_step[name] = {{"outcomes", outcomes}, {"reasked", st.reasked}};
  }
  d["steps"] = by_step;
  d["failures"] = failures;
  out["dream"] = d;
  return out;
}

}  // namespace ppb::reports
