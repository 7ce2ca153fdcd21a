#include "model/byte_level_bpe.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "common/json_file.h"

namespace ppb::model {
namespace {

struct ByteTable {
  std::array<std::string, 256> chars;
  std::array<int, 324> bytes;  // code point -> byte, -1 where none (the table ends at U+0143)
};

// GPT-2's table: bytes that print as a visible Latin-1 character keep it; the others (controls,
// space, DEL, NBSP, soft hyphen) take U+0100 + n in byte order, so no token holds whitespace.
ByteTable build_byte_table() {
  ByteTable t;
  t.bytes.fill(-1);
  int next = 0;
  for (int b = 0; b < 256; ++b) {
    bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + next++);
    append_utf8(t.chars[b], cp);
    t.bytes[cp] = b;
  }
  return t;
}

const ByteTable& byte_table() {
  static const ByteTable table = build_byte_table();
  return table;
}

// Length of the UTF-8 sequence at s[i] when it is valid (`complete`), else the length of its
// longest valid prefix (at least 1): the unit Python and Rust replace with one U+FFFD.
size_t scan_utf8(const std::string& s, size_t i, bool& complete) {
  auto c = static_cast<unsigned char>(s[i]);
  complete = true;
  if (c < 0x80) return 1;
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the first continuation byte
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c == 0xE0) {
    need = 2, lo = 0xA0;  // no overlong forms
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    need = 2;
  } else if (c == 0xED) {
    need = 2, hi = 0x9F;  // no surrogates
  } else if (c == 0xF0) {
    need = 3, lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    need = 3;
  } else if (c == 0xF4) {
    need = 3, hi = 0x8F;  // nothing past U+10FFFF
  } else {
    complete = false;
    return 1;
  }
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) {
      complete = false;
      return k;
    }
    auto d = static_cast<unsigned char>(s[i + k]);
    if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF)) {
      complete = false;
      return k;
    }
  }
  return need + 1;
}

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

int parse_id(const nlohmann::json& v, const std::string& where) {
  if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > INT_MAX)
    throw std::runtime_error(where + ": expected a non-negative integer id, got " + v.dump());
  return v.get<int>();
}

void parse_vocab(const nlohmann::json& j, const std::string& where, std::unordered_map<std::string, int>& vocab) {
  if (!j.is_object()) throw std::runtime_error(where + ": expected an object of token -> id");
  for (const auto& [token, id] : j.items()) vocab[token] = parse_id(id, where + "[" + in_quotes(token) + "]");
}

// A merge must join two vocabulary symbols into a third, as Hugging Face's tokenizers require.
void check_merge(const std::unordered_map<std::string, int>& vocab, const std::string& a, const std::string& b,
                 const std::string& where) {
  for (const auto* part : {&a, &b})
    if (!vocab.count(*part))
      throw std::runtime_error(where + ": symbol " + in_quotes(*part) + " of merge " + in_quotes(a + " " + b) +
                               " is not in the vocabulary");
  if (!vocab.count(a + b))
    throw std::runtime_error(where + ": merge " + in_quotes(a + " " + b) + " makes " + in_quotes(a + b) +
                             ", which is not in the vocabulary");
}

// Splits "a b" into its two symbols (byte-level symbols never hold a space).
bool split_merge_line(const std::string& line, std::pair<std::string, std::string>& out) {
  size_t pos = line.find(' ');
  if (pos == std::string::npos || pos == 0 || pos + 1 >= line.size() || line.find(' ', pos + 1) != std::string::npos)
    return false;
  out = {line.substr(0, pos), line.substr(pos + 1)};
  return true;
}

}  // namespace

// ---- byte table and UTF-8 ---------------------------------------------------------------------

const std::string& byte_to_unicode(unsigned char b) { return byte_table().chars[b]; }

std::optional<unsigned char> unicode_to_byte(char32_t cp) {
  if (cp >= byte_table().bytes.size() || byte_table().bytes[cp] < 0) return std::nullopt;
  return static_cast<unsigned char>(byte_table().bytes[cp]);
}

std::string bytes_to_unicode(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) out += byte_to_unicode(static_cast<unsigned char>(c));
  return out;
}

void check_utf8(const std::string& text, const std::string& what) {
  for (size_t i = 0; i < text.size();) {
    bool complete = false;
    size_t n = scan_utf8(text, i, complete);
    if (!complete)
      throw std::runtime_error(what + " is not valid UTF-8 (at byte " + std::to_string(i) + ")");
    i += n;
  }
}

std::u32string utf8_to_code_points(const std::string& text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < n && i + k < text.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string utf8_lossy(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    bool complete = false;
    size_t n = scan_utf8(bytes, i, complete);
    if (complete)
      out.append(bytes, i, n);
    else
      out += "\xEF\xBF\xBD";
    i += n;
  }
  return out;
}

