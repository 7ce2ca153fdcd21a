// Standard errors and bootstrap intervals of per-item scores (see confidence.h).
#include "metrics/confidence.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>

#include "metrics/summary_stats.h"

namespace ppb::metrics {
namespace {

// A resampling unit: one item, or one cluster (the sum and count of its items).
struct Unit {
  double sum = 0.0;
  int64_t count = 0;
};

std::vector<Unit> make_units(const std::vector<double>& values, const std::vector<std::string>& clusters) {
  std::vector<Unit> units;
  if (clusters.empty()) {
    units.reserve(values.size());
    for (double v : values) units.push_back({v, 1});
    return units;
  }
  std::map<std::string, size_t> index;  // ordered: the unit order must not depend on hashing
  for (size_t i = 0; i < values.size(); ++i) {
    auto [it, fresh] = index.emplace(clusters[i], units.size());
    if (fresh) units.push_back({});
    units[it->second].sum += values[i];
    units[it->second].count += 1;
  }
  return units;
}

// Uniform index in [0, n) from the raw output of mt19937_64, whose sequence the standard fixes.
// std::uniform_int_distribution is implementation-defined, so it would make intervals differ
// between libstdc++ and libc++. Rejecting the lowest 2^64 mod n values removes modulo bias.
uint64_t draw_index(std::mt19937_64& rng, uint64_t n) {
  const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
  for (;;) {
    const uint64_t x = rng();
    if (x >= threshold) return x % n;
  }
}

double resampled_mean(const std::vector<Unit>& units, std::mt19937_64& rng) {
  double sum = 0.0;
  int64_t count = 0;
  for (size_t k = 0; k < units.size(); ++k) {
    const Unit& u = units[draw_index(rng, units.size())];
    sum += u.sum;
    count += u.count;
  }
  return count > 0 ? sum / static_cast<double>(count) : 0.0;
}

Interval percentile_interval(std::vector<double> stats, double level) {
  std::sort(stats.begin(), stats.end());
  const double tail = (1.0 - level) / 2.0 * 100.0;
  return {percentile_sorted(stats, tail), percentile_sorted(stats, 100.0 - tail)};
}

void check_options(const BootstrapOptions& options) {
  if (options.resamples < 1) throw std::invalid_argument("bootstrap: resamples must be at least 1");
  if (!(options.level > 0.0 && options.level < 1.0)) throw std::invalid_argument("bootstrap: level must be in (0, 1)");
}

void check_clusters(const std::vector<double>& values, const std::vector<std::string>& clusters, const char* what) {
  if (!clusters.empty() && clusters.size() != values.size())
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(values.size()) + " values but " +
                                std::to_string(clusters.size()) + " cluster keys");
}

}  // namespace

double mean_of(const std::vector<double>& values) {
  if (values.empty()) return 0.0;
  double s = 0.0;
  for (double v : values) s += v;
  return s / static_cast<double>(values.size());
}

double standard_error(const std::vector<double>& values) {
  const size_t n = values.size();
  if (n < 2) return 0.0;
  const double m = mean_of(values);
  double ss = 0.0;
  for (double v : values) ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(n - 1) / static_cast<double>(n));
}

double clustered_standard_error(const std::vector<double>& values, const std::vector<std::string>& clusters,
                                int64_t* n_clusters) {
  if (clusters.size() != values.size())
    throw std::invalid_argument("clustered standard error: " + std::to_string(values.size()) + " values but " +
                                std::to_string(clusters.size()) + " cluster keys");
  const double m = mean_of(values);
  std::map<std::string, double> residual_sums;
  for (size_t i = 0; i < values.size(); ++i) residual_sums[clusters[i]] += values[i] - m;
  const auto g = static_cast<double>(residual_sums.size());
  if (n_clusters) *n_clusters = static_cast<int64_t>(residual_sums.size());
  if (residual_sums.size() < 2) return 0.0;
  double s2 = 0.0;
  for (const auto& entry : residual_sums) s2 += entry.second * entry.second;
  const auto n = static_cast<double>(values.size());
  return std::sqrt(g / (g - 1.0) * s2 / (n * n));
}

Interval bootstrap_interval(const std::vector<double>& values, const BootstrapOptions& options,
                            const std::vector<std::string>& clusters) {
  check_options(options);
  check_clusters(values, clusters, "bootstrap");
  if (values.empty()) return {};
  const std::vector<Unit> units = make_units(values, clusters);
  std::mt19937_64 rng(options.seed);
  std::vector<double> stats;
  stats.reserve(static_cast<size_t>(options.resamples));
  for (int b = 0; b < options.resamples; ++b) stats.push_back(resampled_mean(units, rng));
  return percentile_interval(std::move(stats), options.level);
}

Estimate estimate(const std::vector<double>& values, const BootstrapOptions& options,
                  const std::vector<std::string>& clusters) {
  check_options(options);
  check_clusters(values, clusters, "estimate");
  Estimate e;
  if (values.empty()) return e;
  e.n = static_cast<int64_t>(values.size());
  e.mean = mean_of(values);
  e.se = standard_error(values);
  e.se_clustered = e.se;
  if (!clusters.empty()) e.se_clustered = clustered_standard_error(values, clusters, &e.n_clusters);
  const Interval ci = bootstrap_interval(values, options, clusters);
  e.ci_low = ci.low;
  e.ci_high = ci.high;
  e.resamples = options.resamples;
  e.seed = options.seed;
  return e;
}

