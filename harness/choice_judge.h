// The judge an extractor may ask (VLMEvalKit's fallback, `vlmeval_judge`): a ChoiceJudge bound
// to the run's judge options and the judge cache, so a re-run asks nothing twice.
#pragma once
#include <memory>
#include <string>

#include "tasks/answer_extractors.h"

namespace ppb::harness {

struct ChoiceJudgeOptions {
  std::string url;                                // OpenAI-compatible base URL; empty = no judge
  std::string model = "gpt-3.5-turbo-0125";       // VLMEvalKit's chatgpt-0125
  std::string cache;                              // judge cache file; empty = the default
  std::string api_key_env = "OPENAI_API_KEY";     // variable holding the key (or NAME_FILE naming a file)
  std::string template_text;                      // tasks/judges/choice_extraction.txt
};

// An empty function when no URL is given (extractors that need a judge then fail the sample
// with an error saying so). Each call renders the template, looks in the cache, asks the judge
// when needed (retries included) and stores a successful reply; a failed call throws.
tasks::ChoiceJudge make_choice_judge(const ChoiceJudgeOptions& options);

}  // namespace ppb::harness
