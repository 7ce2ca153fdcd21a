#include "model/tiny_checkpoint.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "model/safetensors.h"
#include "model/bpe_trainer.h"
#include "model/sentencepiece_tokenizer.h"

namespace fs = std::filesystem;

namespace ppb::model {
namespace {

// Uniform values from a standard-specified engine, so the same seed gives the same weights everywhere.
class WeightFiller {
 public:
  explicit WeightFiller(uint64_t seed) : rng_(seed) {}
  at::Tensor uniform(const std::vector<int64_t>& shape, double scale, double offset = 0.0) {
    at::Tensor t = at::empty(shape, at::kFloat);
    float* p = t.data_ptr<float>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      const double u = static_cast<double>(rng_() >> 11) * (1.0 / 9007199254740992.0);  // [0, 1)
      p[i] = static_cast<float>(offset + scale * (2.0 * u - 1.0));
    }
    return t;
  }
  at::Tensor linear(int out, int in) { return uniform({out, in}, 1.0 / std::sqrt(static_cast<double>(in))); }

 private:
  std::mt19937_64 rng_;
};

std::vector<std::string> base_corpus() {
  return {
      "USER: Question: What colour is the moving shape? ASSISTANT: Best option:(A) red",
      "USER: Question: How many shapes are in the video? ASSISTANT: Best option:(B) two",
      "USER: Question: In which direction do the shapes move? ASSISTANT: Best option:(C) left",
      "Options: (A) red (B) green (C) blue (D) yellow (E) white",
      "Options: (A) one (B) two (C) three (D) four",
      "Options: (A) left (B) right (C) up (D) down",
      "Only give the best option. The answer is A. The answer is B. The answer is C. The answer is D.",
      "The input consists of a sequence of key frames from a video.",
      "Answer the question concisely first and followed by significant events, characters, or objects.",
      "Carefully watch the video and pay attention to the cause and sequence of events.",
      "the detail and movement of objects, and the action and pose of persons.",
      "A person is walking across the room while a dog runs in the garden.",
      "The video shows a red circle moving to the right on a grey background.",
      "Two blue squares move up and one green triangle moves down.",
      "What is happening in the video? Describe the scene in detail.",
      "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
  };
}

// What the tokenizers decided: vocabulary sizes and the ids the config names.
struct TokenIds {
  int vocab_size = 0;      // LLM embedding rows
  int image = 0;           // <image>
  int bos = 1, eos = 2;    // LLM BOS / EOS (Qwen2: <|endoftext|> / <|im_end|>)
  int clip_vocab = 0;      // relevance CLIP vocabulary
  int clip_bos = 0, clip_eos = 0;
};

nlohmann::json tiny_config(const TinyCheckpointOptions& o, const TokenIds& ids) {
  const bool qwen = o.llm == "qwen2";
  nlohmann::json text = {{"model_type", qwen ? "qwen2" : "llama"},
                         {"hidden_size", o.text_width},
                         {"intermediate_size", (o.text_width * 8 / 3 + 7) / 8 * 8},
                         {"num_hidden_layers", o.text_layers},
                         {"num_attention_heads", o.text_heads},
                         {"num_key_value_heads", o.text_kv_heads},
                         {"vocab_size", ids.vocab_size},
                         {"rms_norm_eps", qwen ? 1e-6 : 1e-5},
                         {"rope_theta", qwen ? 1000000.0 : 10000.0},
                         {"max_position_embeddings", o.max_positions},
                         {"tie_word_embeddings", false},
                         {"bos_token_id", ids.bos},
                         {"eos_token_id", ids.eos}};
  if (!o.rope_scaling.empty()) text["rope_scaling"] = {{"type", o.rope_scaling}, {"factor", o.rope_factor}};
  nlohmann::json cfg = {
      {"architectures", {"LlavaInterleaveForConditionalGeneration"}},
      {"model_type", "llava_next"},
      {"pooling", "ppllava"},
      {"pooling_kernel", {2, 3, 3}},
      {"pooling_stride", {2, 3, 3}},
      {"image_pooling_kernel", {1, 3, 3}},
      {"image_pooling_stride", {1, 3, 3}},
      {"pooling_temp", 0.01},
      {"frame_shape", {o.image_size / o.patch_size, o.image_size / o.patch_size}},
      {"btadapter", o.btadapter},
      {"btadapter_depth", o.btadapter_depth},
      {"max_T", o.max_T},
      {"extend_clip", true},
      {"clip_weight", "openai/clip-vit-large-patch14-336"},
      {"image_token_index", ids.image},
      {"pad_token_id", 0},
      {"projector_hidden_act", "gelu"},
      {"vision_feature_layer", -2},
      {"vision_feature_select_strategy", "default"},
      {"hidden_size", o.text_width},
      {"torch_dtype", o.dtype == "BF16" ? "bfloat16" : (o.dtype == "F16" ? "float16" : "float32")},
      {"vision_config",
       {{"model_type", "clip_vision_model"},
        {"hidden_size", o.vision_width},
        {"intermediate_size", 4 * o.vision_width},
        {"num_hidden_layers", o.vision_layers},
        {"num_attention_heads", o.vision_heads},
        {"image_size", o.image_size},
        {"patch_size", o.patch_size},
        {"layer_norm_eps", 1e-5},
        {"hidden_act", "quick_gelu"}}},
      {"text_config", text},
  };
  if (!o.relevance) {
    cfg["pooling"] = "avgpool3d";  // without the relevance encoder the checkpoint cannot run ppllava
  } else {
    // Not a release key: the release names its relevance CLIP only by clip_weight, whose text
    // tower is far larger than a tiny one.
    cfg["clip_text_config"] = {{"vocab_size", ids.clip_vocab},
                               {"hidden_size", o.clip_text_width},
                               {"intermediate_size", 4 * o.clip_text_width},
                               {"num_hidden_layers", o.clip_text_layers},
                               {"num_attention_heads", o.clip_text_heads},
                               {"max_position_embeddings", 248},
                               {"projection_dim", o.clip_text_width},
                               {"layer_norm_eps", 1e-5},
                               {"hidden_act", "quick_gelu"},
                               {"bos_token_id", ids.clip_bos},
                               {"eos_token_id", ids.clip_eos}};
  }
  return cfg;
}

using Tensors = std::map<std::string, at::Tensor>;

void add_layer_norm(Tensors& w, WeightFiller& fill, const std::string& p, int d) {
  w[p + ".weight"] = fill.uniform({d}, 0.1, 1.0);
  w[p + ".bias"] = fill.uniform({d}, 0.1);
}

void add_linear(Tensors& w, WeightFiller& fill, const std::string& p, int out, int in, bool bias = true) {
  w[p + ".weight"] = fill.linear(out, in);
  if (bias) w[p + ".bias"] = fill.uniform({out}, 0.05);
}

void add_attention(Tensors& w, WeightFiller& fill, const std::string& p, int d) {
  add_layer_norm(w, fill, p + "layer_norm1", d);
  for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"})
    add_linear(w, fill, p + "self_attn." + proj, d, d);
}

void add_clip_layer(Tensors& w, WeightFiller& fill, const std::string& p, int d) {
  add_attention(w, fill, p, d);
  add_layer_norm(w, fill, p + "layer_norm2", d);
  add_linear(w, fill, p + "mlp.fc1", 4 * d, d);
  add_linear(w, fill, p + "mlp.fc2", d, 4 * d);
}

// CLIP vision tower, BT-Adapter, projector, relevance encoder and the image newline.
Tensors vision_weights(const TinyCheckpointOptions& o, const nlohmann::json& cfg, WeightFiller& fill) {
  Tensors w;
  const int dv = o.vision_width, dl = o.text_width, g = o.image_size / o.patch_size;
  const std::string vp = "vision_tower.vision_model.";
  w[vp + "embeddings.patch_embedding.weight"] =
      fill.linear(dv, 3 * o.patch_size * o.patch_size).view({dv, 3, o.patch_size, o.patch_size});
  w[vp + "embeddings.class_embedding"] = fill.uniform({dv}, 0.5);
  w[vp + "embeddings.position_embedding.weight"] = fill.uniform({1 + g * g, dv}, 0.5);
  add_layer_norm(w, fill, vp + "pre_layrnorm", dv);
  add_layer_norm(w, fill, vp + "post_layernorm", dv);
  for (int i = 0; i < o.vision_layers; ++i) add_clip_layer(w, fill, vp + "encoder.layers." + std::to_string(i) + ".", dv);
  if (o.btadapter) {
    w[vp + "btadapter_cls_token"] = fill.uniform({1, 1, dv}, 0.5);
    w[vp + "btadapter_time_embed.weight"] = fill.uniform({o.max_T, dv}, 0.5);
    for (int k = 0; k < o.btadapter_depth; ++k) {
      const std::string t = vp + "btadapter_T_layers." + std::to_string(k) + ".";
      add_attention(w, fill, t, dv);
      add_linear(w, fill, t + "temporal_fc", dv, dv);  // random: training starts it at zero, which would hide bugs
      add_clip_layer(w, fill, vp + "btadapter_S_layers." + std::to_string(k) + ".", dv);
    }
  }
  add_linear(w, fill, "multi_modal_projector.linear_1", dl, dv);
  add_linear(w, fill, "multi_modal_projector.linear_2", dl, dl);
  w["image_newline"] = fill.uniform({dl}, 0.5);
  if (o.relevance) {
    const auto& ct = cfg["clip_text_config"];
    const int dc = ct["hidden_size"].get<int>(), vc = ct["vocab_size"].get<int>();
    const std::string mp = "multi_modal_projector.", tp = mp + "clip_text_model.";
    w[tp + "embeddings.token_embedding.weight"] = fill.uniform({vc, dc}, 1.0);
    // The two tables differ so that a loader mixing them up changes the output.
    w[tp + "embeddings.position_embedding"] = fill.uniform({248, dc}, 0.5);
    w[tp + "embeddings.position_embedding_res"] = fill.uniform({248, dc}, 0.5);
    for (int i = 0; i < o.clip_text_layers; ++i)
      add_clip_layer(w, fill, tp + "encoder.layers." + std::to_string(i) + ".", dc);
    add_layer_norm(w, fill, tp + "final_layer_norm", dc);
    add_linear(w, fill, mp + "clip_text_projection", dc, dc, false);
    add_layer_norm(w, fill, mp + "clip_visual_ln", dv);
    add_linear(w, fill, mp + "clip_visual_projection", dc, dv, false);
    w[mp + "logit_scale"] = at::full({}, std::log(100.0), at::kFloat);  // exp(logit_scale) = 100, as OpenAI CLIP
  }
  return w;
}

Tensors llm_weights(const TinyCheckpointOptions& o, const nlohmann::json& cfg, WeightFiller& fill) {
  Tensors w;
  const auto& t = cfg["text_config"];
  const int dl = o.text_width, ml = t["intermediate_size"].get<int>(), vocab = t["vocab_size"].get<int>();
  const int kv = o.text_kv_heads * (dl / o.text_heads);
  const bool qkv_bias = o.llm == "qwen2";
  const std::string lp = "language_model.model.";
  w[lp + "embed_tokens.weight"] = fill.uniform({vocab, dl}, 1.0);
  for (int i = 0; i < o.text_layers; ++i) {
    const std::string p = lp + "layers." + std::to_string(i) + ".";
    w[p + "input_layernorm.weight"] = fill.uniform({dl}, 0.1, 1.0);
    w[p + "post_attention_layernorm.weight"] = fill.uniform({dl}, 0.1, 1.0);
    add_linear(w, fill, p + "self_attn.q_proj", dl, dl, qkv_bias);
    add_linear(w, fill, p + "self_attn.k_proj", kv, dl, qkv_bias);
    add_linear(w, fill, p + "self_attn.v_proj", kv, dl, qkv_bias);
    add_linear(w, fill, p + "self_attn.o_proj", dl, dl, false);
    add_linear(w, fill, p + "mlp.gate_proj", ml, dl, false);
    add_linear(w, fill, p + "mlp.up_proj", ml, dl, false);
    add_linear(w, fill, p + "mlp.down_proj", dl, ml, false);
  }
  w[lp + "norm.weight"] = fill.uniform({dl}, 0.1, 1.0);
  w["language_model.lm_head.weight"] = fill.linear(vocab, dl);
  return w;
}

// Trains the tokenizers into `dir` and returns the ids the config needs.
TokenIds write_tokenizers(const std::string& dir, const TinyCheckpointOptions& o) {
  std::vector<std::string> corpus = base_corpus();
  corpus.insert(corpus.end(), o.extra_corpus.begin(), o.extra_corpus.end());
  TokenIds ids;
  if (o.llm == "llama") {
    if (o.vocab_size <= o.sp_vocab) throw std::runtime_error("tiny checkpoint: vocab_size must exceed sp_vocab");
    train_sentencepiece(corpus, o.sp_vocab, dir);
    std::ofstream(dir + "/added_tokens.json") << nlohmann::json{{"<image>", o.sp_vocab}}.dump(2) << "\n";
    ids.vocab_size = o.vocab_size;
    ids.image = o.sp_vocab;
  } else if (o.llm == "qwen2") {
    std::vector<std::string> chat = corpus;
    for (const auto& s : corpus)  // the template's own text, so that prompts tokenize into few pieces
      chat.push_back("<|im_start|>user\n<image>\n" + s + "<|im_end|>\n<|im_start|>assistant\n");
    BpeTrainOptions bo;
    bo.style = BpeStyle::qwen2;
    bo.merges = o.qwen_bpe_merges;
    bo.special_tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<image>"};
    const BpeVocab v = train_bpe(chat, bo);
    write_tokenizer_json(dir + "/tokenizer.json", v);
    const int first = static_cast<int>(v.tokens.size());
    ids.bos = first;      // <|endoftext|>, as Qwen2's config names it; prompts carry no BOS
    ids.eos = first + 2;  // <|im_end|> ends an assistant turn
    ids.image = first + 3;
    ids.vocab_size = (v.size() + 63) / 64 * 64;  // padded like released embedding tables
  } else {
    throw std::runtime_error("tiny checkpoint: llm must be llama or qwen2, got '" + o.llm + "'");
  }
  if (o.relevance) {
    BpeTrainOptions co;
    co.style = BpeStyle::clip;
    co.merges = o.clip_bpe_merges;
    co.special_tokens = {"<|startoftext|>", "<|endoftext|>"};
    const BpeVocab v = train_bpe(corpus, co);
    fs::create_directories(dir + "/clip_tokenizer");
    write_vocab_merges(dir + "/clip_tokenizer", v);
    ids.clip_vocab = v.size();
    ids.clip_bos = static_cast<int>(v.tokens.size());
    ids.clip_eos = ids.clip_bos + 1;
  }
  return ids;
}

}  // namespace

