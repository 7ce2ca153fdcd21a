// The text tokenizer interface the model pipeline sees: the CLIP relevance tokenizer, the Qwen2
// LLM tokenizer and (through an adapter) the LLaMA SentencePiece tokenizer all implement it, so
// prompt building and records do not care which one runs.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace ppb::model {

class TextTokenizer {
 public:
  virtual ~TextTokenizer() = default;

  // Token ids of `text`, without BOS or EOS; special tokens written in the text map to their ids.
  virtual std::vector<int> encode(const std::string& text) const = 0;
  // Text of `ids`; special tokens come out as their text. An id outside the vocabulary is an error.
  virtual std::string decode(const std::vector<int>& ids) const = 0;
  // Id of one vocabulary entry or added token, written as the vocabulary writes it.
  virtual std::optional<int> token_to_id(const std::string& piece) const = 0;
  // One more than the largest id encode() can return (base vocabulary and added tokens).
  virtual int vocab_size() const = 0;
  // Short identifier for run records, e.g. "clip_bpe".
  virtual std::string name() const = 0;
};

}  // namespace ppb::model
