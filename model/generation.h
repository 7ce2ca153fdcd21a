// Greedy generation with the visual tokens spliced in place of the <image> token.
#pragma once
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "model/llama_decoder.h"
#include "model/text_tokenizer.h"

namespace ppb::model {

struct GenerationOptions {
  int max_new_tokens = 200;                 // generated tokens at most
  std::vector<std::string> stop_strings;    // generation ends when the text contains one (it is cut off)
  std::vector<int> extra_eos_ids;           // ids that end generation besides the LLM's eos_token_id
};

struct GenerationResult {
  std::string text;              // decoded answer, stop string removed
  std::vector<int> tokens;       // generated ids (EOS excluded)
  int64_t prompt_tokens = 0;     // text tokens of the prompt (a leading BOS and the <image> placeholder excluded)
  int64_t context_tokens = 0;    // positions the LLM saw: prompt + visual + generated
  std::string finish_reason;     // "eos", "stop_string" or "length"
  double prefill_ms = 0;         // first forward pass over the whole prompt
  double generate_ms = 0;        // every later token
};

// Replaces each occurrence of `image_token_id` in `ids` by the rows of `visual` ([N, D]) and
// returns the input embeddings [len(ids) - 1 + N, D]. Exactly one placeholder is required.
at::Tensor splice_visual_tokens(const LlamaDecoder& llm, const std::vector<int>& ids, int image_token_id,
                                const at::Tensor& visual);

GenerationResult greedy_generate(const LlamaDecoder& llm, const TextTokenizer& tok,
                                 const std::vector<int>& prompt_ids, int image_token_id, const at::Tensor& visual,
                                 const GenerationOptions& opts);

}  // namespace ppb::model
