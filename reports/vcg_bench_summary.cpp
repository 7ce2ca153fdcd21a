#include "reports/vcg_bench_summary.h"

#include <map>
#include <string>
#include <vector>

namespace ppb::reports {

nlohmann::ordered_json vcg_bench_summary(const nlohmann::ordered_json& results) {
  static const std::map<std::string, std::vector<std::string>> kTaskDimensions = {
      {"vcg_generic", {"correctness", "detail", "context"}},
      {"vcg_temporal", {"temporal"}},
      {"vcg_consistency", {"consistency"}}};
  static const char* const kOrder[] = {"correctness", "detail", "context", "temporal", "consistency"};
  std::vector<std::string> order;
  std::map<std::string, nlohmann::ordered_json> rows;  // by variant
  for (const auto& r : results) {
    const auto task = kTaskDimensions.find(r.value("task", ""));
    if (task == kTaskDimensions.end() || !r.contains("judge") || r.value("n_scored", 0) == 0) continue;
    const std::string key = r["variant"].dump();
    auto [it, fresh] = rows.try_emplace(key);
    nlohmann::ordered_json& row = it->second;
    if (fresh) {
      order.push_back(key);
      row["variant"] = r["variant"];
      row["protocols"] = nlohmann::ordered_json::object();
      row["dimensions"] = nlohmann::ordered_json::object();
    }
    row["protocols"][task->first] = r.value("scored_protocol", r["protocol"].get<std::string>());
    for (const std::string& dim : task->second) {
      if (!r["judge"]["dimensions"].contains(dim)) continue;
      const auto& m = r["judge"]["dimensions"][dim]["mean_score"];
      if (m.value("n", 0) == 0) continue;
      row["dimensions"][dim] = {{"value", m["value"]}, {"stderr", m["stderr"]}, {"n", m["n"]}};
    }
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const std::string& key : order) {
    nlohmann::ordered_json row = rows.at(key);
    // Dimensions in the papers' order.
    nlohmann::ordered_json dims = nlohmann::ordered_json::object();
    double sum = 0.0;
    for (const char* d : kOrder)
      if (row["dimensions"].contains(d)) {
        dims[d] = row["dimensions"][d];
        sum += dims[d]["value"].get<double>();
      }
    row["dimensions"] = dims;
    const bool complete = dims.size() == std::size(kOrder);
    row["complete"] = complete;
    row["mean_of_five"] = complete ? nlohmann::ordered_json(sum / 5.0) : nlohmann::ordered_json(nullptr);
    out.push_back(row);
  }
  return out;
}

}  // namespace ppb::reports
