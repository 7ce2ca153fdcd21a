// Standard errors, clustered standard errors and bootstrap intervals, checked by hand.
#include <catch2/catch.hpp>

#include <cmath>

#include "metrics/confidence.h"

using namespace ppb::metrics;

TEST_CASE("plain and clustered standard errors of a mean", "[metrics]") {
  // values 1 0 1 1 0 0, mean 0.5, residuals +.5 -.5 +.5 +.5 -.5 -.5.
  // Plain: sample variance = 6 * 0.25 / 5 = 0.3; SE = sqrt(0.3 / 6) = sqrt(0.05) = 0.223607.
  // Clusters v1 = {1, 0}, v2 = {1, 1}, v3 = {0, 0}: residual sums 0, +1, -1; sum of squares 2.
  // CR0 = 2 / 6^2 = 0.055556; CR1 = G/(G-1) * CR0 = 3/2 * 0.055556 = 0.083333;
  // SE = sqrt(1/12) = 0.288675 (larger: each video's answers move together).
  const std::vector<double> v = {1, 0, 1, 1, 0, 0};
  const std::vector<std::string> videos = {"v1", "v1", "v2", "v2", "v3", "v3"};
  CHECK(mean_of(v) == Approx(0.5));
  CHECK(standard_error(v) == Approx(std::sqrt(0.05)));
  int64_t g = 0;
  CHECK(clustered_standard_error(v, videos, &g) == Approx(std::sqrt(1.0 / 12.0)));
  CHECK(g == 3);
  // One item per cluster: CR1 reduces to the plain standard error.
  CHECK(clustered_standard_error(v, {"a", "b", "c", "d", "e", "f"}) == Approx(standard_error(v)));
  // A single cluster has no between-cluster variance to estimate.
  CHECK(clustered_standard_error(v, std::vector<std::string>(6, "same")) == 0.0);
  CHECK_THROWS_WITH(clustered_standard_error(v, {"a"}), Catch::Contains("6 values but 1 cluster keys"));
}

TEST_CASE("bootstrap intervals are reproducible with a seed and contain the mean", "[metrics]") {
  std::vector<double> v;
  for (int i = 0; i < 200; ++i) v.push_back((i * 37) % 100 < 63 ? 1.0 : 0.0);  // 63% ones
  BootstrapOptions opt;
  opt.seed = 1234;
  const Estimate a = estimate(v, opt);
  const Estimate b = estimate(v, opt);
  CHECK(a.n == 200);
  CHECK(a.mean == Approx(0.63));
  CHECK(a.resamples == 1000);
  CHECK(a.seed == 1234);
  CHECK(a.ci_low == b.ci_low);  // same seed, bit-identical interval
  CHECK(a.ci_high == b.ci_high);
  CHECK(a.ci_low < a.mean);
  CHECK(a.mean < a.ci_high);
  // The 95% percentile interval is about mean +- 1.96 SE (SE = 0.034): width near 0.13.
  CHECK(a.ci_high - a.ci_low == Approx(2 * 1.96 * a.se).epsilon(0.2));
  opt.seed = 99;
  const Interval other = bootstrap_interval(v, opt);
  CHECK((other.low != a.ci_low || other.high != a.ci_high));
  // Constant values: every resample has the same mean.
  const Interval flat = bootstrap_interval(std::vector<double>(10, 3.0), opt);
  CHECK(flat.low == 3.0);
  CHECK(flat.high == 3.0);
  // Cluster resampling is reproducible too and no narrower than the item bootstrap here.
  std::vector<std::string> videos;
  for (int i = 0; i < 200; ++i) videos.push_back("v" + std::to_string(i / 4));
  const Estimate c1 = estimate(v, opt, videos);
  const Estimate c2 = estimate(v, opt, videos);
  CHECK(c1.n_clusters == 50);
  CHECK(c1.ci_low == c2.ci_low);
  CHECK(c1.ci_high == c2.ci_high);
  CHECK(estimate({}, opt).n == 0);
  opt.resamples = 0;
  CHECK_THROWS_WITH(estimate(v, opt), Catch::Contains("resamples"));
}

TEST_CASE("micro and macro averages over sub-tasks", "[metrics]") {
  // Group A: {1, 0} (mean 0.5, SE sqrt(0.5 / 2) = 0.5); group B: {1, 1, 1, 1} (mean 1, SE 0).
  // Micro = 5/6; macro = (0.5 + 1) / 2 = 0.75, macro SE = sqrt(0.5^2 + 0^2) / 2 = 0.25.
  const std::vector<double> v = {1, 0, 1, 1, 1, 1};
  const std::vector<std::string> groups = {"A", "A", "B", "B", "B", "B"};
  BootstrapOptions opt;
  opt.seed = 7;
  const GroupedEstimate g = grouped_estimate(v, groups, opt);
  REQUIRE(g.groups.size() == 2);
  CHECK(g.groups[0].group == "A");
  CHECK(g.groups[0].estimate.mean == Approx(0.5));
  CHECK(g.groups[0].estimate.se == Approx(0.5));
  CHECK(g.micro.mean == Approx(5.0 / 6.0));
  CHECK(g.macro.mean == Approx(0.75));
  CHECK(g.macro.se == Approx(0.25));
  // Stratified resampling keeps B at 1: the macro mean ranges over (A mean + 1) / 2, i.e.
  // 0.5, 0.75 or 1.0.
  CHECK(g.macro.ci_low >= 0.5);
  CHECK(g.macro.ci_high <= 1.0);
  CHECK(g.macro.ci_low <= g.macro.mean);
  const GroupedEstimate again = grouped_estimate(v, groups, opt);
  CHECK(again.macro.ci_low == g.macro.ci_low);
  CHECK(again.macro.ci_high == g.macro.ci_high);
  CHECK_THROWS_WITH(grouped_estimate(v, {"A"}, opt), Catch::Contains("group names"));
}

