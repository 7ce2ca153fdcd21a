#include "model/video_llm.h"

#include <stdexcept>

#include "model/chat_template.h"

namespace ppb::model {

VideoLlm::VideoLlm(const std::string& dir) : dir_(dir), cfg_(read_model_config(dir)) {
  if (cfg_.model_type != "llava_next")
    throw std::runtime_error(dir + "/config.json: model_type '" + cfg_.model_type +
                             "' is not supported yet (supported: llava_next)");
  Checkpoint ckpt(dir);
  fingerprint_ = ckpt.fingerprint();
  vision_ = std::make_unique<ClipVisionTower>(ckpt, cfg_, "vision_tower.vision_model.");
  projector_ = std::make_unique<Projector>(ckpt, cfg_);
  llm_ = std::make_unique<LlamaDecoder>(ckpt, cfg_.text);
  // The learned row separator of LLaVA-NeXT's single-image packing; videos do not use it.
  ckpt.expect("image_newline", {cfg_.text.hidden_size});
  ckpt.check_complete();
  tokenizer_ = std::make_unique<SentencePieceTokenizer>(dir, cfg_.image_token_index);
  if (cfg_.image_token_index >= cfg_.text.vocab_size)
    throw std::runtime_error(dir + "/config.json: image_token_index " + std::to_string(cfg_.image_token_index) +
                             " is outside text_config.vocab_size " + std::to_string(cfg_.text.vocab_size));
}

at::Tensor VideoLlm::encode_frames(const at::Tensor& pixels) const {
  at::Tensor f = vision_->forward(pixels);  // [T, g*g, D]
  const int64_t g = vision_->grid();
  return f.view({f.size(0), g, g, f.size(2)});
}

at::Tensor VideoLlm::visual_tokens(const at::Tensor& features, const TokenReducer& reducer,
                                   const nlohmann::json& params) const {
  if (reducer.placement == ReducerPlacement::before_projector)
    return projector_->forward(reducer.reduce(features, params));
  return reducer.reduce(projector_->forward(features), params);
}

std::string VideoLlm::prompt_text(const std::string& user_message, const std::string& answer_prefix) const {
  return vicuna_video_prompt(user_message, answer_prefix);
}

std::vector<int> VideoLlm::prompt_ids(const std::string& user_message, const std::string& answer_prefix) const {
  return tokenizer_->encode_prompt(prompt_text(user_message, answer_prefix));
}

GenerationResult VideoLlm::generate(const std::vector<int>& ids, const at::Tensor& visual,
                                    const GenerationOptions& opts) const {
  return greedy_generate(*llm_, *tokenizer_, ids, cfg_.image_token_index, visual, opts);
}

}  // namespace ppb::model