// ---- files ------------------------------------------------------------------------------------

BpeTables read_vocab_merges(const std::string& vocab_json, const std::string& merges_txt) {
  BpeTables t;
  t.source = vocab_json + " + " + merges_txt;
  parse_vocab(read_json_file(vocab_json, "BPE vocabulary"), vocab_json, t.vocab);
  std::ifstream in(merges_txt, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open BPE merges " + merges_txt);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (n == 1 && line.rfind("#version", 0) == 0) continue;
    if (line.empty()) continue;
    std::pair<std::string, std::string> m;
    std::string where = merges_txt + " line " + std::to_string(n);
    if (!split_merge_line(line, m))
      throw std::runtime_error(where + ": expected two symbols separated by one space, got " + in_quotes(line));
    check_merge(t.vocab, m.first, m.second, where);
    t.merges.push_back(std::move(m));
  }
  return t;
}

BpeTables read_tokenizer_json(const std::string& path) {
  nlohmann::json j = read_json_file(path, "tokenizer file");
  BpeTables t;
  t.source = path;
  if (!j.is_object() || !j.contains("model") || !j["model"].is_object())
    throw std::runtime_error(path + ": no \"model\" object");
  const auto& model = j["model"];
  if (model.contains("type") && model["type"] != "BPE")
    throw std::runtime_error(path + ": model.type is " + model["type"].dump() + ", expected \"BPE\"");
  if (!model.contains("vocab")) throw std::runtime_error(path + ": no model.vocab");
  parse_vocab(model["vocab"], path + ": model.vocab", t.vocab);
  if (!model.contains("merges") || !model["merges"].is_array())
    throw std::runtime_error(path + ": no model.merges array");
  const auto& merges = model["merges"];
  for (size_t i = 0; i < merges.size(); ++i) {
    const auto& m = merges[i];
    std::string where = path + ": model.merges[" + std::to_string(i) + "]";
    std::pair<std::string, std::string> pair;
    bool ok = false;
    if (m.is_string()) {  // the layout before tokenizers 0.20
      ok = split_merge_line(m.get<std::string>(), pair);
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      pair = {m[0].get<std::string>(), m[1].get<std::string>()};
      ok = !pair.first.empty() && !pair.second.empty();
    }
    if (!ok) throw std::runtime_error(where + ": expected \"a b\" or [\"a\", \"b\"], got " + m.dump());
    check_merge(t.vocab, pair.first, pair.second, where);
    t.merges.push_back(std::move(pair));
  }
  if (model.contains("ignore_merges") && model["ignore_merges"].is_boolean())
    t.ignore_merges = model["ignore_merges"].get<bool>();
  if (j.contains("added_tokens") && !j["added_tokens"].is_null()) {
    const auto& added = j["added_tokens"];
    if (!added.is_array()) throw std::runtime_error(path + ": added_tokens is not an array");
    for (size_t i = 0; i < added.size(); ++i) {
      std::string where = path + ": added_tokens[" + std::to_string(i) + "]";
      const auto& a = added[i];
      if (!a.is_object() || !a.contains("content") || !a["content"].is_string() || !a.contains("id"))
        throw std::runtime_error(where + ": expected an object with \"id\" and \"content\"");
      AddedToken tok;
      tok.content = a["content"].get<std::string>();
      tok.id = parse_id(a["id"], where + ".id");
      tok.special = a.value("special", true);
      t.added_tokens.push_back(std::move(tok));
    }
  }
  return t;
}

// ---- pre-tokenization -------------------------------------------------------------------------

struct PreTokenizerRegex::Impl {
  pcre2_code* code = nullptr;
  std::string pattern;
  ~Impl() {
    if (code) pcre2_code_free(code);
  }
};

PreTokenizerRegex::PreTokenizerRegex(const std::string& pattern, bool caseless) : impl_(std::make_unique<Impl>()) {
  impl_->pattern = pattern;
  int error = 0;
  PCRE2_SIZE offset = 0;
  uint32_t flags = PCRE2_UTF | PCRE2_UCP | (caseless ? PCRE2_CASELESS : 0);
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), flags, &error, &offset, nullptr);
  if (!impl_->code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw std::runtime_error("cannot compile pre-tokenizer pattern " + in_quotes(pattern) + " at offset " +
                             std::to_string(offset) + ": " + reinterpret_cast<const char*>(message));
  }
  // JIT only speeds matching up; where the platform lacks it PCRE2 interprets the same pattern.
  pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE);
}

PreTokenizerRegex::~PreTokenizerRegex() = default;

