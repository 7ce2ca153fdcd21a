#include "tasks/choice_scoring.h"

#include <random>

#include "datasets/frame_sampling.h"

namespace ppb::tasks {

ChoiceScore score_choice(const Protocol& protocol, const ChoiceItem& item, uint64_t seed, const ChoiceJudge& judge) {
  const AnswerExtractor& extractor = builtin_extractors().get(protocol.extractor);
  ExtractorInput in;
  in.response = item.response;
  in.answer_prefix = protocol.answer_prefix;
  in.n_options = item.options.size();
  in.options = item.options;
  in.question = item.question;
  in.target = item.target;  // only videochat2_check reads it: it is a correctness check, not a parser
  in.judge = judge;
  const Extraction x = extractor.extract(in);
  ChoiceScore s;
  s.parsed = x.answer;
  s.rule = x.rule;
  s.guess_pool = x.guess_pool;
  if (s.parsed.empty() && !x.guess_pool.empty()) {
    // The upstream script draws at random here; the draw is seeded per item so it is repeatable.
    std::mt19937_64 rng(datasets::derive_seed(seed, "guess/" + item.key));
    s.parsed = std::string(1, x.guess_pool[rng() % x.guess_pool.size()]);
    s.guessed = true;
  }
  s.correct = !s.parsed.empty() && s.parsed == item.target;
  return s;
}

ChoiceItem choice_item_of_record(const nlohmann::json& r) {
  ChoiceItem item;
  item.response = r.at("response").is_string() ? r.at("response").get<std::string>() : "";
  item.options = r.at("candidates").get<std::vector<std::string>>();
  item.question = r.at("question").get<std::string>();
  item.target = r.at("target").get<std::string>();
  item.key = r.at("task").get<std::string>() + "/" + r.at("sample_id").get<std::string>() + "/" +
             r.at("variant").at("method").get<std::string>();
  return item;
}

void write_choice_score(nlohmann::json& record, const ChoiceScore& s) {
  record["parsed"] = s.parsed;
  record["parse_rule"] = s.rule;
  record["guessed"] = s.guessed;
  if (!s.guess_pool.empty()) record["parse_guess_pool"] = s.guess_pool;
  record["correct"] = s.correct;
}

}  // namespace ppb::tasks
