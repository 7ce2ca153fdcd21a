// Summary statistics for reports: accuracy with its standard error, and latency percentiles.
#pragma once
#include <cstdint>
#include <vector>

namespace ppb::metrics {

struct Proportion {
  int64_t n = 0;          // items in the denominator
  int64_t hits = 0;       // items counted as correct
  double value = 0.0;     // hits / n (0 when n == 0)
  double stderr_ = 0.0;   // sqrt(p (1 - p) / n), the binomial standard error
};
Proportion proportion(int64_t hits, int64_t n);

struct Distribution {
  int64_t n = 0;     // values summarised
  double mean = 0;   // arithmetic mean
  double p50 = 0;    // percentiles with linear interpolation between order statistics (numpy's default)
  double p90 = 0;
  double p99 = 0;
  double min = 0;
  double max = 0;
};
Distribution distribution(std::vector<double> values);

// The q-th percentile (0..100) of sorted values, numpy's "linear" method.
double percentile_sorted(const std::vector<double>& sorted, double q);

}  // namespace ppb::metrics
