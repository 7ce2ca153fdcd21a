// The JSON form of an estimate (metrics/confidence.h) in report.json: value, n, stderr,
// ci_low, ci_high, stderr_clustered and n_clusters; accuracies add their count of correct items.
#pragma once
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "metrics/confidence.h"

namespace ppb::reports {

nlohmann::ordered_json estimate_json(const metrics::Estimate& e, std::optional<int64_t> correct = std::nullopt);

}  // namespace ppb::reports
