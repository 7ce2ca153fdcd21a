#include "reports/estimate_json.h"

namespace ppb::reports {

nlohmann::ordered_json estimate_json(const metrics::Estimate& e, std::optional<int64_t> correct) {
  nlohmann::ordered_json j;
  j["value"] = e.mean;
  if (correct) j["correct"] = *correct;
  j["n"] = e.n;
  j["stderr"] = e.se;
  j["ci_low"] = e.ci_low;
  j["ci_high"] = e.ci_high;
  j["stderr_clustered"] = e.se_clustered;
  j["n_clusters"] = e.n_clusters;
  return j;
}

}  // namespace ppb::reports
