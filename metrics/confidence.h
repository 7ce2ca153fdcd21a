// Uncertainty of a benchmark score computed from per-item values (0/1 correctness or a real
// judge score): mean, standard error, a seeded bootstrap percentile interval, the standard
// error clustered by video, and micro / macro averages over groups (sub-tasks).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ppb::metrics {

struct BootstrapOptions {
  int resamples = 1000;  // bootstrap resamples (B)
  uint64_t seed = 0;     // seed of the std::mt19937_64 that draws them
  double level = 0.95;   // coverage of the percentile interval
};

struct Estimate {
  int64_t n = 0;              // items; 0 means "no estimate" and every other field is 0
  double mean = 0.0;          // arithmetic mean of the values
  double se = 0.0;            // sample SD (n - 1 denominator) / sqrt(n); 0 when n < 2
  double ci_low = 0.0;        // bootstrap percentile interval (numpy "linear" percentiles)
  double ci_high = 0.0;
  int64_t n_clusters = 0;     // distinct cluster keys; 0 when no clusters were given
  double se_clustered = 0.0;  // CR1 cluster-robust SE; equals se when no clusters were given
  int resamples = 0;          // B used for the interval
  uint64_t seed = 0;          // seed used for the interval
};

// Mean and plain standard error (sample SD / sqrt(n)).
double mean_of(const std::vector<double>& values);
double standard_error(const std::vector<double>& values);

// Cluster-robust standard error of the mean, CR1: with residuals e_i = y_i - mean and cluster
// sums S_g, Var = G / (G - 1) * sum_g S_g^2 / n^2. With one item per cluster it equals the
// plain standard error. 0 when there are fewer than two clusters. clusters[i] keys values[i];
// throws std::invalid_argument when the sizes differ.
double clustered_standard_error(const std::vector<double>& values, const std::vector<std::string>& clusters,
                                int64_t* n_clusters = nullptr);

// Percentile bootstrap interval of the mean. Items are resampled with replacement; when
// clusters are given (non-empty), whole clusters are resampled instead (a video's questions
// stay together). Indices come from std::mt19937_64(seed) by rejection sampling on its raw
// 64-bit output, so the interval is the same on every platform and standard library.
struct Interval {
  double low = 0.0;
  double high = 0.0;
};
Interval bootstrap_interval(const std::vector<double>& values, const BootstrapOptions& options,
                            const std::vector<std::string>& clusters = {});

// Everything above for one set of values. clusters may be empty (no clustering).
Estimate estimate(const std::vector<double>& values, const BootstrapOptions& options = {},
                  const std::vector<std::string>& clusters = {});

struct GroupEstimate {
  std::string group;  // sub-task name
  Estimate estimate;  // over the items of this group
};

struct GroupedEstimate {
  std::vector<GroupEstimate> groups;  // sorted by group name
  // Micro: every item weighs the same (pooled mean; bootstrap over the pooled items or clusters).
  Estimate micro;
  // Macro: every group weighs the same (mean of group means). se = sqrt(sum se_g^2) / K and
  // se_clustered likewise (groups are independent samples); the bootstrap resamples within
  // each group (stratified) and recomputes the mean of group means.
  Estimate macro;
};

// groups[i] names the group of values[i]; clusters as in estimate(). Throws
// std::invalid_argument when sizes differ.
GroupedEstimate grouped_estimate(const std::vector<double>& values, const std::vector<std::string>& groups,
                                 const BootstrapOptions& options = {}, const std::vector<std::string>& clusters = {});

// Percentile bootstrap of any statistic of whole items (a corpus BLEU, an F1 of means). Each
// resample draws, within every stratum, as many items as the stratum holds, with replacement
// (std::mt19937_64(seed), strata in the order given), and passes `statistic` how many times each
// of the n_items items was drawn. `sd` is the replicates' standard deviation: the bootstrap
// standard error of a statistic that is not a mean.
struct BootstrapResult {
  Interval interval;
  double sd = 0.0;
};
BootstrapResult bootstrap_statistic(const std::vector<std::vector<size_t>>& strata, size_t n_items,
                                    const std::function<double(const std::vector<uint32_t>& draws)>& statistic,
                                    const BootstrapOptions& options = {});

// The estimate of a statistic that is not a mean, from its bootstrap: value and n as given, se
// (and se_clustered) the replicates' standard deviation, each item its own cluster.
Estimate statistic_estimate(double value, int64_t n, const BootstrapResult& bootstrap, const BootstrapOptions& options);

// F1 = 2PR / (P + R) of the mean precision and mean recall over paired per-item values (DREAM-1K:
// one item per video); 0 when both are 0. macro: P and R are means of the group means (Tarsier);
// otherwise pooled means. The interval comes from a bootstrap of whole items that recomputes F1
// (stratified by group for macro); F1 is not a mean, so `se` is the standard deviation of the
// bootstrap replicates and se_clustered equals it (each item is its own cluster: n_clusters = n). Throws std::invalid_argument when sizes differ.
Estimate f1_estimate(const std::vector<double>& precision, const std::vector<double>& recall,
                     const std::vector<std::string>& groups, bool macro, const BootstrapOptions& options = {});

}  // namespace ppb::metrics
