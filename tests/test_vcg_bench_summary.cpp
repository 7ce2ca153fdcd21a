// The VCG-Bench summary gathers the five dimensions of one variant from three tasks' rows.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "reports/vcg_bench_summary.h"

using nlohmann::ordered_json;
using ppb::reports::vcg_bench_summary;

namespace {
ordered_json variant(const std::string& method) {
  return {{"method", method}, {"budget", 128}, {"frames", 4}, {"checkpoint", "c"}};
}
ordered_json score(double value, int n) { return {{"value", value}, {"n", n}, {"stderr", 0.1}}; }
ordered_json result(const std::string& task, const std::string& method, const ordered_json& dims) {
  ordered_json d = ordered_json::object();
  for (const auto& [name, s] : dims.items()) d[name] = {{"mean_score", s}};
  return {{"task", task}, {"protocol", "ppllava"}, {"variant", variant(method)}, {"n_scored", 2},
          {"judge", {{"dimensions", d}}}};
}
}  // namespace

TEST_CASE("VCG-Bench's five dimensions per variant, and their mean only when all are there", "[reports]") {
  ordered_json results = ordered_json::array();
  results.push_back(result("vcg_generic", "a", {{"correctness", score(3.0, 2)}, {"detail", score(2.5, 2)},
                                                {"context", score(3.5, 2)}}));
  results.push_back(result("vcg_generic", "b", {{"correctness", score(1.0, 2)}, {"detail", score(1.0, 2)},
                                                {"context", score(1.0, 2)}}));
  results.push_back(result("msvd_qa", "a", {{"correctness", score(4.0, 2)}}));  // not VCG-Bench
  results.push_back(result("vcg_temporal", "a", {{"temporal", score(2.0, 2)}}));
  results.push_back(result("vcg_consistency", "a", {{"consistency", score(4.0, 2)}}));
  const ordered_json s = vcg_bench_summary(results);
  REQUIRE(s.size() == 2);
  CHECK(s[0]["variant"]["method"] == "a");
  CHECK(s[0]["complete"] == true);
  CHECK(s[0]["mean_of_five"].get<double>() == Approx((3.0 + 2.5 + 3.5 + 2.0 + 4.0) / 5.0));
  CHECK(s[0]["dimensions"]["correctness"]["value"] == 3.0);  // from vcg_generic, not msvd_qa
  CHECK(s[0]["protocols"]["vcg_temporal"] == "ppllava");
  // Dimensions in the papers' order, whatever order the tasks came in.
  std::vector<std::string> names;
  for (const auto& [name, v] : s[0]["dimensions"].items()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"correctness", "detail", "context", "temporal", "consistency"});
  CHECK(s[1]["complete"] == false);
  CHECK(s[1]["mean_of_five"].is_null());
  CHECK(vcg_bench_summary(ordered_json::array({result("msvd_qa", "a", {{"correctness", score(4.0, 2)}})})).empty());
}
