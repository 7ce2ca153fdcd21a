// Answer extractors: named strategies that turn a model response into an option letter.
// Each upstream harness parses multiple-choice answers its own way, and the differences move
// scores by points (benchmarks.md §0.3), so each rule is reproduced as its source behaves,
// quirks included; docs/protocols.md lists them. "" means the response could not be parsed.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "common/named_registry.h"

namespace ppb::tasks {

// What a judge sees when an extractor asks it to map a free-form answer onto an option.
struct ChoiceJudgeQuery {
  std::string question;              // the question as the annotation gives it
  std::vector<std::string> options;  // option texts in letter order (A, B, ...)
  std::string response;              // the model's answer
};

// Calls the judge model and returns its raw reply; the extractor parses the reply. Throws when
// the judge cannot be reached (a sample error, never a silent guess).
using ChoiceJudge = std::function<std::string(const ChoiceJudgeQuery&)>;

struct ExtractorInput {
  std::string response;              // generated text, without the answer prefix
  std::string answer_prefix;         // what the assistant turn was prefilled with
  size_t n_options = 4;              // the item's options are the first n_options of A..Z
  std::vector<std::string> options;  // option texts in letter order; rules that match text need them
  std::string question;              // the question, for the judge
  std::string target;                // the correct letter; only videochat2_check, a correctness check, reads it
  ChoiceJudge judge;                 // empty when no judge is configured
};

struct Extraction {
  std::string answer;      // the parsed letter (or "Z" = none of the options, from a judge); "" = unparsed
  std::string rule;        // which step of the rule decided, for debugging and the sample record
  std::string guess_pool;  // letters the upstream script would draw from at random here; "" if it would not
};

struct AnswerExtractor {
  std::string name;          // registry key
  std::string description;   // one line for listings
  bool needs_judge = false;  // true when extraction may call a judge (and fails without one)
  std::function<Extraction(const ExtractorInput&)> extract;
};

struct ExtractorRegistry : NamedRegistry<AnswerExtractor> {
  ExtractorRegistry() : NamedRegistry("extractor") {}
  void add(AnswerExtractor e) {
    const std::string name = e.name;  // read before the move: argument order is unspecified
    NamedRegistry::add(name, std::move(e));
  }
};

// Fills `reg` with the built-in extractors: option_letter and the upstream rules below.
void register_builtin_extractors(ExtractorRegistry& reg);
const ExtractorRegistry& builtin_extractors();

// option_letter (ppbench's rule for PPLLaVA's "Best option:(" prompt): the prefix's open parenthesis
// is prepended to the response; then, in order, a leading letter ("B", "(B)", "B." ...), the first
// "(X)" anywhere, the first standalone capital X.
Extraction extract_option_letter(const ExtractorInput& in);

// E1 videomme_official: Video-MME's eval_your_results.py. Deletes its answer phrases, then the first
// A-D character anywhere ("Based on ..." gives B).
Extraction extract_videomme_official(const ExtractorInput& in);
// E4 lvb_simple: lmms-eval LongVideoBench. E1 with the phrase list intact and letters A-E; the
// source guesses on failure.
Extraction extract_lvb_simple(const ExtractorInput& in);
// E5 videochat2_check: the MVBench notebook's check. "(" + first line; its first token, "." removed,
// matches "(X)" when either contains the other.
Extraction extract_videochat2_check(const ExtractorInput& in);
// E7 mlvu_official: MLVU's check_ans. The character before the first ")", else the whole response.
Extraction extract_mlvu_official(const ExtractorInput& in);
// E2 lmms_mcq_extract: lmms-eval's ranked candidate extractor (2026-04).
Extraction extract_lmms_mcq(const ExtractorInput& in);
// E3 mmmu_style: lmms-eval EgoSchema's MMMU-style parser; the source guesses on failure.
Extraction extract_mmmu_style(const ExtractorInput& in);
// E6 lmms_mvbench: lmms-eval MVBench's mcq_acc parser.
Extraction extract_lmms_mvbench(const ExtractorInput& in);
// E8, step 1 alone: VLMEvalKit's can_infer (an option letter as a token, else one option's text).
Extraction extract_vlmeval_can_infer(const ExtractorInput& in);
// E8 vlmeval_judge: can_infer, then the judge (three tries). Throws without a judge.
Extraction extract_vlmeval_judge(const ExtractorInput& in);

// Helpers the rules share.
namespace extract_detail {
bool is_ascii_alnum(char c);
bool is_space(char c);  // Python's str.split() whitespace, ASCII part
// The first n letters A.. as a string ("ABCD" for 4).
std::string letters(size_t n);
// Python's str.strip(chars): drop characters of `chars` from both ends.
std::string strip_chars(const std::string& s, const std::string& chars);
std::string trim(const std::string& s);
std::vector<std::string> split_ws(const std::string& s);
std::string to_lower_ascii(std::string s);
// Replaces every occurrence of `from` (non-empty) left to right without rescanning, like str.replace.
std::string replace_all(const std::string& s, const std::string& from, const std::string& to);
}  // namespace extract_detail

}  // namespace ppb::tasks
