// One sample's evaluation: the stages every variant shares (frames, vision features, prompt
// relevance), then one record per variant (reducer at its solved budget parameters, prompt,
// generation, answer extraction), with per-stage times and token counts as docs/outputs.md says.
#pragma once
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "datasets/frame_loader.h"
#include "datasets/sample.h"
#include "model/budget_solver.h"
#include "model/token_reducers.h"
#include "model/video_llm.h"
#include "tasks/choice_scoring.h"
#include "tasks/task_registry.h"

namespace ppb::harness {

// A method at the run's budget, as the solver planned it for one task.
struct Variant {
  const model::TokenReducer* reducer = nullptr;
  model::BudgetPlan plan;
  nlohmann::json key;  // {method, budget, frames, checkpoint}: with task and sample id, the record's key
};

// The work a sample's variants share.
struct SharedStages {
  std::vector<int64_t> frame_indices;
  int64_t frames_total = 0;
  nlohmann::json frame_load = nlohmann::json::object();  // cache use and decoder statistics
  at::Tensor features;                                   // [T, h, w, D_vision]
  std::string user_message;                              // the protocol's template rendered for this sample
  std::string user_message_2;                            // the same for a second phrasing (VCG consistency); empty otherwise
  at::Tensor relevance;                                  // [T, h, w], when a variant needs it
  std::string relevance_text;                            // what the relevance encoder read
  double decode_ms = 0, preprocess_ms = 0, vision_ms = 0, relevance_ms = 0;
  nlohmann::json error;                                  // null, or {stage, message}: every variant fails with it
};

struct SampleContext {
  const model::VideoLlm* llm = nullptr;
  const tasks::Task* task = nullptr;
  const tasks::Protocol* protocol = nullptr;  // the protocol the task runs under
  std::string task_fingerprint;               // Task::fingerprint(protocol)
  const datasets::Sample* sample = nullptr;
  int max_new_tokens = 0;    // generation limit
  std::string preprocess;    // the frame geometry's name, for records
  uint64_t seed = 0;         // the run's seed: extractors' guesses draw from it
  tasks::ChoiceJudge choice_judge;  // the judge extractors may ask; empty without --judge-url
};

// Renders the protocol's prompt for the decoded frames (subtitles at their times) and takes the
// frames (or the error loading them raised) through normalisation, the vision tower and, when
// `need_relevance`, the relevance encoder on the user message.
SharedStages shared_stages(const SampleContext& ctx, const datasets::LoadedFrames* frames, const std::string& load_error,
                           double waited_ms, bool need_relevance);

// The record of one variant; errors are recorded in it, never thrown.
nlohmann::json evaluate_variant(const SampleContext& ctx, const SharedStages& shared, const Variant& v);

}  // namespace ppb::harness
