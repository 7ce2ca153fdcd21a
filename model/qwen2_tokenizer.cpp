#include "model/qwen2_tokenizer.h"

#include <filesystem>
#include <stdexcept>

namespace ppb::model {
namespace {

// Qwen2's pre-tokenizer (the Split step of its tokenizer.json): contractions in any case, letter
// runs with one leading non-letter, single digits, punctuation runs with an optional leading space
// and trailing newlines, newline runs, whitespace not followed by a word, other whitespace.
const char* const kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

BpeTables read_qwen2_tables(const std::string& dir) {
  std::string path = (std::filesystem::path(dir) / "tokenizer.json").string();
  if (!std::filesystem::exists(path)) throw std::runtime_error("no Qwen2 tokenizer file " + path);
  return read_tokenizer_json(path);
}

}  // namespace

const char* qwen2_pre_tokenizer_pattern() { return kQwen2Pattern; }

// Qwen2's BPE has no unknown token: with the 256 byte symbols in the vocabulary nothing is
// missing, and a vocabulary without one of them is reported rather than silently skipped.
Qwen2Tokenizer::Qwen2Tokenizer(const std::string& dir)
    : bpe_(read_qwen2_tables(dir), ByteLevelBpeOptions{}), pattern_(kQwen2Pattern, /*caseless=*/false) {}

std::vector<std::string> Qwen2Tokenizer::pre_tokenize(const std::string& text) const {
  return pattern_.split(text, /*keep_gaps=*/true);
}

std::vector<int> Qwen2Tokenizer::encode(const std::string& text) const {
  return encode_with_added_tokens(bpe_, text, [this](const std::string& t) { return pre_tokenize(t); });
}

std::string Qwen2Tokenizer::decode(const std::vector<int>& ids) const { return utf8_lossy(bpe_.decode_bytes(ids)); }

}  // namespace ppb::model
