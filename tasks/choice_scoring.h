// Scoring one multiple-choice response under a protocol: the protocol's extractor, then the
// seeded guess some upstream scripts make when extraction fails (so that a run, and a re-score of
// it, give the same number), then the comparison with the correct letter. The run and `ppbench
// score` both go through here.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/answer_extractors.h"
#include "tasks/task_spec.h"

namespace ppb::tasks {

struct ChoiceItem {
  std::string response;                // the generated text
  std::vector<std::string> options;    // option texts in letter order
  std::string question;                // the question (for a judge)
  std::string target;                  // the correct letter
  std::string key;                     // "<task>/<sample id>/<method>": seeds this item's guess
};

struct ChoiceScore {
  std::string parsed;      // the letter scored ("" = unparsed)
  std::string rule;        // the extractor step that decided
  bool guessed = false;    // the letter is the seeded random draw of a failed extraction
  std::string guess_pool;  // the letters the draw was made from
  bool correct = false;    // parsed == target (videochat2_check decides itself)
};

// Throws when the extractor needs a judge and none is given.
ChoiceScore score_choice(const Protocol& protocol, const ChoiceItem& item, uint64_t seed,
                         const ChoiceJudge& judge = ChoiceJudge());

// A sample record's scoring input: response, candidates, question, target, and the key
// "<task>/<sample_id>/<method>" that seeds its guess.
ChoiceItem choice_item_of_record(const nlohmann::json& record);

// Writes parsed, parse_rule, guessed (+ parse_guess_pool) and correct into a sample record.
void write_choice_score(nlohmann::json& record, const ChoiceScore& s);

}  // namespace ppb::tasks
