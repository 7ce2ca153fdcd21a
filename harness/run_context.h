// RUN/context.json: where the numbers of a run come from (build, libraries, machine, command,
// model and task fingerprints). report.json copies it.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run_config.h"
#include "tasks/task_registry.h"

namespace ppb::harness {

// The built-in tasks from the run's tasks folder (default when empty) and prompts folder.
void register_run_tasks(tasks::TaskRegistry& registry, const RunConfig& cfg);
// The protocol a task runs under in this run: the configured one, or the task's default.
const tasks::Protocol& run_protocol(const tasks::Task& t, const RunConfig& cfg);
// Build, library and machine facts (no times, so that repeated runs give the same bytes).
nlohmann::json build_context();
// `model` describes the loaded model: fingerprint, dtype, device, LLM family, relevance encoder;
// `budget_plans` the solver's plan per task and method (infeasible ones with their reason).
void write_run_context(const RunConfig& cfg, const std::vector<std::string>& argv, const nlohmann::json& model,
                       const nlohmann::json& budget_plans, const std::vector<const tasks::Task*>& run_tasks);

}  // namespace ppb::harness
