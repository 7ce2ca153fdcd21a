#include "model/video_llm.h"

#include <array>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "model/chat_template.h"
#include "model/checkpoint.h"
#include "model/clip_text_encoder.h"
#include "model/clip_tokenizer.h"
#include "model/clip_vision.h"
#include "model/llama_decoder.h"
#include "model/projector.h"
#include "model/qwen2_tokenizer.h"
#include "model/relevance.h"
#include "model/sentencepiece_tokenizer.h"

namespace fs = std::filesystem;

namespace ppb::model {

at::ScalarType dtype_by_name(const std::string& name) {
  if (name == "float32") return at::kFloat;
  if (name == "bfloat16") return at::kBFloat16;
  if (name == "float16") return at::kHalf;
  throw std::runtime_error("unknown dtype '" + name + "' (known: float32, bfloat16, float16)");
}

VideoLlm::VideoLlm(const std::string& dir, const ModelLoadOptions& opts) : dir_(dir), cfg_(read_model_config(dir)) {
  if (cfg_.model_type == "llava_onevision")
    throw std::runtime_error(dir + "/config.json: model_type 'llava_onevision' (PPLLaVA's Qwen variant, with a SigLIP "
                                   "vision tower and SigLIP relevance head) is not supported yet; supported: llava_next");
  if (cfg_.model_type != "llava_next")
    throw std::runtime_error(dir + "/config.json: model_type '" + cfg_.model_type +
                             "' is not supported (supported: llava_next)");
  if (opts.device == "cuda") {
    if (!at::hasCUDA())
      throw std::runtime_error("device cuda: this build of LibTorch has no CUDA (or no GPU is visible); use --device cpu");
    device_ = at::Device(at::kCUDA, 0);
  } else if (opts.device != "cpu") {
    throw std::runtime_error("unknown device '" + opts.device + "' (known: cpu, cuda)");
  }
  dtype_ = opts.dtype.empty() ? (device_.is_cuda() ? at::kBFloat16 : at::kFloat) : dtype_by_name(opts.dtype);

  Checkpoint ckpt(dir);
  ckpt.set_target(dtype_, device_);
  fingerprint_ = ckpt.fingerprint();
  vision_ = std::make_unique<ClipVisionTower>(ckpt, cfg_, "vision_tower.vision_model.");
  projector_ = std::make_unique<Projector>(ckpt, cfg_);
  llm_ = std::make_unique<LlamaDecoder>(ckpt, cfg_.text);
  // The learned row separator of LLaVA-NeXT's single-image packing; videos do not use it, so
  // it is only declared when the config turns it off.
  if (cfg_.use_image_newline_parameter)
    image_newline_ = ckpt.get("image_newline", {cfg_.text.hidden_size});
  else
    ckpt.expect("image_newline", {cfg_.text.hidden_size});
  // A trained conv3d reducer's depthwise kernel and bias, when the checkpoint carries them
  // (docs/methods.md); without them conv3d starts from the average pool it is initialised to.
  for (const char* part : {"weight", "bias"}) {
    const std::string name = std::string("multi_modal_projector.conv3d_pool.") + part;
    if (ckpt.has(name)) learned_reducer_weights_[part] = ckpt.get(name, ckpt.shape_of(name));
  }
  if (cfg_.has_relevance) {
    clip_text_ = std::make_unique<ClipTextEncoder>(ckpt, cfg_);
    relevance_ = std::make_unique<RelevanceHead>(ckpt, cfg_);
  }
  ckpt.check_complete();

  if (cfg_.image_token_index >= cfg_.text.vocab_size)
    throw std::runtime_error(dir + "/config.json: image_token_index " + std::to_string(cfg_.image_token_index) +
                             " is outside text_config.vocab_size " + std::to_string(cfg_.text.vocab_size));
  if (cfg_.text.model_type == "llama") {
    tokenizer_ = std::make_unique<SentencePieceTokenizer>(dir, cfg_.image_token_index);
  } else {
    tokenizer_ = std::make_unique<Qwen2Tokenizer>(dir);
    const auto image = tokenizer_->token_to_id("<image>");
    if (!image || *image != cfg_.image_token_index)
      throw std::runtime_error(dir + "/tokenizer.json: the added token <image> is " +
                               (image ? "id " + std::to_string(*image) : std::string("absent")) +
                               ", but config.json says image_token_index " + std::to_string(cfg_.image_token_index));
    if (auto end = tokenizer_->token_to_id("<|endoftext|>"); end && *end != cfg_.text.eos_token_id)
      stop_ids_.push_back(*end);
  }
  if (tokenizer_->vocab_size() > cfg_.text.vocab_size)
    throw std::runtime_error(dir + ": the tokenizer has " + std::to_string(tokenizer_->vocab_size()) +
                             " ids, more than text_config.vocab_size " + std::to_string(cfg_.text.vocab_size));
  if (has_relevance()) {
    const std::string clip_dir = opts.clip_tokenizer.empty() ? (fs::path(dir) / "clip_tokenizer").string()
                                                             : opts.clip_tokenizer;
    if (!fs::exists(fs::path(clip_dir) / "vocab.json") && !fs::exists(fs::path(clip_dir) / "tokenizer.json"))
      throw std::runtime_error("the relevance encoder needs the CLIP tokenizer of " +
                               (cfg_.clip_weight.empty() ? std::string("its CLIP") : cfg_.clip_weight) +
                               " (vocab.json + merges.txt, or tokenizer.json) in " + clip_dir +
                               "; the release leaves it out of the checkpoint folder");
    clip_tokenizer_ = std::make_unique<ClipTokenizer>(clip_dir);
    if (clip_tokenizer_->eos_id() != clip_text_->eos_token_id())
      throw std::runtime_error(clip_dir + ": <|endoftext|> is id " + std::to_string(clip_tokenizer_->eos_id()) +
                               ", but the relevance encoder pools at id " + std::to_string(clip_text_->eos_token_id()));
  }
}

VideoLlm::~VideoLlm() = default;

GridShape VideoLlm::grid_for(int64_t frames) const { return {frames, vision_->grid(), vision_->grid()}; }

at::Tensor VideoLlm::encode_frames(const at::Tensor& pixels) const {
  at::Tensor f = vision_->forward(pixels.to(device_, dtype_));  // [T, g*g, D]
  const int64_t g = vision_->grid();
  return f.view({f.size(0), g, g, f.size(2)});
}

at::Tensor VideoLlm::visual_tokens(const at::Tensor& features, const TokenReducer& reducer, const nlohmann::json& params,
                                   const at::Tensor& relevance) const {
  if (reducer.needs_relevance && !relevance.defined())
    throw std::runtime_error("method " + reducer.name + " needs the prompt relevance, which was not computed");
  ReduceInputs in;
  in.relevance = relevance;
  in.learned = &learned_reducer_weights_;
  if (reducer.placement == ReducerPlacement::before_projector)
    return projector_->forward(reducer.reduce(features, params, in));
  return reducer.reduce(projector_->forward(features), params, in);
}

namespace {

// The image pooling window as the pooling kernels take it. Images pool each tile alone, so the
// window must be one frame deep, and the kernels assume stride = kernel.
std::array<int64_t, 3> image_kernel(const ModelConfig& cfg, const std::string& dir, int64_t grid) {
  const auto& k = cfg.image_pooling_kernel;
  const auto& s = cfg.image_pooling_stride;
  const std::string shown = "(" + std::to_string(k[0]) + "," + std::to_string(k[1]) + "," + std::to_string(k[2]) + ")";
  if (k != s)
    throw std::runtime_error(dir + "/config.json: image_pooling_stride differs from image_pooling_kernel " + shown +
                             "; only stride = kernel is supported");
  if (k[0] != 1 || k[1] <= 0 || k[2] <= 0 || k[1] > grid || k[2] > grid)
    throw std::runtime_error(dir + "/config.json: image_pooling_kernel " + shown + " does not fit one " +
                             std::to_string(grid) + " x " + std::to_string(grid) +
                             " tile (its frame depth must be 1: every tile is pooled alone)");
  return {1, k[1], k[2]};
}

}  // namespace

int64_t VideoLlm::image_token_count(const ImageSize& original, const TileGrid& grid) const {
  const int64_t g = vision_->grid();
  const auto k = image_kernel(cfg_, dir_, g);
  return packed_image_token_count(original, grid, g / k[1], g / k[2], image_newline_.defined());
}

ImageTokens VideoLlm::image_tokens(const at::Tensor& tiles, const TileGrid& grid, const ImageSize& original,
                                   const at::Tensor& prompt_embedding) const {
  const int64_t S = input_size(), g = vision_->grid();
  const auto k = image_kernel(cfg_, dir_, g);
  if (grid.rows < 0 || grid.cols < 0 || (grid.rows == 0) != (grid.cols == 0))
    throw std::runtime_error("image_tokens: tile grid " + std::to_string(grid.rows) + " x " +
                             std::to_string(grid.cols) + " (both positive, or 0 x 0 for the base tile only)");
  const int64_t n = 1 + grid.rows * grid.cols;
  if (tiles.dim() != 4 || tiles.size(0) != n || tiles.size(1) != 3 || tiles.size(2) != S || tiles.size(3) != S)
    throw std::runtime_error("image_tokens: tiles must be [" + std::to_string(n) + ", 3, " + std::to_string(S) + ", " +
                             std::to_string(S) + "] (the base tile and " + std::to_string(grid.rows) + " x " +
                             std::to_string(grid.cols) + " crops), got " + shape_string(tiles.sizes()));
  // The BT-Adapter attends across the frames of a clip, so tiles batched as frames would mix;
  // each tile is a one-frame clip of its own. Without the adapter frames are independent and one
  // batch gives the same features faster.
  at::Tensor features;
  if (vision_->has_adapter()) {
    std::vector<at::Tensor> clips;
    clips.reserve(n);
    for (int64_t i = 0; i < n; ++i) clips.push_back(encode_frames(tiles.narrow(0, i, 1)));
    features = at::cat(clips, 0);  // [n, g, g, Dv]
  } else {
    features = encode_frames(tiles);
  }
  ImageTokens out;
  // Stacking the tiles as n frames makes the relevance softmax run over every tile's positions
  // at once, the joint normalisation PPLLaVA uses for images.
  if (prompt_embedding.defined()) out.relevance = relevance(features, prompt_embedding);  // [n, g, g]
  const at::Tensor projected = projector_->forward(features);                          // [n, g, g, D]
  // A one-frame-deep window never crosses tiles, so pooling the stacked tiles in one call equals
  // pooling each tile alone (prompt-guided: the window softmax sees one tile's scores).
  const at::Tensor pooled = out.relevance.defined()
                                ? prompt_guided_pool3d_tokens(projected, out.relevance, k, cfg_.pooling_temp)
                                : avg_pool3d_tokens(projected, k);  // [n * ph * pw, D]
  const int64_t ph = g / k[1], pw = g / k[2], D = pooled.size(1);
  const at::Tensor per_tile = pooled.reshape({n, ph, pw, D});
  const at::Tensor crops = n > 1 ? per_tile.narrow(0, 1, n - 1).reshape({grid.rows, grid.cols, ph, pw, D}) : at::Tensor();
  out.tokens = pack_image_tokens(per_tile[0], crops, original, image_newline_);
  return out;
}

std::vector<int> VideoLlm::relevance_ids(const std::string& text) const {
  if (!has_relevance()) throw std::runtime_error(dir_ + ": this checkpoint has no relevance encoder");
  return clip_tokenizer_->encode_for_relevance(text, clip_text_->context());
}

at::Tensor VideoLlm::prompt_embedding(const std::vector<int>& clip_ids) const {
  if (!has_relevance()) throw std::runtime_error(dir_ + ": this checkpoint has no relevance encoder");
  return clip_text_->encode(clip_ids);
}

at::Tensor VideoLlm::relevance(const at::Tensor& features, const at::Tensor& prompt_embedding) const {
  if (!has_relevance()) throw std::runtime_error(dir_ + ": this checkpoint has no relevance encoder");
  return relevance_->scores(features, prompt_embedding);
}

bool VideoLlm::clip_positions_extended_at_load() const {
  return clip_text_ && clip_text_->positions_extended_at_load();
}

std::string VideoLlm::prompt_text(const std::string& user_message, const std::string& answer_prefix) const {
  return video_prompt(cfg_.text.model_type, user_message, answer_prefix);
}

std::vector<int> VideoLlm::encode_prompt(const std::string& prompt) const {
  if (cfg_.text.model_type == "llama")
    return static_cast<const SentencePieceTokenizer&>(*tokenizer_).encode_prompt(prompt);
  return tokenizer_->encode(prompt);  // <image> is an added token of the Qwen2 vocabulary
}

std::vector<int> VideoLlm::prompt_ids(const std::string& user_message, const std::string& answer_prefix) const {
  return encode_prompt(prompt_text(user_message, answer_prefix));
}

GenerationResult VideoLlm::generate(const std::vector<int>& ids, const at::Tensor& visual,
                                    const GenerationOptions& opts) const {
  GenerationOptions o = opts;
  o.extra_eos_ids.insert(o.extra_eos_ids.end(), stop_ids_.begin(), stop_ids_.end());
  return greedy_generate(*llm_, *tokenizer_, ids, cfg_.image_token_index, visual, o);
}

at::Tensor VideoLlm::first_token_logits(const std::vector<int>& ids, const at::Tensor& visual) const {
  at::Tensor embeds = splice_visual_tokens(*llm_, ids, cfg_.image_token_index, visual);
  KvCache cache = llm_->new_cache(embeds.size(0));
  return llm_->forward(embeds, cache)[0].cpu();
}

}  // namespace ppb::model
