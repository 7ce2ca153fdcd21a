// config.json of a PPLLaVA / LLaVA-NeXT checkpoint, reduced to the fields the modules need.
#pragma once
#include <array>
#include <string>
#include <vector>

namespace ppb::model {

// vision_config: a CLIP ViT.
struct VisionConfig {
  int hidden_size = 1024;         // width of the vision transformer
  int intermediate_size = 4096;   // MLP width
  int num_hidden_layers = 24;     // encoder layers
  int num_attention_heads = 16;   // attention heads
  int image_size = 336;           // input side in pixels
  int patch_size = 14;            // patch side in pixels
  double layer_norm_eps = 1e-5;   // LayerNorm epsilon
  std::string hidden_act = "quick_gelu";  // MLP activation
  int grid() const { return image_size / patch_size; }
};

// RoPE scaling for contexts past max_position_embeddings ("rope_scaling" in the config).
struct RopeScaling {
  std::string type;     // "" (none), "linear" (positions divided by factor) or "dynamic" (NTK-aware base growth)
  double factor = 1.0;  // scaling factor
};

// text_config: a LLaMA-family decoder (LLaMA/Vicuna, or Qwen2 with biased q/k/v projections).
struct TextConfig {
  std::string model_type = "llama";   // "llama" or "qwen2"
  int hidden_size = 4096;             // model width
  int intermediate_size = 11008;      // SwiGLU width
  int num_hidden_layers = 32;         // decoder layers
  int num_attention_heads = 32;       // query heads
  int num_key_value_heads = 32;       // key/value heads (grouped-query attention when fewer)
  int vocab_size = 32064;             // embedding rows, including added tokens and padding
  double rms_norm_eps = 1e-5;         // RMSNorm epsilon
  double rope_theta = 10000.0;        // rotary base
  int max_position_embeddings = 4096; // context length
  int bos_token_id = 1;               // <s> (Qwen2 prompts have none)
  int eos_token_id = 2;               // </s>, or <|im_end|> for Qwen2 chat
  bool qkv_bias = false;              // q/k/v projections carry biases (Qwen2)
  bool tie_word_embeddings = false;   // lm_head shares the embedding table
  RopeScaling rope_scaling;           // none unless the config sets rope_scaling
  // Positions the decoder accepts: max_position_embeddings, times the factor under RoPE scaling.
  int64_t context_limit() const {
    return rope_scaling.type.empty() ? max_position_embeddings
                                     : static_cast<int64_t>(max_position_embeddings * rope_scaling.factor);
  }
  int head_dim() const { return hidden_size / num_attention_heads; }
};

// The CLIP text transformer of the relevance encoder (multi_modal_projector.clip_text_model.*).
// The release's config.json names it only by `clip_weight`; these defaults are that model's
// (openai/clip-vit-large-patch14-336's text tower, context extended to 248). A config.json may
// carry a `clip_text_config` object (tiny checkpoints do) to override them.
struct ClipTextConfig {
  int vocab_size = 49408;               // BPE vocabulary
  int hidden_size = 768;                // width
  int intermediate_size = 3072;         // MLP width
  int num_hidden_layers = 12;           // encoder layers
  int num_attention_heads = 12;         // attention heads
  int max_position_embeddings = 248;    // context after the extension (77 before)
  int projection_dim = 768;             // text and visual projection width
  double layer_norm_eps = 1e-5;         // LayerNorm epsilon
  std::string hidden_act = "quick_gelu";  // MLP activation
  int bos_token_id = 49406;             // <|startoftext|>
  int eos_token_id = 49407;             // <|endoftext|>: pooling takes the first one
};

struct ModelConfig {
  std::string model_type = "llava_next";        // architecture family
  std::string pooling = "ppllava";              // the checkpoint's trained reducer
  std::array<int, 3> pooling_kernel{2, 3, 3};   // video pooling kernel (frames, rows, columns)
  std::array<int, 3> pooling_stride{2, 3, 3};   // video pooling stride
  std::array<int, 3> image_pooling_kernel{1, 3, 3};  // image pooling kernel
  std::array<int, 3> image_pooling_stride{1, 3, 3};  // image pooling stride
  double pooling_temp = 0.01;                   // temperature of the window softmax in prompt-guided pooling
  // Single-image anyres resolutions [height, width] in pixels (LLaVA-1.6 default).
  std::vector<std::array<int, 2>> image_grid_pinpoints{{336, 672}, {672, 336}, {672, 672}, {1008, 336}, {336, 1008}};
  bool use_image_newline_parameter = true;      // single images: the learned image_newline ends every row of crop tokens
  bool btadapter = false;                       // the vision tower carries a BT-Adapter
  int btadapter_depth = 4;                      // adapter steps (temporal + spatial layer pairs)
  int max_T = 64;                               // frames the adapter's time embedding covers
  bool extend_clip = true;                      // the relevance CLIP's text context is extended (77 -> 248)
  std::string clip_weight;                      // the relevance model the release started from
  bool has_relevance = false;                   // the checkpoint carries the relevance encoder (pooling ppllava)
  int image_token_index = 32000;                // id of <image> in the prompt
  int pad_token_id = 0;                         // padding id
  std::string projector_hidden_act = "gelu";    // projector activation
  int vision_feature_layer = -2;                // hidden-state index fed to the projector
  std::string vision_feature_select_strategy = "default";  // "default" drops CLS, "full" keeps it
  VisionConfig vision;                          // vision_config
  TextConfig text;                              // text_config
  ClipTextConfig clip_text;                     // the relevance encoder's text tower
};

// Reads DIR/config.json; errors name the file and the key.
ModelConfig read_model_config(const std::string& dir);

}  // namespace ppb::model