TEST_CASE("F1 of mean precision and recall, micro and macro, with a bootstrap interval", "[metrics]") {
  // Items: (P, R) = (1, 0.5), (0.5, 0.5) in group a and (0, 1) in group b.
  // Micro: P = 0.5, R = 2/3, F1 = 2 * 0.5 * (2/3) / (0.5 + 2/3) = 4/7.
  // Macro: a has P = 0.75, R = 0.5; b has P = 0, R = 1; P = 0.375, R = 0.75, F1 = 0.5.
  const std::vector<double> p = {1.0, 0.5, 0.0}, r = {0.5, 0.5, 1.0};
  const std::vector<std::string> groups = {"a", "a", "b"};
  BootstrapOptions opt;
  opt.seed = 11;
  const Estimate micro = f1_estimate(p, r, groups, false, opt);
  CHECK(micro.n == 3);
  CHECK(micro.mean == Approx(4.0 / 7.0));
  const Estimate macro = f1_estimate(p, r, groups, true, opt);
  CHECK(macro.mean == Approx(0.5));
  // Stratified: b always contributes (0, 1); a's resampled means are P in {0.5, 0.75, 1} with R
  // 0.5, so macro F1 = 2 * (P/2) * 0.75 / (P/2 + 0.75) is 0.375, 0.5 or 0.6.
  CHECK(macro.ci_low >= 0.375 - 1e-12);
  CHECK(macro.ci_high <= 0.6 + 1e-12);
  CHECK(macro.se > 0.0);
  CHECK(macro.se_clustered == macro.se);
  const Estimate again = f1_estimate(p, r, groups, true, opt);
  CHECK(again.ci_low == macro.ci_low);
  CHECK(again.ci_high == macro.ci_high);
  // Identical items: every replicate is the value itself.
  const Estimate flat = f1_estimate({0.5, 0.5}, {1.0, 1.0}, {"x", "y"}, false, opt);
  CHECK(flat.mean == Approx(2.0 / 3.0));
  CHECK(flat.se == Approx(0.0).margin(1e-9));  // replicates differ only by rounding
  CHECK(flat.ci_low == Approx(2.0 / 3.0));
  CHECK(flat.ci_high == Approx(2.0 / 3.0));
  CHECK(f1_estimate({0.0}, {0.0}, {"x"}, true, opt).mean == 0.0);
  CHECK(f1_estimate({}, {}, {}, true, opt).n == 0);
  CHECK_THROWS_WITH(f1_estimate(p, {0.5}, groups, true, opt), Catch::Contains("recalls"));
}

TEST_CASE("a bootstrap of any statistic draws like the bootstrap of a mean", "[metrics]") {
  // With the mean as the statistic, the same seed must give bootstrap_interval's interval: the
  // two draw the same indices in the same order.
  const std::vector<double> v = {0.1, 0.9, 0.4, 0.4, 1.0, 0.0, 0.7};
  BootstrapOptions opt;
  opt.seed = 5;
  opt.resamples = 200;
  std::vector<std::vector<size_t>> all(1);
  for (size_t i = 0; i < v.size(); ++i) all[0].push_back(i);
  std::vector<double> replicates;
  const BootstrapResult b = bootstrap_statistic(all, v.size(), [&](const std::vector<uint32_t>& draws) {
    double s = 0.0, n = 0.0;
    for (size_t i = 0; i < v.size(); ++i) {
      s += draws[i] * v[i];
      n += draws[i];
    }
    replicates.push_back(s / n);
    return s / n;
  }, opt);
  const Interval plain = bootstrap_interval(v, opt);
  CHECK(b.interval.low == Approx(plain.low).epsilon(1e-12));  // sums in another order: rounding only
  CHECK(b.interval.high == Approx(plain.high).epsilon(1e-12));
  // sd: the replicates' standard deviation (n - 1 denominator), computed here.
  REQUIRE(replicates.size() == 200);
  double m = 0.0, ss = 0.0;
  for (double x : replicates) m += x / 200.0;
  for (double x : replicates) ss += (x - m) * (x - m);
  CHECK(b.sd == Approx(std::sqrt(ss / 199.0)));
}
