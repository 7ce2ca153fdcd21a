#include "tasks/answer_extractors.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace ppb::tasks {
namespace extract_detail {

bool is_ascii_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string letters(size_t n) {
  std::string out;
  for (size_t i = 0; i < std::min<size_t>(n, 26); ++i) out += static_cast<char>('A' + i);
  return out;
}

std::string strip_chars(const std::string& s, const std::string& chars) {
  size_t b = 0, e = s.size();
  while (b < e && chars.find(s[b]) != std::string::npos) ++b;
  while (e > b && chars.find(s[e - 1]) != std::string::npos) --e;
  return s.substr(b, e - b);
}

std::string trim(const std::string& s) { return strip_chars(s, " \t\n\r\f\v"); }

std::vector<std::string> split_ws(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (is_space(c)) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string to_lower_ascii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string replace_all(const std::string& s, const std::string& from, const std::string& to) {
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) out += s.substr(pos, hit - pos) + to;
  return out + s.substr(pos);
}

}  // namespace extract_detail

using namespace extract_detail;

Extraction extract_option_letter(const ExtractorInput& in) {
  std::string text = in.response;
  // "Best option:(" leaves the model to write "B) ..."; restore the parenthesis it answered inside.
  if (!in.answer_prefix.empty() && in.answer_prefix.back() == '(') text = "(" + text;
  const std::string valid_letters = letters(in.n_options);
  auto valid = [&](char c) { return c != '\0' && valid_letters.find(c) != std::string::npos; };
  size_t b = 0;
  while (b < text.size() && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  text = text.substr(b);

  // 1. A leading letter, optionally in parentheses, not the first letter of a word.
  size_t i = (!text.empty() && text[0] == '(') ? 1 : 0;
  if (i < text.size() && valid(text[i]) && (i + 1 == text.size() || !is_ascii_alnum(text[i + 1])))
    return {std::string(1, text[i]), "leading letter", ""};
  // 2. The first "(X)".
  for (size_t p = 0; p + 2 < text.size(); ++p)
    if (text[p] == '(' && valid(text[p + 1]) && text[p + 2] == ')') return {std::string(1, text[p + 1]), "first (X)", ""};
  // 3. The first standalone capital letter.
  for (size_t p = 0; p < text.size(); ++p)
    if (valid(text[p]) && (p == 0 || !is_ascii_alnum(text[p - 1])) && (p + 1 == text.size() || !is_ascii_alnum(text[p + 1])))
      return {std::string(1, text[p]), "first standalone letter", ""};
  return {"", "no option letter", ""};
}

namespace {

// VLMEvalKit's can_infer over `choices` (letters): punctuation becomes spaces, and exactly one
// token that is a letter wins; otherwise exactly one option text (lower-cased) inside the answer.
Extraction can_infer(const std::string& answer, const std::string& choices, const std::vector<std::string>& options) {
  std::string spaced = answer;
  for (char& c : spaced)
    if (std::string(".()[],:;!*#{}").find(c) != std::string::npos) c = ' ';
  std::string found;
  for (const auto& tok : split_ws(spaced))
    if (tok.size() == 1 && choices.find(tok[0]) != std::string::npos && found.find(tok[0]) == std::string::npos)
      found += tok[0];
  if (found.size() == 1) return {found, "one option letter as a token", ""};
  const std::string lower = to_lower_ascii(answer);
  std::string by_text;
  for (size_t i = 0; i < options.size() && i < choices.size(); ++i)
    if (lower.find(to_lower_ascii(options[i])) != std::string::npos) by_text += choices[i];
  if (by_text.size() == 1) return {by_text, "one option's text in the answer", ""};
  return {"", found.empty() ? (by_text.empty() ? "no option letter or text" : "several option texts")
                            : "several option letters",
          ""};
}

constexpr int kJudgeTries = 3;  // VLMEvalKit gives the judge three tries

}  // namespace

Extraction extract_vlmeval_can_infer(const ExtractorInput& in) {
  const std::string choices = letters(in.n_options);
  return can_infer(in.response, choices, in.options);
}

Extraction extract_vlmeval_judge(const ExtractorInput& in) {
  // Checked before the rule so that a missing judge shows up on the first sample, not on the
  // first hard one (and never as a quiet exact-match fallback).
  if (!in.judge)
    throw std::runtime_error(
        "extractor vlmeval_judge needs a judge; configure one with --judge-url URL --judge-model ID "
        "(or use vlmeval_can_infer for the rule alone)");
  const std::string choices = letters(in.n_options);
  Extraction rule = can_infer(in.response, choices, in.options);
  if (!rule.answer.empty()) return rule;
  const ChoiceJudgeQuery query{in.question, in.options, in.response};
  std::string last_reply;
  for (int t = 1; t <= kJudgeTries; ++t) {
    last_reply = in.judge(query);
    // The judge answers a letter or "Z" (none of the options); its reply goes through the same rule.
    Extraction j = can_infer(last_reply, choices + "Z", {});
    if (!j.answer.empty()) return {j.answer, "judge (try " + std::to_string(t) + ")", ""};
  }
  // The source draws at random among the options and Z here; ppbench leaves it unparsed.
  return {"", "judge gave no letter in " + std::to_string(kJudgeTries) + " tries (last reply: '" + last_reply + "')",
          choices + "Z"};
}

void register_builtin_extractors(ExtractorRegistry& reg) {
  reg.add({"option_letter",
           "ppbench's PPLLaVA rule: '(' restored after a '(' prefix, then leading letter, first (X), first "
           "standalone capital; '' if none",
           false, extract_option_letter});
  reg.add({"videomme_official",
           "E1, Video-MME eval_your_results.py: delete answer phrases, first A-D character anywhere ('Based' gives B)",
           false, extract_videomme_official});
  reg.add({"lmms_mcq_extract",
           "E2, lmms-eval mcq_extract (2026-04): ranked candidates start > end > phrase > (X) > X. > X: > X) > 'X ', "
           "later wins ties, else any letter",
           false, extract_lmms_mcq});
  reg.add({"mmmu_style",
           "E3, lmms-eval EgoSchema (MMMU parser): (X), else 'X ', else X., else option text; earliest last "
           "occurrence wins; source guesses on failure",
           false, extract_mmmu_style});
  reg.add({"lvb_simple",
           "E4, lmms-eval LongVideoBench: E1 with the phrase list intact and letters A-E; source guesses on failure",
           false, extract_lvb_simple});
  reg.add({"videochat2_check",
           "E5, MVBench notebook / VLMEvalKit check_ans: '(' + first line, first token without '.', substring "
           "match against '(X)' (needs the target)",
           false, extract_videochat2_check});
  reg.add({"lmms_mvbench",
           "E6, lmms-eval MVBench mcq_acc: '^[A-E]\\.' letter, else VQA-normalised lower-case text's first "
           "standalone a-e",
           false, extract_lmms_mvbench});
  reg.add({"mlvu_official",
           "E7, MLVU choice_bench check_ans: the character before the first ')', else the whole response",
           false, extract_mlvu_official});
  reg.add({"vlmeval_can_infer",
           "E8 step 1 alone, VLMEvalKit can_infer: exactly one option letter token, else exactly one option text; "
           "'' otherwise",
           false, extract_vlmeval_can_infer});
  reg.add({"vlmeval_judge",
           "E8, VLMEvalKit can_infer then a judge maps the answer to a letter or Z (3 tries); needs a judge",
           true, extract_vlmeval_judge});
}

const ExtractorRegistry& builtin_extractors() {
  static const ExtractorRegistry reg = [] {
    ExtractorRegistry r;
    register_builtin_extractors(r);
    return r;
  }();
  return reg;
}

}  // namespace ppb::tasks
