// The LLaMA tokenizer: a SentencePiece model (tokenizer.model) plus the <image> placeholder,
// which the release adds as an extra token after the SentencePiece vocabulary.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace ppb::model {

class SentencePieceTokenizer {
 public:
  // Loads DIR/tokenizer.model; `image_token_id` is the id that "<image>" in a prompt becomes.
  SentencePieceTokenizer(const std::string& dir, int image_token_id);
  ~SentencePieceTokenizer();

  // BOS, then each text chunk encoded, with `image_token_id` where the prompt says "<image>".
  std::vector<int> encode_prompt(const std::string& prompt) const;
  // Plain encoding without BOS.
  std::vector<int> encode(const std::string& text) const;
  std::string decode(const std::vector<int>& ids) const;
  int bos_id() const;
  int eos_id() const;
  int vocab_size() const;  // SentencePiece pieces, without added tokens

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int image_token_id_;
};

// Trains a small SentencePiece BPE model from `sentences` into DIR/tokenizer.model (single
// thread, so the same sentences give the same model). Used for tiny test checkpoints.
void train_sentencepiece(const std::vector<std::string>& sentences, int vocab_size, const std::string& dir);

}  // namespace ppb::model
