// A small deterministic byte-level BPE trainer and the writers of its vocabulary in Hugging
// Face's file layouts: the tiny test checkpoints train their CLIP and Qwen2 tokenizers with it.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace ppb::model {

enum class BpeStyle {
  clip,   // CLIP's clean-up, lower-casing and pattern; "</w>" on the last symbol of each word
  qwen2,  // Qwen2's pattern on the raw text; no word-end marker
};

struct BpeTrainOptions {
  BpeStyle style = BpeStyle::qwen2;         // which pre-tokenizer, and whether words end in "</w>"
  int merges = 256;                         // merges to learn at most (fewer once no pair is frequent enough)
  int min_pair_count = 2;                   // a pair seen fewer times in the corpus is never merged
  std::vector<std::string> special_tokens;  // given ids after the learned tokens, in this order
};

struct BpeVocab {
  BpeStyle style = BpeStyle::qwen2;                         // how it was trained; decides the writers' layout
  std::vector<std::string> tokens;                          // id -> byte-level token, without the specials
  std::vector<std::pair<std::string, std::string>> merges;  // in rank order
  std::vector<std::string> special_tokens;                  // ids tokens.size(), tokens.size() + 1, ...

  int size() const { return static_cast<int>(tokens.size() + special_tokens.size()); }
};

// Learns merges over the pre-tokenized words of `corpus` (special tokens in the text are cut
// out first): each step merges the most frequent adjacent pair, ties going to the pair whose
// left, then right symbol is smaller in UTF-8 byte order. The vocabulary is the 256 byte
// symbols in GPT-2 table order, then (CLIP style) the same with "</w>", then one token per new
// merge result, then the special tokens. The same corpus and options give the same vocabulary.
BpeVocab train_bpe(const std::vector<std::string>& corpus, const BpeTrainOptions& options);

// DIR/vocab.json (special tokens included, as CLIP's files have them) and DIR/merges.txt.
void write_vocab_merges(const std::string& dir, const BpeVocab& vocab);
// A tokenizer.json in Hugging Face's layout for the vocabulary's style (Qwen2 style keeps the
// special tokens out of model.vocab and lists them in added_tokens, as Qwen2's file does).
void write_tokenizer_json(const std::string& path, const BpeVocab& vocab);

}  // namespace ppb::model
