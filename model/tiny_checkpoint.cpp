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

nlohmann::json tiny_config(const TinyCheckpointOptions& o) {
  const int image_token = o.sp_vocab;
  return {
      {"architectures", {"LlavaInterleaveForConditionalGeneration"}},
      {"model_type", "llava_next"},
      {"pooling", "ppllava"},
      {"pooling_kernel", {2, 3, 3}},
      {"pooling_stride", {2, 3, 3}},
      {"image_pooling_kernel", {1, 3, 3}},
      {"image_pooling_stride", {1, 3, 3}},
      {"pooling_temp", 0.01},
      {"frame_shape", {o.image_size / o.patch_size, o.image_size / o.patch_size}},
      {"btadapter", false},
      {"image_token_index", image_token},
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
      {"text_config",
       {{"model_type", "llama"},
        {"hidden_size", o.text_width},
        {"intermediate_size", (o.text_width * 8 / 3 + 7) / 8 * 8},
        {"num_hidden_layers", o.text_layers},
        {"num_attention_heads", o.text_heads},
        {"num_key_value_heads", o.text_kv_heads},
        {"vocab_size", o.vocab_size},
        {"rms_norm_eps", 1e-5},
        {"rope_theta", 10000.0},
        {"max_position_embeddings", o.max_positions},
        {"bos_token_id", 1},
        {"eos_token_id", 2}}},
  };
}

}  // namespace

void write_tiny_checkpoint(const std::string& dir, const TinyCheckpointOptions& o) {
  if (o.vocab_size <= o.sp_vocab) throw std::runtime_error("tiny checkpoint: vocab_size must exceed sp_vocab");
  fs::create_directories(dir);
  const nlohmann::json cfg = tiny_config(o);
  const int dv = o.vision_width, mv = 4 * o.vision_width, g = o.image_size / o.patch_size;
  const int dl = o.text_width, ml = cfg["text_config"]["intermediate_size"].get<int>();
  const int kv = o.text_kv_heads * (dl / o.text_heads);
  WeightFiller fill(o.seed);

  std::map<std::string, at::Tensor> vision, text;
  const std::string vp = "vision_tower.vision_model.";
  vision[vp + "embeddings.patch_embedding.weight"] = fill.linear(dv, 3 * o.patch_size * o.patch_size).view({dv, 3, o.patch_size, o.patch_size});
  vision[vp + "embeddings.class_embedding"] = fill.uniform({dv}, 0.5);
  vision[vp + "embeddings.position_embedding.weight"] = fill.uniform({1 + g * g, dv}, 0.5);
  vision[vp + "pre_layrnorm.weight"] = fill.uniform({dv}, 0.1, 1.0);
  vision[vp + "pre_layrnorm.bias"] = fill.uniform({dv}, 0.1);
  vision[vp + "post_layernorm.weight"] = fill.uniform({dv}, 0.1, 1.0);
  vision[vp + "post_layernorm.bias"] = fill.uniform({dv}, 0.1);
  for (int i = 0; i < o.vision_layers; ++i) {
    const std::string p = vp + "encoder.layers." + std::to_string(i) + ".";
    for (const char* ln : {"layer_norm1", "layer_norm2"}) {
      vision[p + ln + ".weight"] = fill.uniform({dv}, 0.1, 1.0);
      vision[p + ln + ".bias"] = fill.uniform({dv}, 0.1);
    }
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      vision[p + "self_attn." + proj + ".weight"] = fill.linear(dv, dv);
      vision[p + "self_attn." + proj + ".bias"] = fill.uniform({dv}, 0.05);
    }
    vision[p + "mlp.fc1.weight"] = fill.linear(mv, dv);
    vision[p + "mlp.fc1.bias"] = fill.uniform({mv}, 0.05);
    vision[p + "mlp.fc2.weight"] = fill.linear(dv, mv);
    vision[p + "mlp.fc2.bias"] = fill.uniform({dv}, 0.05);
  }
  vision["multi_modal_projector.linear_1.weight"] = fill.linear(dl, dv);
  vision["multi_modal_projector.linear_1.bias"] = fill.uniform({dl}, 0.05);
  vision["multi_modal_projector.linear_2.weight"] = fill.linear(dl, dl);
  vision["multi_modal_projector.linear_2.bias"] = fill.uniform({dl}, 0.05);
  vision["image_newline"] = fill.uniform({dl}, 0.5);

  const std::string lp = "language_model.model.";
  text[lp + "embed_tokens.weight"] = fill.uniform({o.vocab_size, dl}, 1.0);
  for (int i = 0; i < o.text_layers; ++i) {
    const std::string p = lp + "layers." + std::to_string(i) + ".";
    text[p + "input_layernorm.weight"] = fill.uniform({dl}, 0.1, 1.0);
    text[p + "post_attention_layernorm.weight"] = fill.uniform({dl}, 0.1, 1.0);
    text[p + "self_attn.q_proj.weight"] = fill.linear(dl, dl);
    text[p + "self_attn.k_proj.weight"] = fill.linear(kv, dl);
    text[p + "self_attn.v_proj.weight"] = fill.linear(kv, dl);
    text[p + "self_attn.o_proj.weight"] = fill.linear(dl, dl);
    text[p + "mlp.gate_proj.weight"] = fill.linear(ml, dl);
    text[p + "mlp.up_proj.weight"] = fill.linear(ml, dl);
    text[p + "mlp.down_proj.weight"] = fill.linear(dl, ml);
  }
  text[lp + "norm.weight"] = fill.uniform({dl}, 0.1, 1.0);
  text["language_model.lm_head.weight"] = fill.linear(o.vocab_size, dl);

  at::ScalarType dtype = o.dtype == "F32" ? at::kFloat : o.dtype == "F16" ? at::kHalf : at::kBFloat16;
  if (o.dtype != "F32" && o.dtype != "F16" && o.dtype != "BF16")
    throw std::runtime_error("tiny checkpoint: dtype must be F32, F16 or BF16, got " + o.dtype);
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
      << nlohmann::json{{"bos_token_id", 1}, {"eos_token_id", 2}, {"do_sample", false}}.dump(2) << "\n";

  std::vector<std::string> corpus = base_corpus();
  corpus.insert(corpus.end(), o.extra_corpus.begin(), o.extra_corpus.end());
  train_sentencepiece(corpus, o.sp_vocab, dir);
  std::ofstream(dir + "/added_tokens.json") << nlohmann::json{{"<image>", o.sp_vocab}}.dump(2) << "\n";
}

}  // namespace ppb::model
