// Runs the plan of a run: every task's samples x every method, appending one record per sample
// and variant to RUN/samples.jsonl. Samples already recorded are skipped, so a killed run
// restarted on the same folder finishes with exactly one record per sample and variant.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run_config.h"

namespace ppb::harness {

struct RunSummary {
  int64_t planned = 0;   // (sample, variant) pairs in the plan
  int64_t skipped = 0;   // already recorded before this invocation
  int64_t written = 0;   // records written now
  int64_t errors = 0;    // of those, records carrying an error
};

// Resolves "tiny" into RUN/tiny_model, writes RUN/config.json and RUN/context.json, runs the plan.
// `argv` is recorded in the context.
RunSummary run_evaluation(RunConfig cfg, const std::vector<std::string>& argv);

}  // namespace ppb::harness