void write_tiny_checkpoint(const std::string& dir, const TinyCheckpointOptions& o) {
  if (o.btadapter && (o.btadapter_depth < 1 || o.btadapter_depth > o.vision_layers))
    throw std::runtime_error("tiny checkpoint: btadapter_depth must be 1.." + std::to_string(o.vision_layers));
  at::ScalarType dtype = o.dtype == "F32" ? at::kFloat : o.dtype == "F16" ? at::kHalf : at::kBFloat16;
  if (o.dtype != "F32" && o.dtype != "F16" && o.dtype != "BF16")
    throw std::runtime_error("tiny checkpoint: dtype must be F32, F16 or BF16, got " + o.dtype);
  fs::create_directories(dir);
  const TokenIds ids = write_tokenizers(dir, o);
  const nlohmann::json cfg = tiny_config(o, ids);
  WeightFiller fill(o.seed);
  const Tensors vision = vision_weights(o, cfg, fill), text = llm_weights(o, cfg, fill);

  const std::string shard1 = "model-00001-of-00002.safetensors", shard2 = "model-00002-of-00002.safetensors";
  write_safetensors(dir + "/" + shard1, vision, dtype, {{"format", "pt"}});
  write_safetensors(dir + "/" + shard2, text, dtype, {{"format", "pt"}});
  nlohmann::json index;
  int64_t total = 0;
  for (const auto* part : {&vision, &text})
    for (const auto& [name, t] : *part) {
      index["weight_map"][name] = part == &vision ? shard1 : shard2;
      total += t.numel() * static_cast<int64_t>(at::elementSize(dtype));
    }
  index["metadata"] = {{"total_size", total}};
  std::ofstream(dir + "/model.safetensors.index.json") << index.dump(2) << "\n";
  std::ofstream(dir + "/config.json") << cfg.dump(2) << "\n";
  std::ofstream(dir + "/generation_config.json")
      << nlohmann::json{{"bos_token_id", ids.bos}, {"eos_token_id", ids.eos}, {"do_sample", false}}.dump(2) << "\n";
}

}  // namespace ppb::model
