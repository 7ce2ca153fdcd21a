// The Qwen2 LLM tokenizer (PPLLaVA's Qwen variant): byte-level BPE from a Hugging Face
// tokenizer.json, GPT-2 style (no prefix space, no word-end marker), with the added tokens
// (<|endoftext|>, <|im_start|>, <|im_end|>, <image>, ...) matched exactly before splitting.
#pragma once
#include <string>
#include <vector>

#include "model/byte_level_bpe.h"
#include "model/text_tokenizer.h"

namespace ppb::model {

// Qwen2's pre-tokenizer pattern (PCRE2 syntax; every character falls in some match).
const char* qwen2_pre_tokenizer_pattern();

class Qwen2Tokenizer : public TextTokenizer {
 public:
  // Reads DIR/tokenizer.json. Input is taken as already NFC-normalised (see docs/tokenizers.md).
  explicit Qwen2Tokenizer(const std::string& dir);

  std::vector<int> encode(const std::string& text) const override;
  // The bytes of the tokens as UTF-8, a split character shown as U+FFFD; added tokens as their text.
  std::string decode(const std::vector<int>& ids) const override;
  std::optional<int> token_to_id(const std::string& piece) const override { return bpe_.token_to_id(piece); }
  int vocab_size() const override { return bpe_.vocab_size(); }
  std::string name() const override { return "qwen2_bpe"; }

  // The pre-tokens of a stretch of text without added tokens, as raw UTF-8.
  std::vector<std::string> pre_tokenize(const std::string& text) const;

 private:
  ByteLevelBpe bpe_;
  PreTokenizerRegex pattern_;
};

}  // namespace ppb::model
