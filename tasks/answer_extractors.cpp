#include "tasks/answer_extractors.h"

#include <cctype>
#include <stdexcept>

namespace ppb::tasks {
namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::string extract_option_letter(const ExtractorInput& in) {
  std::string text = in.response;
  // "Best option:(" leaves the model to write "B) ..."; restore the parenthesis it answered inside.
  if (!in.answer_prefix.empty() && in.answer_prefix.back() == '(') text = "(" + text;
  const char last = static_cast<char>('A' + std::min<size_t>(in.n_options, 26) - 1);
  auto valid = [&](char c) { return c >= 'A' && c <= last; };
  size_t b = 0;
  while (b < text.size() && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  text = text.substr(b);

  // 1. A leading letter, optionally in parentheses, not the first letter of a word.
  size_t i = (!text.empty() && text[0] == '(') ? 1 : 0;
  if (i < text.size() && valid(text[i]) && (i + 1 == text.size() || !is_word_char(text[i + 1])))
    return std::string(1, text[i]);
  // 2. The first "(X)".
  for (size_t p = 0; p + 2 < text.size(); ++p)
    if (text[p] == '(' && valid(text[p + 1]) && text[p + 2] == ')') return std::string(1, text[p + 1]);
  // 3. The first standalone capital letter.
  for (size_t p = 0; p < text.size(); ++p)
    if (valid(text[p]) && (p == 0 || !is_word_char(text[p - 1])) && (p + 1 == text.size() || !is_word_char(text[p + 1])))
      return std::string(1, text[p]);
  return "";
}

void register_builtin_extractors(ExtractorRegistry& reg) {
  reg.add({"option_letter",
           "leading letter, else first (X), else first standalone capital among the valid options; '' if none",
           extract_option_letter});
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
