// Report statistics against values worked out by hand.
#include "tests/catch_aten.h"

#include "metrics/summary_stats.h"

using namespace ppb::metrics;

TEST_CASE("percentiles interpolate linearly between order statistics", "[stats]") {
  // numpy.percentile([1, 2, 3, 4, 10], q): 50 -> 3, 90 -> 4 + 0.6*6 = 7.6, 99 -> 4 + 0.96*6 = 9.76.
  Distribution d = distribution({10, 2, 4, 1, 3});
  CHECK(d.n == 5);
  CHECK(d.mean == Approx(4.0));
  CHECK(d.p50 == Approx(3.0));
  CHECK(d.p90 == Approx(7.6));
  CHECK(d.p99 == Approx(9.76));
  CHECK(d.min == 1);
  CHECK(d.max == 10);
  CHECK(distribution({}).n == 0);
  CHECK(distribution({5}).p99 == 5);
}

TEST_CASE("accuracy with its binomial standard error", "[stats]") {
  Proportion p = proportion(3, 4);
  CHECK(p.value == Approx(0.75));
  CHECK(p.stderr_ == Approx(std::sqrt(0.75 * 0.25 / 4)));
  CHECK(proportion(0, 0).value == 0.0);
}
