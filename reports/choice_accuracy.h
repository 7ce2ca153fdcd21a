// Accuracy of a multiple-choice result under its protocol's rules: which scored records enter
// the denominator, micro or macro averaging over sub-tasks, breakdowns by sample metadata, and
// for each figure its standard error, the standard error clustered by video and a seeded
// bootstrap interval (docs/protocols.md, docs/metrics.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppb::reports {

// The protocol choices the aggregation follows, as context.json records them.
struct ScoringRules {
  std::string denominator = "all";      // "all", "parsed" or "nonempty"
  std::string aggregation = "micro";    // "micro" or "macro" over sub-tasks
  std::vector<std::string> breakdowns;  // record meta keys reported separately
  uint64_t seed = 0;                    // bootstrap seed (the run's)
};

// Reads the rules of `task` from a run's context (tasks.<task>.protocol_spec, config.seed).
ScoringRules scoring_rules(const nlohmann::json& context, const std::string& task);

// `records`: the error-free records of one (task, variant). Returns n_scored, n_excluded,
// n_unparsed, n_guessed, accuracy (the protocol's aggregation), accuracy_micro, accuracy_macro,
// subtasks.<name> and breakdowns.<key>.<value>.
nlohmann::ordered_json choice_accuracy(const std::vector<const nlohmann::json*>& records, const ScoringRules& rules);

}  // namespace ppb::reports
