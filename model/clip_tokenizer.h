// The CLIP text tokenizer of the relevance encoder (PPLLaVA section 2.1): the question is
// cleaned, lower-cased, split by CLIP's pattern and byte-level BPE'd with "</w>" word ends,
// as Hugging Face's CLIPTokenizer does.
#pragma once
#include <string>
#include <vector>

#include "model/byte_level_bpe.h"
#include "model/text_tokenizer.h"

namespace ppb::model {

// CLIP's text clean-up: runs of whitespace become one space, the ends are trimmed, then the text is
// lower-cased as Python's str.lower() does (Unicode 14 mappings, final sigma). Whitespace is what
// Python's str.isspace() accepts.
std::string clip_clean_text(const std::string& text);
// CLIP's pre-tokenizer pattern (PCRE2 syntax, matched case-insensitively; gaps are dropped).
const char* clip_pre_tokenizer_pattern();

class ClipTokenizer : public TextTokenizer {
 public:
  // Reads DIR/vocab.json + DIR/merges.txt (the files CLIPTokenizer reads), or DIR/tokenizer.json
  // when those are absent. "<|startoftext|>" and "<|endoftext|>" must be in the vocabulary.
  explicit ClipTokenizer(const std::string& dir);

  std::vector<int> encode(const std::string& text) const override;
  // BOS, the tokens of `text`, EOS, cut so that the whole is at most `context` ids: the prefix is
  // kept and EOS re-appended. Not padded: the text encoder is causal and pools at the first EOS.
  std::vector<int> encode_for_relevance(const std::string& text, int context = 248) const;
  // Tokens joined, "</w>" read as a space, the ends trimmed (Hugging Face's decoding).
  std::string decode(const std::vector<int>& ids) const override;
  std::optional<int> token_to_id(const std::string& piece) const override { return bpe_.token_to_id(piece); }
  int vocab_size() const override { return bpe_.vocab_size(); }
  std::string name() const override { return "clip_bpe"; }

  // The pre-tokens BPE sees for a stretch of text without special tokens (cleaned first).
  std::vector<std::string> pre_tokenize(const std::string& text) const;
  int bos_id() const { return bos_id_; }
  int eos_id() const { return eos_id_; }

 private:
  ByteLevelBpe bpe_;
  PreTokenizerRegex pattern_;
  int bos_id_ = 0;
  int eos_id_ = 0;
};

}  // namespace ppb::model
