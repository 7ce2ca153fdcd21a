// VCG-Bench as papers print it: one row per variant with the five dimension means gathered from
// the three tasks that hold them (vcg_generic: correctness, detail, context; vcg_temporal:
// temporal; vcg_consistency: consistency) and their mean when all five are there. The mean of
// five is not in Video-ChatGPT's scripts; some papers add it, so it is shown apart.
#pragma once
#include <nlohmann/json.hpp>

namespace ppb::reports {

// `results`: report.json's results. Returns an array of {variant, protocols (task -> protocol),
// dimensions (name -> {value, stderr, n}), complete, mean_of_five (null unless complete)},
// in the order the variants first appear; empty when no VCG-Bench task has judge scores.
nlohmann::ordered_json vcg_bench_summary(const nlohmann::ordered_json& results);

}  // namespace ppb::reports
