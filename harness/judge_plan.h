// What `ppbench judge` asks the judge about one record, round by round. Open-ended QA and
// VCG-Bench need one call per judged dimension. DREAM-1K (AutoDQ) needs three: events extracted
// from the model's description and the reference events judged against that description
// (first round), then the extracted events judged against the reference description (second
// round). A reply that does not parse is asked again, up to the protocol's judge_parse_retries,
// with seed = the re-ask number so that each re-ask is its own request and cache entry.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/judge_template.h"
#include "tasks/task_registry.h"

namespace ppb::harness {

// DREAM-1K's judgement keys under a record's `judgements`.
inline constexpr const char* kDreamExtract = "extract_events";  // events of the model's description
inline constexpr const char* kDreamRecall = "recall";           // reference events vs the description
inline constexpr const char* kDreamPrecision = "precision";     // extracted events vs the reference

struct JudgeAsk {
  std::string dimension;                           // key under the record's `judgements`
  std::vector<tasks::JudgeMessageText> messages;   // the rendered judge template
  int retry = 0;                                   // 0: first ask; k: k-th re-ask (sent with seed k)
  std::string rejected_reason;                     // re-asks: why the previous reply was not usable
};

// The calls `rec` still needs, given the judgements this pass has collected in rec["judgements"]
// (absent or partial). Empty when the record is complete or nothing more can be asked (a call
// that failed after the client's retries, or a reply still unusable after every re-ask).
std::vector<JudgeAsk> next_judge_asks(const nlohmann::json& rec, const tasks::Task& task,
                                      const tasks::Protocol& protocol);

}  // namespace ppb::harness