std::vector<std::string> PreTokenizerRegex::split(const std::string& text, bool keep_gaps) const {
  check_utf8(text, "tokenizer input");
  std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> md(
      pcre2_match_data_create_from_pattern(impl_->code, nullptr), pcre2_match_data_free);
  if (!md) throw std::runtime_error("out of memory for PCRE2 match data");
  auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  std::vector<std::string> pieces;
  size_t last = 0, offset = 0;
  while (offset <= text.size()) {
    // Validity was checked once above; PCRE2 would otherwise re-check the whole text per match.
    int rc = pcre2_match(impl_->code, subject, text.size(), offset, PCRE2_NO_UTF_CHECK, md.get(), nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(rc, message, sizeof message);
      throw std::runtime_error("pre-tokenizer pattern " + in_quotes(impl_->pattern) + " failed at byte " +
                               std::to_string(offset) + ": " + reinterpret_cast<const char*>(message));
    }
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
    size_t start = ov[0], end = ov[1];
    if (end == start) {  // an empty match yields nothing; step over one character
      if (start >= text.size()) break;
      bool complete = false;
      offset = start + scan_utf8(text, start, complete);
      continue;
    }
    if (keep_gaps && start > last) pieces.push_back(text.substr(last, start - last));
    pieces.push_back(text.substr(start, end - start));
    last = offset = end;
  }
  if (keep_gaps && last < text.size()) pieces.push_back(text.substr(last));
  return pieces;
}

std::vector<TextPiece> split_added_tokens(const std::string& text, const std::vector<AddedToken>& added) {
  std::vector<TextPiece> out;
  std::string plain;
  for (size_t i = 0; i < text.size();) {
    const AddedToken* best = nullptr;
    for (const auto& a : added)
      if (!a.content.empty() && a.content[0] == text[i] && (!best || a.content.size() > best->content.size()) &&
          text.compare(i, a.content.size(), a.content) == 0)
        best = &a;
    if (!best) {
      plain += text[i++];
      continue;
    }
    if (!plain.empty()) out.push_back({std::move(plain), std::nullopt});
    plain.clear();
    out.push_back({best->content, best->id});
    i += best->content.size();
  }
  if (!plain.empty()) out.push_back({std::move(plain), std::nullopt});
  return out;
}

// ---- BPE --------------------------------------------------------------------------------------

ByteLevelBpe::ByteLevelBpe(BpeTables tables, ByteLevelBpeOptions options)
    : vocab_(std::move(tables.vocab)),
      added_(std::move(tables.added_tokens)),
      end_of_word_(std::move(options.end_of_word)),
      ignore_merges_(tables.ignore_merges),
      source_(std::move(tables.source)) {
  int max_id = -1;
  for (const auto& [token, id] : vocab_) max_id = std::max(max_id, id);
  for (const auto& a : added_) max_id = std::max(max_id, a.id);
  id_to_token_.assign(max_id + 1, std::string());
  id_known_.assign(max_id + 1, false);
  id_added_.assign(max_id + 1, false);
  for (const auto& [token, id] : vocab_) {
    if (id_known_[id])
      throw std::runtime_error(source_ + ": tokens " + in_quotes(id_to_token_[id]) + " and " + in_quotes(token) +
                               " share id " + std::to_string(id));
    id_to_token_[id] = token;
    id_known_[id] = true;
  }
  for (const auto& a : added_) {
    if (id_known_[a.id] && id_to_token_[a.id] != a.content)
      throw std::runtime_error(source_ + ": added token " + in_quotes(a.content) + " takes id " + std::to_string(a.id) +
                               " of " + in_quotes(id_to_token_[a.id]));
    id_to_token_[a.id] = a.content;
    id_known_[a.id] = id_added_[a.id] = true;
    added_ids_[a.content] = a.id;
  }
  for (size_t rank = 0; rank < tables.merges.size(); ++rank) {
    const auto& [a, b] = tables.merges[rank];
    auto ia = vocab_.find(a), ib = vocab_.find(b), ir = vocab_.find(a + b);
    if (ia == vocab_.end() || ib == vocab_.end() || ir == vocab_.end())
      throw std::runtime_error(source_ + ": merge " + std::to_string(rank) + " " + in_quotes(a + " " + b) +
                               " uses or makes a token outside the vocabulary");
    uint64_t key = (static_cast<uint64_t>(ia->second) << 32) | static_cast<uint32_t>(ib->second);
    merges_.emplace(key, Merge{static_cast<int>(rank), ir->second});  // a repeated merge keeps its first rank
  }
  if (options.unknown_token) {
    unknown_id_ = token_to_id(*options.unknown_token);
    if (!unknown_id_)
      throw std::runtime_error(source_ + ": unknown-token " + in_quotes(*options.unknown_token) + " is not in the vocabulary");
  }
}

