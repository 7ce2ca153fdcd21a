// The candidate-collecting rules of lmms-eval: E2 lmms_mcq_extract, E3 mmmu_style (EgoSchema) and
// E6 lmms_mvbench (benchmarks.md §0.3), each with its source's quirks.
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "tasks/answer_extractors.h"

namespace ppb::tasks {
namespace {

using namespace extract_detail;

bool contains(const std::string& set, char c) { return c != '\0' && set.find(c) != std::string::npos; }

// E2's answer phrases, matched lower-case, each followed (after spaces, ':' or '(') by the letter.
// ppbench's list of the ~25 English, Chinese, Japanese and Korean phrases the source accepts.
const std::vector<std::string> kAnswerPhrases = {
    "answer is", "answer:", "answer :", "option is", "option:", "choice is", "choice:", "i choose", "i select",
    "i pick", "i would choose", "i will choose",
    "答案是", "答案为", "答案", "正确答案是", "应选", "选择", "答えは", "正解は", "정답은", "정답", "답은", "답:", "답변은"};

struct Candidate {
  char letter;
  int priority;  // the format's rank: start 10 > end 9 > phrase 7 > ... > fallback 0
  size_t pos;    // byte offset of the letter; the later one wins a tie
  const char* kind;
};

// After a phrase: spaces, colons and opening parentheses (ASCII and full-width) may precede the letter.
size_t skip_phrase_gap(const std::string& t, size_t q) {
  const std::vector<std::string> gaps = {" ", ":", "(", "\xEF\xBC\x9A" /* ： */, "\xEF\xBC\x88" /* （ */};
  for (bool moved = true; moved && q < t.size();) {
    moved = false;
    for (const auto& g : gaps)
      if (t.compare(q, g.size(), g) == 0) {
        q += g.size();
        moved = true;
      }
  }
  return q;
}

// Python's \w for the character starting at byte i (UTF-8): letters, digits and "_", where any
// non-ASCII character counts as a letter except the CJK and full-width punctuation blocks.
bool word_char_at(const std::string& s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return is_ascii_alnum(static_cast<char>(c)) || c == '_';
  uint32_t cp = 0;
  if ((c & 0xF0) == 0xE0 && i + 2 < s.size())
    cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
         (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
  const bool punct = (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
                     (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65);
  return !punct;
}

bool word_char_before(const std::string& s, size_t i) {
  if (i == 0) return false;
  size_t b = i - 1;
  while (b > 0 && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80) --b;
  return word_char_at(s, b);
}

}  // namespace

Extraction extract_lmms_mcq(const ExtractorInput& in) {
  const std::string valid = letters(in.n_options);
  const std::string t = " " + strip_chars(in.response, ",.!?;:'\"") + " ";
  std::vector<Candidate> cands;
  auto left_free = [&](size_t p) { return p == 0 || !is_ascii_alnum(t[p - 1]); };
  auto right_free = [&](size_t p) { return p + 1 >= t.size() || !is_ascii_alnum(t[p + 1]); };
  for (size_t p = 1; p + 1 < t.size(); ++p) {
    if (!contains(valid, t[p])) continue;
    if (t[p - 1] == '(' && t[p + 1] == ')') cands.push_back({t[p], 6, p, "parentheses"});
    if (!left_free(p)) continue;
    if (t[p + 1] == '.') cands.push_back({t[p], 5, p, "period"});
    if (t[p + 1] == ':') cands.push_back({t[p], 4, p, "colon"});
    if (t[p + 1] == ')') cands.push_back({t[p], 3, p, "right_paren"});
    if (t[p + 1] == ' ') cands.push_back({t[p], 2, p, "space"});
  }
  const std::string lower = to_lower_ascii(t);  // ASCII only: byte offsets stay the same
  for (const auto& phrase : kAnswerPhrases)
    for (size_t at = lower.find(phrase); at != std::string::npos; at = lower.find(phrase, at + 1)) {
      const size_t q = skip_phrase_gap(t, at + phrase.size());
      if (q < t.size() && contains(valid, t[q]) && right_free(q)) cands.push_back({t[q], 7, q, "phrase"});
    }
  const size_t first = t.find_first_not_of(' '), last = t.find_last_not_of(' ');
  if (first != std::string::npos && contains(valid, t[first]) && right_free(first))
    cands.push_back({t[first], 10, first, "start"});
  if (last != std::string::npos && contains(valid, t[last]) && left_free(last)) cands.push_back({t[last], 9, last, "end"});
  if (cands.empty())  // the last resort: any occurrence of a letter, inside words too
    for (size_t p = 0; p < t.size(); ++p)
      if (contains(valid, t[p])) cands.push_back({t[p], 0, p, "fallback (any letter)"});
  if (cands.empty()) return {"", "no " + valid + " letter", ""};
  const Candidate* best = &cands.front();
  for (const auto& c : cands)
    if (c.priority > best->priority || (c.priority == best->priority && c.pos > best->pos)) best = &c;
  return {std::string(1, best->letter),
          std::string(best->kind) + " (priority " + std::to_string(best->priority) + ", offset " +
              std::to_string(best->pos - 1) + ")",
          ""};
}

Extraction extract_mmmu_style(const ExtractorInput& in) {
  const std::string valid = letters(in.n_options);
  const std::string t = " " + strip_chars(in.response, ",.!?;:'") + " ";
  // Tiers: "(X)", then "X ", then "X."; each only when the one before found nothing.
  std::string found, kind;
  std::vector<std::string> patterns;  // what each candidate's last occurrence is looked up by
  for (const char* form : {"(X)", "X ", "X."}) {
    for (char c : valid) {
      std::string pat = form;
      pat[pat.find('X')] = c;
      if (t.find(pat) != std::string::npos) {
        found += c;
        patterns.push_back(pat);
      }
    }
    if (!found.empty()) {
      kind = std::string("'") + form + "'";
      break;
    }
  }
  const std::string lower = to_lower_ascii(t);
  if (found.empty() && split_ws(t).size() > 5) {  // long answers may name the option's text instead
    for (size_t i = 0; i < in.options.size() && i < valid.size(); ++i) {
      const std::string text = to_lower_ascii(in.options[i]);
      if (!text.empty() && lower.find(text) != std::string::npos) {
        found += valid[i];
        patterns.push_back(text);
      }
    }
    kind = "option text";
  }
  // The source draws a random letter here; ppbench leaves it unparsed and names the pool.
  if (found.empty()) return {"", "no (X), 'X ', X. or option text", valid};
  if (found.size() == 1) return {found, kind, ""};
  // Several: the candidate whose last occurrence comes first wins.
  const std::string& hay = kind == "option text" ? lower : t;
  size_t best = 0;
  for (size_t i = 1; i < found.size(); ++i)
    if (hay.rfind(patterns[i]) < hay.rfind(patterns[best])) best = i;
  return {std::string(1, found[best]), kind + ", several (" + found + "): earliest last occurrence", ""};
}

namespace {

// VQA-style punctuation handling as lmms-eval's mcq_acc applies it: a mark next to a space (or any
// mark when the text has a digit,digit group) is deleted, otherwise it becomes a space; then every
// period not followed by a digit is deleted.
std::string vqa_punctuation(const std::string& text) {
  bool digit_comma_digit = false;
  for (size_t i = 1; i + 1 < text.size(); ++i)
    if (text[i] == ',' && std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
        std::isdigit(static_cast<unsigned char>(text[i + 1])))
      digit_comma_digit = true;
  std::string out = text;
  for (char p : std::string(";/[]\"{}()=+\\_-><@`,?!")) {
    const std::string mark(1, p);
    const bool drop = text.find(mark + " ") != std::string::npos || text.find(" " + mark) != std::string::npos ||
                      digit_comma_digit;
    out = replace_all(out, mark, drop ? "" : " ");
  }
  std::string no_periods;
  for (size_t i = 0; i < out.size(); ++i)
    if (out[i] != '.' || (i + 1 < out.size() && std::isdigit(static_cast<unsigned char>(out[i + 1]))))
      no_periods += out[i];
  return no_periods;
}

// Python's re.match("^([A-E])\.\s*(.+)$"): a letter, a period, then at least one character on the
// last line ("$" may sit before one final newline).
bool starts_with_letter_period(const std::string& s) {
  if (s.size() < 3 || s[0] < 'A' || s[0] > 'E' || s[1] != '.') return false;
  std::string body = s.substr(2);
  if (!body.empty() && body.back() == '\n') body.pop_back();
  size_t lead = 0;
  while (lead < body.size() && is_space(body[lead])) ++lead;
  const size_t last_nl = body.rfind('\n');
  const size_t k = last_nl == std::string::npos ? 0 : last_nl + 1;  // "(.+)" cannot cross a newline
  return k <= lead && k < body.size();
}

}  // namespace

Extraction extract_lmms_mvbench(const ExtractorInput& in) {
  const std::string& r = in.response;
  if (starts_with_letter_period(r)) return {std::string(1, r[0]), "'X.' at the start", ""};
  if (trim(r).empty()) return {"", "empty prediction (lmms-eval leaves it out of the denominator)", ""};
  std::string s = r;
  for (char& c : s)
    if (c == '\n' || c == '\t') c = ' ';
  s = vqa_punctuation(trim(s));
  for (const char* q : {"'", "\"", ")", "("}) s = strip_chars(s, q);
  s = to_lower_ascii(trim(s));
  // Lower-casing first means an article "a" counts as option A.
  for (size_t p = 0; p < s.size(); ++p)
    if (s[p] >= 'a' && s[p] <= 'e' && !word_char_before(s, p) && (p + 1 == s.size() || !word_char_at(s, p + 1)))
      return {std::string(1, static_cast<char>(s[p] - 'a' + 'A')),
              "first standalone a-e after normalising ('" + s + "')", ""};
  return {"", "no standalone a-e after normalising ('" + s + "')", ""};
}

}  // namespace ppb::tasks
