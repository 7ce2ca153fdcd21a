// ptb_like: a PTB-style tokenizer written for ppbench (no Java). It handles what captions
// contain: sentence punctuation, quotes, brackets, clitics, numbers with separators and a few
// abbreviations. docs/metrics.md lists where it can differ from Stanford's PTBTokenizer.
#include "metrics/caption_tokenizer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

namespace ppb::metrics {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Typographic characters PTB3 normalizes to ASCII before splitting (UTF-8 byte sequences).
std::string normalize_text(const std::string& text) {
  struct Map { const char* from; const char* to; };
  static const std::array<Map, 8> maps = {{
      {"\xE2\x80\x98", "'"},       {"\xE2\x80\x99", "'"},        // curly single quotes
      {"\xE2\x80\x9C", " `` "},    {"\xE2\x80\x9D", " '' "},     // curly double quotes
      {"\xE2\x80\x93", " -- "},    {"\xE2\x80\x94", " -- "},     // en and em dash
      {"\xE2\x80\xA6", " ... "},   {"\xC2\xA0", " "},            // ellipsis, no-break space
  }};
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size();) {
    bool mapped = false;
    if (static_cast<unsigned char>(text[i]) >= 0x80) {
      for (const Map& m : maps) {
        const std::string from = m.from;
        if (text.compare(i, from.size(), from) == 0) {
          out += m.to;
          i += from.size();
          mapped = true;
          break;
        }
      }
    }
    if (mapped) continue;
    char c = text[i++];
    if (c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v') c = ' ';  // -preserveLines input is one line
    // -lowerCase: ASCII only; other bytes (UTF-8 letters) pass through unchanged.
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Words PTB keeps with their final period ("mr." stays one token); the period after any
// other word is split off as a sentence-final ".".
bool keeps_period(const std::string& word_with_period) {
  static const std::array<const char*, 20> abbreviations = {
      "mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "jr.", "sr.", "vs.", "etc.",
      "inc.", "ltd.", "co.", "corp.", "mt.", "ft.", "no.", "jan.", "feb.", "approx."};
  for (const char* a : abbreviations)
    if (word_with_period == a) return true;
  // Dotted abbreviations and initials: "u.s.", "e.g.", "a.m.".
  const std::string core = word_with_period.substr(0, word_with_period.size() - 1);
  return core.find('.') != std::string::npos &&
         std::all_of(core.begin(), core.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '.'; });
}

const char* bracket_token(char c) {
  switch (c) {
    case '(': return "-LRB-";
    case ')': return "-RRB-";
    case '[': return "-LSB-";
    case ']': return "-RSB-";
    case '{': return "-LCB-";
    case '}': return "-RCB-";
    default: return nullptr;
  }
}

// Clitics PTB splits from their host word; "n't" is tried first so "don't" -> "do" "n't".
void split_clitics(const std::string& word, Tokens& out) {
  // Whole-word splits of PTB3 ("cannot" -> "can" "not", "gonna" -> "gon" "na", ...).
  struct Split { const char* word; size_t at; };
  static const std::array<Split, 6> splits = {{
      {"cannot", 3}, {"gonna", 3}, {"gotta", 3}, {"wanna", 3}, {"gimme", 3}, {"lemme", 3}}};
  for (const Split& s : splits) {
    if (word == s.word) {
      out.push_back(word.substr(0, s.at));
      out.push_back(word.substr(s.at));
      return;
    }
  }
  if (word.size() > 3 && ends_with(word, "n't")) {
    out.push_back(word.substr(0, word.size() - 3));
    out.push_back("n't");
    return;
  }
  static const std::array<const char*, 6> clitics = {"'s", "'re", "'ve", "'ll", "'d", "'m"};
  for (const char* c : clitics) {
    const std::string clitic = c;
    if (word.size() > clitic.size() && ends_with(word, clitic)) {
      out.push_back(word.substr(0, word.size() - clitic.size()));
      out.push_back(clitic);
      return;
    }
  }
  out.push_back(word);
}

// Splits the inside of a chunk at punctuation PTB separates even without spaces: "--", "...",
// and , ; : ! ? (a comma or colon between digits stays: "1,000", "10:30").
void split_inner(const std::string& chunk, Tokens& out) {
  std::string word;
  auto flush = [&]() {
    if (!word.empty()) split_clitics(word, out);
    word.clear();
  };
  for (size_t i = 0; i < chunk.size(); ++i) {
    const char c = chunk[i];
    if (c == '-' && i + 1 < chunk.size() && chunk[i + 1] == '-') {
      flush();
      out.push_back("--");
      while (i + 1 < chunk.size() && chunk[i + 1] == '-') ++i;
      continue;
    }
    if (c == '.' && chunk.compare(i, 3, "...") == 0) {
      flush();
      out.push_back("...");
      while (i + 1 < chunk.size() && chunk[i + 1] == '.') ++i;
      continue;
    }
    if (c == ',' || c == ';' || c == ':' || c == '!' || c == '?') {
      const bool between_digits = (c == ',' || c == ':') && i > 0 && i + 1 < chunk.size() &&
                                  is_digit(chunk[i - 1]) && is_digit(chunk[i + 1]);
      if (!between_digits) {
        flush();
        out.push_back(std::string(1, c));
        continue;
      }
    }
    if (const char* b = bracket_token(c)) {
      flush();
      out.push_back(b);
      continue;
    }
    if (c == '"') {  // a quote inside a chunk closes the text before it, or opens what follows
      const bool closes = !word.empty();
      flush();
      out.push_back(closes ? "''" : "``");
      continue;
    }
    word += c;
  }
  flush();
}

// Tokens of one whitespace-free chunk: leading openers, the core, then trailing closers.
void tokenize_chunk(std::string chunk, Tokens& out) {
  Tokens head;
  for (;;) {
    if (chunk.empty()) break;
    const char c = chunk[0];
    if (const char* b = bracket_token(c); b && (c == '(' || c == '[' || c == '{')) {
      head.push_back(b);
      chunk.erase(0, 1);
    } else if (c == '"') {
      head.push_back("``");
      chunk.erase(0, 1);
    } else if (c == '`') {
      const bool doubled = chunk.size() > 1 && chunk[1] == '`';
      head.push_back(doubled ? "``" : "`");
      chunk.erase(0, doubled ? 2 : 1);
    } else if (c == '\'' && chunk.size() > 1 && chunk[1] == '\'') {
      head.push_back("``");
      chunk.erase(0, 2);
    } else if (c == '\'') {
      // A leading apostrophe that starts a clitic or a year ("'s", "'90s") is part of the word.
      const std::string rest = chunk.substr(1);
      static const std::array<const char*, 7> kept = {"s", "re", "ve", "ll", "d", "m", "em"};
      bool word_start = !rest.empty() && is_digit(rest[0]);
      for (const char* k : kept) word_start = word_start || rest == k;
      if (word_start) break;
      head.push_back("`");
      chunk.erase(0, 1);
    } else if (c == '$' || c == '#') {
      head.push_back(std::string(1, c));
      chunk.erase(0, 1);
    } else {
      break;
    }
  }
  Tokens tail;  // collected in reverse order
  for (;;) {
    if (chunk.empty()) break;
    const char c = chunk.back();
    if (ends_with(chunk, "...")) {
      tail.push_back("...");
      chunk.resize(chunk.size() - 3);
      while (!chunk.empty() && chunk.back() == '.') chunk.pop_back();
    } else if (c == ')' || c == ']' || c == '}') {
      tail.push_back(bracket_token(c));
      chunk.pop_back();
    } else if (c == ',' || c == ';' || c == ':' || c == '?' || c == '!' || c == '%') {
      tail.push_back(std::string(1, c));
      chunk.pop_back();
    } else if (c == '"') {
      tail.push_back("''");
      chunk.pop_back();
    } else if (ends_with(chunk, "''")) {
      tail.push_back("''");
      chunk.resize(chunk.size() - 2);
    } else if (c == '\'' && !ends_with(chunk, "n'")) {
      // Closing quote or plural possessive ("dogs'"): PTB splits the apostrophe off either way.
      tail.push_back("'");
      chunk.pop_back();
    } else if (c == '.' && chunk.size() > 1 && !keeps_period(chunk)) {
      tail.push_back(".");
      chunk.pop_back();
    } else if (c == '.' && chunk.size() == 1) {
      tail.push_back(".");
      chunk.pop_back();
    } else {
      break;
    }
  }
  out.insert(out.end(), head.begin(), head.end());
  if (!chunk.empty()) split_inner(chunk, out);
  out.insert(out.end(), tail.rbegin(), tail.rend());
}

}  // namespace

Tokens ptb_like_raw_tokens(const std::string& text) {
  const std::string norm = normalize_text(text);
  Tokens out;
  size_t i = 0;
  while (i < norm.size()) {
    while (i < norm.size() && norm[i] == ' ') ++i;
    size_t j = i;
    while (j < norm.size() && norm[j] != ' ') ++j;
    if (j > i) tokenize_chunk(norm.substr(i, j - i), out);
    i = j;
  }
  return out;
}

bool is_coco_punctuation(const std::string& token) {
  static const std::array<const char*, 17> punct = {
      "''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";"};
  for (const char* p : punct)
    if (token == p) return true;
  return false;
}

Tokens ptb_like_tokens(const std::string& text) {
  Tokens raw = ptb_like_raw_tokens(text);
  Tokens out;
  out.reserve(raw.size());
  for (std::string& t : raw) {
    if (is_coco_punctuation(t) || t == "-LSB-" || t == "-RSB-") continue;
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> caption_tokenizer_names() { return {"ptb_like", "whitespace"}; }

Tokens tokenize_caption(const std::string& text, const std::string& tokenizer) {
  if (tokenizer == "ptb_like") return ptb_like_tokens(text);
  if (tokenizer == "whitespace") {
    Tokens out;
    std::string word;
    for (char c : text) {
      if (std::isspace(static_cast<unsigned char>(c))) {
        if (!word.empty()) out.push_back(word);
        word.clear();
      } else {
        word += c;
      }
    }
    if (!word.empty()) out.push_back(word);
    return out;
  }
  throw std::invalid_argument("unknown caption tokenizer '" + tokenizer + "' (valid: ptb_like, whitespace)");
}

}  // namespace ppb::metrics
