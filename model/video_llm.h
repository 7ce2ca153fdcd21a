// The video LLM assembled from a checkpoint folder: the vision tower (with its BT-Adapter), the
// projector, the relevance encoder of prompt-guided pooling, the LLM decoder and its tokenizer.
// The stages are separate calls so that a harness can share the vision features of one video
// among several reducers and time each stage.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "model/generation.h"
#include "model/hf_config.h"
#include "model/image_packing.h"
#include "model/text_tokenizer.h"
#include "model/token_reducers.h"

namespace ppb::model {

class ClipVisionTower;
class Projector;
class LlamaDecoder;
class ClipTextEncoder;
class ClipTokenizer;
class RelevanceHead;

struct ModelLoadOptions {
  std::string device = "cpu";   // "cpu", or "cuda" when LibTorch was built with CUDA
  std::string dtype;            // "float32", "bfloat16" or "float16"; empty: float32 on CPU, bfloat16 on CUDA
  std::string clip_tokenizer;   // folder of the relevance encoder's CLIP tokenizer; empty: DIR/clip_tokenizer
};

// The run dtype a name stands for ("float32", "bfloat16", "float16"); throws listing them.
at::ScalarType dtype_by_name(const std::string& name);

// One image's visual tokens and the relevance that weighted their pooling.
struct ImageTokens {
  at::Tensor tokens;     // [N, D_llm]: base tile, then the unpadded crop grid with newlines
  at::Tensor relevance;  // [n_tiles, h, w] float32 summing to 1 over all tiles; undefined without a prompt
};

class VideoLlm {
 public:
  // Loads DIR; every missing or unknown tensor is reported by name and shape in one error.
  explicit VideoLlm(const std::string& dir, const ModelLoadOptions& opts = {});
  ~VideoLlm();

  const ModelConfig& config() const { return cfg_; }
  const std::string& fingerprint() const { return fingerprint_; }
  const std::string& dir() const { return dir_; }
  int input_size() const { return cfg_.vision.image_size; }
  GridShape grid_for(int64_t frames) const;
  at::Device device() const { return device_; }
  at::ScalarType dtype() const { return dtype_; }
  const std::string& llm_family() const { return cfg_.text.model_type; }

  // pixels [T, 3, S, S] (float32, any device) -> patch features [T, h, w, D_vision] on the model's device.
  at::Tensor encode_frames(const at::Tensor& pixels) const;
  // features [T, h, w, D_vision] -> visual tokens [N, D_llm], applying the reducer on its side of the projector.
  // `relevance` [T, h, w] is required by reducers that need it (ppllava).
  at::Tensor visual_tokens(const at::Tensor& features, const TokenReducer& reducer, const nlohmann::json& params,
                           const at::Tensor& relevance = at::Tensor()) const;

  // Single images (LLaVA-NeXT anyres, docs/model.md "Single images"). tiles [n, 3, S, S] normalised:
  // the base image, then grid.rows x grid.cols crops row-major. Each tile is its own one-frame clip
  // for the vision tower; the relevance to `prompt_embedding` (when defined) is softmaxed over all
  // tiles; tokens are projected, pooled per tile with image_pooling_kernel (relevance-weighted, or
  // averaged without a prompt) and packed with image_newline.
  ImageTokens image_tokens(const at::Tensor& tiles, const TileGrid& grid, const ImageSize& original,
                           const at::Tensor& prompt_embedding = at::Tensor()) const;
  // The token count image_tokens gives for an image of `original` size split into `grid`.
  int64_t image_token_count(const ImageSize& original, const TileGrid& grid) const;

  // The relevance encoder of prompt-guided pooling (absent when the checkpoint has none).
  bool has_relevance() const { return clip_text_ != nullptr; }
  // The CLIP ids of a relevance text: BOS + tokens + EOS, truncated to the context keeping EOS.
  std::vector<int> relevance_ids(const std::string& text) const;
  // The unit-length prompt embedding c [projection_dim], float32.
  at::Tensor prompt_embedding(const std::vector<int>& clip_ids) const;
  // Relevance of every visual position to the prompt: [T, h, w] float32 summing to 1.
  at::Tensor relevance(const at::Tensor& features, const at::Tensor& prompt_embedding) const;
  // True when the checkpoint held a stock 77-row CLIP text position table, stretched at load.
  bool clip_positions_extended_at_load() const;

  // The chat-templated prompt text for a task's user message and answer prefix, and its ids.
  std::string prompt_text(const std::string& user_message, const std::string& answer_prefix) const;
  std::vector<int> prompt_ids(const std::string& user_message, const std::string& answer_prefix) const;
  // The ids of a full prompt text (BOS for LLaMA; <image> as the image token).
  std::vector<int> encode_prompt(const std::string& prompt) const;
  GenerationResult generate(const std::vector<int>& prompt_ids, const at::Tensor& visual,
                            const GenerationOptions& opts) const;
  // The logits [vocab] the LLM gives for the first answer token (float32, on the CPU).
  at::Tensor first_token_logits(const std::vector<int>& prompt_ids, const at::Tensor& visual) const;
  const TextTokenizer& tokenizer() const { return *tokenizer_; }

 private:
  std::string dir_;
  ModelConfig cfg_;
  std::string fingerprint_;
  at::Device device_ = at::kCPU;
  at::ScalarType dtype_ = at::kFloat;
  std::unique_ptr<ClipVisionTower> vision_;
  std::unique_ptr<Projector> projector_;
  std::unique_ptr<LlamaDecoder> llm_;
  std::unique_ptr<TextTokenizer> tokenizer_;
  std::vector<int> stop_ids_;  // ids besides eos_token_id that end an answer (<|endoftext|> for Qwen2)
  std::unique_ptr<ClipTextEncoder> clip_text_;
  std::unique_ptr<RelevanceHead> relevance_;
  std::unique_ptr<ClipTokenizer> clip_tokenizer_;
  std::map<std::string, at::Tensor> learned_reducer_weights_;  // conv3d's, when the checkpoint has them
  at::Tensor image_newline_;  // [D_llm], ends every row of a single image's crop tokens; undefined when unused
};

}  // namespace ppb::model