std::optional<int> ByteLevelBpe::token_to_id(const std::string& token) const {
  if (auto it = added_ids_.find(token); it != added_ids_.end()) return it->second;
  if (auto it = vocab_.find(token); it != vocab_.end()) return it->second;
  return std::nullopt;
}

const std::string& ByteLevelBpe::token_of(int id) const {
  if (id < 0 || id >= vocab_size() || !id_known_[id])
    throw std::runtime_error("token id " + std::to_string(id) + " is not in the vocabulary of " + source_ +
                             " (size " + std::to_string(vocab_size()) + ")");
  return id_to_token_[id];
}

bool ByteLevelBpe::is_added(int id) const { return id >= 0 && id < vocab_size() && id_added_[id]; }

// The merge loop: repeatedly join every left-to-right occurrence of the adjacent pair with the
// lowest rank, until no adjacent pair has a merge. Symbols are ids; a symbol missing from the
// vocabulary is kept as -(byte position + 1) so that the error can name it.
std::vector<int> ByteLevelBpe::bpe(const std::string& word) const {
  if (word.empty()) return {};
  const size_t n = word.size();
  auto symbol_text = [&](size_t i) {
    std::string s = byte_to_unicode(static_cast<unsigned char>(word[i]));
    return i + 1 == n ? s + end_of_word_ : s;
  };
  if (ignore_merges_)
    if (auto it = vocab_.find(bytes_to_unicode(word) + end_of_word_); it != vocab_.end()) return {it->second};
  std::vector<int> syms(n);
  for (size_t i = 0; i < n; ++i) {
    auto it = vocab_.find(symbol_text(i));
    syms[i] = it == vocab_.end() ? -static_cast<int>(i + 1) : it->second;
  }
  auto find_merge = [&](int a, int b) -> const Merge* {
    if (a < 0 || b < 0) return nullptr;
    auto it = merges_.find((static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b));
    return it == merges_.end() ? nullptr : &it->second;
  };
  std::vector<int> next;
  while (syms.size() > 1) {
    const Merge* best = nullptr;
    int left = 0, right = 0;
    for (size_t i = 0; i + 1 < syms.size(); ++i)
      if (const Merge* m = find_merge(syms[i], syms[i + 1]); m && (!best || m->rank < best->rank))
        best = m, left = syms[i], right = syms[i + 1];
    if (!best) break;
    next.clear();
    for (size_t i = 0; i < syms.size();) {
      if (i + 1 < syms.size() && syms[i] == left && syms[i + 1] == right) {
        next.push_back(best->result);
        i += 2;
      } else {
        next.push_back(syms[i++]);
      }
    }
    syms.swap(next);
  }
  for (int& s : syms) {
    if (s >= 0) continue;
    if (unknown_id_) {
      s = *unknown_id_;
      continue;
    }
    size_t i = static_cast<size_t>(-s - 1);
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(word[i])));
    throw std::runtime_error("no token for " + in_quotes(symbol_text(i)) + " (byte " + hex + ") in the vocabulary of " +
                             source_);
  }
  return syms;
}

void ByteLevelBpe::encode_word(const std::string& word, std::vector<int>& out) const {
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (auto it = cache_.find(word); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int> ids = bpe(word);
  out.insert(out.end(), ids.begin(), ids.end());
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (cache_.size() >= 100000) cache_.clear();  // bounds memory on endless distinct input
  cache_.emplace(word, std::move(ids));
}

std::string ByteLevelBpe::decode_bytes(const std::vector<int>& ids) const {
  std::string out;
  for (int id : ids) {
    const std::string& token = token_of(id);
    if (id_added_[id]) {
      out += token;
      continue;
    }
    for (char32_t cp : utf8_to_code_points(token)) {
      auto b = unicode_to_byte(cp);
      if (!b)
        throw std::runtime_error("token " + in_quotes(token) + " (id " + std::to_string(id) + ") of " + source_ +
                                 " is not byte-level text");
      out += static_cast<char>(*b);
    }
  }
  return out;
}

std::vector<int> encode_with_added_tokens(const ByteLevelBpe& bpe, const std::string& text,
                                          const std::function<std::vector<std::string>(const std::string&)>& pre_tokenize) {
  std::vector<int> ids;
  for (const TextPiece& piece : split_added_tokens(text, bpe.added_tokens())) {
    if (piece.added_id) {
      ids.push_back(*piece.added_id);
      continue;
    }
    for (const std::string& word : pre_tokenize(piece.text)) bpe.encode_word(word, ids);
  }
  return ids;
}

}  // namespace ppb::model
