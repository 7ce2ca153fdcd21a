// The judge an extractor may ask (VLMEvalKit's fallback, `vlmeval_judge`): a ChoiceJudge bound
// to the run's judge options and the judge cache, so a re-run asks nothing twice.
#pragma once
#include <memory>
#include <string>

#include "harness/cli_options.h"
#include "harness/run_config.h"
#include "tasks/answer_extractors.h"
#include "tasks/task_registry.h"

namespace ppb::harness {

struct ChoiceJudgeOptions {
  std::string url;                                // OpenAI-compatible base URL; empty = no judge
  std::string model;                              // the judge model id (the protocol's judge_model)
  std::string cache;                              // judge cache file; empty = the default
  std::string api_key_env = "OPENAI_API_KEY";     // variable holding the key (or NAME_FILE naming a file)
  std::string template_text;                      // the protocol's choice_extraction template
  std::string template_name;                      // its file name, for error messages
};

// An empty function when no URL is given (extractors that need a judge then fail the sample
// with an error saying so). Each call renders the template, looks in the cache, asks the judge
// when needed (retries included) and stores a successful reply; a failed call throws.
tasks::ChoiceJudge make_choice_judge(const ChoiceJudgeOptions& options);

// The judge of one task under one protocol: its `choice_extraction` template (read through the
// task, so --prompts-dir applies and the fingerprint covers it) and its judge_model unless
// cfg.judge_model is set; the URL, cache and key variable from cfg. Empty when cfg has no judge
// URL or the protocol's extractor asks no judge.
tasks::ChoiceJudge choice_judge_for(const RunConfig& cfg, const tasks::Task& task, const tasks::Protocol& protocol);

// The flags that bind that judge, shared by `run` and `score`: --judge-url, --judge-model,
// --judge-cache, --api-key-env. `rescoring`: the help says an absent flag keeps the run's value.
void add_choice_judge_flags(po::options_description& o, bool rescoring);
// Copies the flags given into `cfg`; absent ones leave it as it is.
void apply_choice_judge_flags(const po::variables_map& vm, RunConfig& cfg);

}  // namespace ppb::harness
