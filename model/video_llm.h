// The video LLM assembled from a checkpoint folder: vision tower, projector, token reducer,
// LLaMA decoder and tokenizer. The stages are separate calls so that a harness can share the
// vision features of one video among several reducers and time each stage.
#pragma once
#include <memory>
#include <string>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "model/checkpoint.h"
#include "model/clip_vision.h"
#include "model/generation.h"
#include "model/hf_config.h"
#include "model/llama_decoder.h"
#include "model/projector.h"
#include "model/sentencepiece_tokenizer.h"
#include "model/token_reducers.h"

namespace ppb::model {

class VideoLlm {
 public:
  // Loads DIR; every missing tensor is reported by name and shape in one error.
  explicit VideoLlm(const std::string& dir);

  const ModelConfig& config() const { return cfg_; }
  const std::string& fingerprint() const { return fingerprint_; }
  const std::string& dir() const { return dir_; }
  int input_size() const { return cfg_.vision.image_size; }
  GridShape grid_for(int64_t frames) const { return {frames, vision_->grid(), vision_->grid()}; }

  // pixels [T, 3, S, S] -> patch features [T, h, w, D_vision].
  at::Tensor encode_frames(const at::Tensor& pixels) const;
  // features [T, h, w, D_vision] -> visual tokens [N, D_llm], applying the reducer on its side of the projector.
  at::Tensor visual_tokens(const at::Tensor& features, const TokenReducer& reducer, const nlohmann::json& params) const;
  // The chat-templated prompt text for a task's user message and answer prefix, and its ids.
  std::string prompt_text(const std::string& user_message, const std::string& answer_prefix) const;
  std::vector<int> prompt_ids(const std::string& user_message, const std::string& answer_prefix) const;
  GenerationResult generate(const std::vector<int>& prompt_ids, const at::Tensor& visual,
                            const GenerationOptions& opts) const;
  const SentencePieceTokenizer& tokenizer() const { return *tokenizer_; }

 private:
  std::string dir_;
  ModelConfig cfg_;
  std::string fingerprint_;
  std::unique_ptr<ClipVisionTower> vision_;
  std::unique_ptr<Projector> projector_;
  std::unique_ptr<LlamaDecoder> llm_;
  std::unique_ptr<SentencePieceTokenizer> tokenizer_;
};

}  // namespace ppb::model