GroupedEstimate grouped_estimate(const std::vector<double>& values, const std::vector<std::string>& groups,
                                 const BootstrapOptions& options, const std::vector<std::string>& clusters) {
  check_options(options);
  check_clusters(values, clusters, "grouped estimate");
  if (groups.size() != values.size())
    throw std::invalid_argument("grouped estimate: " + std::to_string(values.size()) + " values but " +
                                std::to_string(groups.size()) + " group names");
  GroupedEstimate out;
  out.micro = estimate(values, options, clusters);
  if (values.empty()) return out;

  // Split by group, keeping the items' order inside each group.
  std::map<std::string, std::pair<std::vector<double>, std::vector<std::string>>> by_group;
  for (size_t i = 0; i < values.size(); ++i) {
    auto& slot = by_group[groups[i]];
    slot.first.push_back(values[i]);
    if (!clusters.empty()) slot.second.push_back(clusters[i]);
  }
  std::vector<std::vector<Unit>> group_units;
  double mean_sum = 0.0, var_sum = 0.0, var_clustered_sum = 0.0;
  int64_t cluster_total = 0;
  for (const auto& [name, slot] : by_group) {
    out.groups.push_back({name, estimate(slot.first, options, slot.second)});
    const Estimate& g = out.groups.back().estimate;
    mean_sum += g.mean;
    var_sum += g.se * g.se;
    var_clustered_sum += g.se_clustered * g.se_clustered;
    cluster_total += g.n_clusters;
    group_units.push_back(make_units(slot.first, slot.second));
  }
  const auto k = static_cast<double>(by_group.size());
  Estimate& m = out.macro;
  m.n = static_cast<int64_t>(values.size());
  m.mean = mean_sum / k;
  m.se = std::sqrt(var_sum) / k;
  m.se_clustered = std::sqrt(var_clustered_sum) / k;
  m.n_clusters = cluster_total;
  m.resamples = options.resamples;
  m.seed = options.seed;
  // Stratified bootstrap: each group keeps its size; one generator serves all groups in
  // name order, so the interval depends only on (values, groups, clusters, seed).
  std::mt19937_64 rng(options.seed);
  std::vector<double> stats;
  stats.reserve(static_cast<size_t>(options.resamples));
  for (int b = 0; b < options.resamples; ++b) {
    double s = 0.0;
    for (const std::vector<Unit>& units : group_units) s += resampled_mean(units, rng);
    stats.push_back(s / k);
  }
  const Interval ci = percentile_interval(std::move(stats), options.level);
  m.ci_low = ci.low;
  m.ci_high = ci.high;
  return out;
}

BootstrapResult bootstrap_statistic(const std::vector<std::vector<size_t>>& strata, size_t n_items,
                                    const std::function<double(const std::vector<uint32_t>& draws)>& statistic,
                                    const BootstrapOptions& options) {
  check_options(options);
  BootstrapResult out;
  if (n_items == 0) return out;
  std::mt19937_64 rng(options.seed);
  std::vector<double> stats;
  stats.reserve(static_cast<size_t>(options.resamples));
  std::vector<uint32_t> draws(n_items);
  for (int b = 0; b < options.resamples; ++b) {
    std::fill(draws.begin(), draws.end(), 0u);
    for (const auto& items : strata)
      for (size_t k = 0; k < items.size(); ++k) ++draws.at(items[draw_index(rng, items.size())]);
    stats.push_back(statistic(draws));
  }
  out.sd = stats.size() > 1 ? standard_error(stats) * std::sqrt(static_cast<double>(stats.size())) : 0.0;
  out.interval = percentile_interval(std::move(stats), options.level);
  return out;
}

Estimate f1_estimate(const std::vector<double>& precision, const std::vector<double>& recall,
                     const std::vector<std::string>& groups, bool macro, const BootstrapOptions& options) {
  check_options(options);
  if (precision.size() != recall.size() || groups.size() != precision.size())
    throw std::invalid_argument("F1 estimate: " + std::to_string(precision.size()) + " precisions, " +
                                std::to_string(recall.size()) + " recalls and " + std::to_string(groups.size()) +
                                " group names");
  if (precision.empty()) return {};
  // Strata of item indices: one per group (macro) or one for everything (micro).
  std::map<std::string, std::vector<size_t>> by_group;
  for (size_t i = 0; i < precision.size(); ++i) by_group[macro ? groups[i] : std::string()].push_back(i);
  std::vector<std::vector<size_t>> strata;
  for (auto& entry : by_group) strata.push_back(std::move(entry.second));
  // F1 of the mean (over strata) of each stratum's weighted mean P and R.
  auto f1_of = [&](const std::vector<uint32_t>& weight) {
    double p = 0.0, r = 0.0;
    for (const auto& items : strata) {
      double ps = 0.0, rs = 0.0, w = 0.0;
      for (size_t i : items) {
        ps += weight[i] * precision[i];
        rs += weight[i] * recall[i];
        w += weight[i];
      }
      p += ps / w;
      r += rs / w;
    }
    const auto k = static_cast<double>(strata.size());
    p /= k;
    r /= k;
    return p + r > 0.0 ? 2.0 * p * r / (p + r) : 0.0;
  };
  return statistic_estimate(f1_of(std::vector<uint32_t>(precision.size(), 1u)), static_cast<int64_t>(precision.size()),
                            bootstrap_statistic(strata, precision.size(), f1_of, options), options);
}

Estimate statistic_estimate(double value, int64_t n, const BootstrapResult& bootstrap, const BootstrapOptions& options) {
  Estimate e;
  e.n = n;
  e.n_clusters = n;  // whole items are resampled: each is its own cluster
  e.mean = value;
  e.se = e.se_clustered = bootstrap.sd;
  e.ci_low = bootstrap.interval.low;
  e.ci_high = bootstrap.interval.high;
  e.resamples = options.resamples;
  e.seed = options.seed;
  return e;
}

}  // namespace ppb::metrics
