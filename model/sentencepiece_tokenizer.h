// The LLaMA tokenizer: a SentencePiece model (tokenizer.model) plus the <image> placeholder,
// which the release adds as an extra token after the SentencePiece vocabulary.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "model/text_tokenizer.h"

namespace ppb::model {

class SentencePieceTokenizer : public TextTokenizer {
 public:
  // Loads DIR/tokenizer.model; `image_token_id` is the id that "<image>" in a prompt becomes.
  SentencePieceTokenizer(const std::string& dir, int image_token_id);
  ~SentencePieceTokenizer() override;

  // BOS, then each text chunk encoded, with `image_token_id` where the prompt says "<image>".
  std::vector<int> encode_prompt(const std::string& prompt) const;
  // Plain encoding without BOS ("<image>" in the text is encoded as ordinary text).
  std::vector<int> encode(const std::string& text) const override;
  // Text of the pieces; added tokens (<image>, padding rows) have no text and are skipped.
  std::string decode(const std::vector<int>& ids) const override;
  // "<image>", "<s>", "</s>", or a string that is exactly one piece.
  std::optional<int> token_to_id(const std::string& piece) const override;
  int bos_id() const;
  int eos_id() const;
  int vocab_size() const override;  // SentencePiece pieces, and <image> when it follows them
  int piece_count() const;          // SentencePiece pieces alone
  std::string name() const override { return "sentencepiece"; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int image_token_id_;
};

// Trains a small SentencePiece BPE model from `sentences` into DIR/tokenizer.model (single
// thread, so the same sentences give the same model). Used for tiny test checkpoints.
void train_sentencepiece(const std::vector<std::string>& sentences, int vocab_size, const std::string& dir);

}  // namespace ppb::model
