// Scores of judged results (open-ended QA, VCG-Bench, DREAM-1K): each record's raw judge replies, from
// `ppbench judge`, are parsed here under the protocol's policy (vcg_original, lmms, tarsier),
// so a re-parse under another policy never calls the judge again (docs/judge.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppb::reports {

// `records`: the error-free records of one (task, variant); `family`: open_ended_judged (replies
// carry pred and score) or vcg_judged (score only); `policy`: the protocol's judge_parse; `seed`:
// the bootstrap seed. Returns n_judged, n_awaiting_scoring, n_without_verdict (judged records
// with a dimension whose call failed or whose reply the policy could not read), and `judge`:
// per dimension n_items, n_parse_failed (ok replies not in the policy's format; failed calls are
// in `outcomes` only, and count as the policy says), yes-rate (QA correctness) and mean score,
// each with its standard error, clustered standard error and bootstrap interval, plus the judge
// models seen.
nlohmann::ordered_json judge_scores(const std::vector<const nlohmann::json*>& records, const std::string& family,
                                    const std::string& policy, uint64_t seed);

// DREAM-1K (AutoDQ) from the judgements `ppbench judge` recorded (extract_events, recall,
// precision; harness/judge_plan.h): per video, recall = reference events judged entailed by the
// model's description / reference events, precision = extracted events entailed by the
// reference / extracted events (1.0 for an empty list). A video whose calls failed, or whose
// replies stayed unusable after the re-asks, is left out and listed under `failures`.
// `aggregation`: "macro" (mean over subsets of the subset means, Tarsier) or "micro" (mean over
// videos); both are reported, the protocol's one also as `precision`, `recall` and `f1` with
// standard errors, clustered standard errors and bootstrap intervals.
nlohmann::ordered_json dream_scores(const std::vector<const nlohmann::json*>& records, const std::string& aggregation,
                                    uint64_t seed);

}  // namespace ppb::reports
