#include "metrics/summary_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace ppb::metrics {

Proportion proportion(int64_t hits, int64_t n) {
  Proportion p;
  p.n = n;
  p.hits = hits;
  if (n > 0) {
    p.value = static_cast<double>(hits) / static_cast<double>(n);
    p.stderr_ = std::sqrt(p.value * (1.0 - p.value) / static_cast<double>(n));
  }
  return p;
}

double percentile_sorted(const std::vector<double>& v, double q) {
  if (v.empty()) throw std::runtime_error("percentile of an empty list");
  const double pos = q / 100.0 * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

Distribution distribution(std::vector<double> values) {
  Distribution d;
  d.n = static_cast<int64_t>(values.size());
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  d.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  d.p50 = percentile_sorted(values, 50);
  d.p90 = percentile_sorted(values, 90);
  d.p99 = percentile_sorted(values, 99);
  d.min = values.front();
  d.max = values.back();
  return d;
}

}  // namespace ppb::metrics
