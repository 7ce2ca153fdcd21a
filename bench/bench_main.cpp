// ppb_bench's entry point: Google Benchmark's, after the OpenMP wait policy that ppbench itself
// runs with (common/process_env.h), so that the figures are ppbench's.
#include <benchmark/benchmark.h>

#include "common/process_env.h"

int main(int argc, char** argv) {
  ppb::restart_with_passive_openmp(argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
