// The byte-level BPE core shared by the CLIP and Qwen2 tokenizers: GPT-2's byte-to-character
// table, the vocabulary and merge files, the pre-tokenizer regex (PCRE2), added-token matching
// and the merge loop on one pre-token.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ppb::model {

// ---- GPT-2's byte <-> character table --------------------------------------------------------

// The character (as UTF-8) that stands for byte `b` in byte-level vocabularies: printable bytes
// stand for themselves, the other 68 for U+0100 onwards in byte order (space is "Ġ", U+0120).
const std::string& byte_to_unicode(unsigned char b);
// The byte that code point `cp` stands for, or nothing when `cp` is not in the table.
std::optional<unsigned char> unicode_to_byte(char32_t cp);
// Every byte of `bytes` replaced by its character.
std::string bytes_to_unicode(const std::string& bytes);

// ---- UTF-8 ------------------------------------------------------------------------------------

// Throws, naming `what` and the byte offset, when `text` is not valid UTF-8.
void check_utf8(const std::string& text, const std::string& what);
// The code points of `text`, which must be valid UTF-8 (see check_utf8).
std::u32string utf8_to_code_points(const std::string& text);
void append_utf8(std::string& out, char32_t cp);
// `bytes` with each maximal invalid UTF-8 subsequence replaced by U+FFFD, as Python's
// errors="replace" and Rust's from_utf8_lossy do: decoding ids that split a character.
std::string utf8_lossy(const std::string& bytes);

// ---- vocabulary and merges --------------------------------------------------------------------

struct AddedToken {
  std::string content;  // text matched literally in the input, before any clean-up
  int id = 0;           // id a match becomes
  bool special = true;  // Hugging Face's "special" flag, kept for writers
};

struct BpeTables {
  std::unordered_map<std::string, int> vocab;               // byte-level token -> id
  std::vector<std::pair<std::string, std::string>> merges;  // in rank order (rank = index)
  std::vector<AddedToken> added_tokens;                     // matched before pre-tokenization
  bool ignore_merges = false;  // model.ignore_merges: a word already in the vocabulary skips BPE
  std::string source;          // the file(s) read, for errors
};

// vocab.json (token -> id) and merges.txt ("a b" per line; a first "#version" line is skipped).
BpeTables read_vocab_merges(const std::string& vocab_json, const std::string& merges_txt);
// A Hugging Face tokenizer.json with a BPE model: model.vocab, model.merges ("a b" strings or
// [a, b] pairs), model.ignore_merges and added_tokens.
BpeTables read_tokenizer_json(const std::string& path);

// ---- pre-tokenization -------------------------------------------------------------------------

// A pre-tokenizer pattern compiled with PCRE2 in UTF mode with Unicode properties (\p{L}, and
// \s, \w matching beyond ASCII), as Python's `regex` and Oniguruma treat it.
class PreTokenizerRegex {
 public:
  PreTokenizerRegex(const std::string& pattern, bool caseless);
  ~PreTokenizerRegex();
  PreTokenizerRegex(const PreTokenizerRegex&) = delete;
  PreTokenizerRegex& operator=(const PreTokenizerRegex&) = delete;

  // The successive matches in `text` (valid UTF-8, else an error). With `keep_gaps` the text
  // between matches is returned as pieces too (Hugging Face's "Isolated" split); without, it is
  // dropped (Python's re.findall).
  std::vector<std::string> split(const std::string& text, bool keep_gaps) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A stretch of input: plain text to pre-tokenize, or one added token matched exactly.
struct TextPiece {
  std::string text;
  std::optional<int> added_id;  // set when `text` is an added token
};

// Splits `text` at every occurrence of an added token, leftmost first and the longest token
// where several start at the same place (how Hugging Face matches them).
std::vector<TextPiece> split_added_tokens(const std::string& text, const std::vector<AddedToken>& added);

// ---- BPE --------------------------------------------------------------------------------------

struct ByteLevelBpeOptions {
  std::string end_of_word;                   // joined to the last symbol of each word: "</w>" (CLIP) or ""
  std::optional<std::string> unknown_token;  // token for symbols missing from the vocabulary; unset: an error
};

class ByteLevelBpe {
 public:
  ByteLevelBpe(BpeTables tables, ByteLevelBpeOptions options);

  // Appends the ids of one pre-token, given as its raw UTF-8 bytes. Results are cached per
  // instance (thread-safe), since the same words recur.
  void encode_word(const std::string& word, std::vector<int>& out) const;
  // Id of a vocabulary entry or added token (added tokens win).
  std::optional<int> token_to_id(const std::string& token) const;
  // The vocabulary string or added-token text of `id`; an error when no token has that id.
  const std::string& token_of(int id) const;
  bool is_added(int id) const;
  // The bytes `ids` stand for: added tokens as their text, vocabulary tokens mapped back through
  // the byte table (so CLIP's "</w>" comes out as those four ASCII letters).
  std::string decode_bytes(const std::vector<int>& ids) const;
  // One more than the largest id of the vocabulary and the added tokens.
  int vocab_size() const { return static_cast<int>(id_to_token_.size()); }
  const std::vector<AddedToken>& added_tokens() const { return added_; }
  const std::string& source() const { return source_; }

 private:
  struct Merge {
    int rank;
    int result;  // id of the merged symbol
  };
  std::vector<int> bpe(const std::string& word) const;

  std::unordered_map<std::string, int> vocab_;
  std::unordered_map<std::string, int> added_ids_;
  std::vector<AddedToken> added_;
  std::vector<std::string> id_to_token_;  // "" where no token has the id
  std::vector<bool> id_known_;
  std::vector<bool> id_added_;
  std::unordered_map<uint64_t, Merge> merges_;  // (left id << 32 | right id) -> merge
  std::string end_of_word_;
  std::optional<int> unknown_id_;
  bool ignore_merges_ = false;
  std::string source_;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int>> cache_;
};

// The ids of `text`: added tokens matched exactly, the text between them split by `pre_tokenize`
// and each piece BPE'd. The CLIP and Qwen2 tokenizers differ only in their pre-tokenizers.
std::vector<int> encode_with_added_tokens(const ByteLevelBpe& bpe, const std::string& text,
                                          const std::function<std::vector<std::string>(const std::string&)>& pre_tokenize);

}  // namespace ppb::model
