#include "model/hf_config.h"

#include "common/json_file.h"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace ppb::model {
namespace {

// Required fields throw with the file and key; optional ones keep the struct default.
template <typename T>
void read(const nlohmann::json& j, const char* key, T& out, const std::string& where, bool required) {
  if (!j.contains(key) || j[key].is_null()) {
    if (required) throw std::runtime_error(where + ": missing key '" + key + "'");
    return;
  }
  try {
    out = j[key].get<T>();
  } catch (const std::exception& e) {
    throw std::runtime_error(where + ": key '" + key + "' has the wrong type (" + e.what() + ")");
  }
}

}  // namespace

ModelConfig read_model_config(const std::string& dir) {
  const std::string path = dir + "/config.json";
  const nlohmann::json j = read_json_file(path, "model config");
  ModelConfig c;
  read(j, "model_type", c.model_type, path, true);
  read(j, "pooling", c.pooling, path, false);
  read(j, "pooling_kernel", c.pooling_kernel, path, false);
  read(j, "pooling_stride", c.pooling_stride, path, false);
  read(j, "image_pooling_kernel", c.image_pooling_kernel, path, false);
  read(j, "image_pooling_stride", c.image_pooling_stride, path, false);
  read(j, "pooling_temp", c.pooling_temp, path, false);
  read(j, "image_grid_pinpoints", c.image_grid_pinpoints, path, false);
  for (const auto& hw : c.image_grid_pinpoints)
    if (hw[0] <= 0 || hw[1] <= 0) throw std::runtime_error(path + ": image_grid_pinpoints holds a non-positive size");
  read(j, "use_image_newline_parameter", c.use_image_newline_parameter, path, false);
  read(j, "btadapter", c.btadapter, path, false);
  read(j, "btadapter_depth", c.btadapter_depth, path, false);
  read(j, "max_T", c.max_T, path, false);
  read(j, "extend_clip", c.extend_clip, path, false);
  read(j, "clip_weight", c.clip_weight, path, false);
  c.has_relevance = c.pooling == "ppllava";
  if (j.contains("clip_text_config")) {
    const auto& ct = j["clip_text_config"];
    const std::string cw = path + " clip_text_config";
    read(ct, "vocab_size", c.clip_text.vocab_size, cw, false);
    read(ct, "hidden_size", c.clip_text.hidden_size, cw, false);
    read(ct, "intermediate_size", c.clip_text.intermediate_size, cw, false);
    read(ct, "num_hidden_layers", c.clip_text.num_hidden_layers, cw, false);
    read(ct, "num_attention_heads", c.clip_text.num_attention_heads, cw, false);
    read(ct, "max_position_embeddings", c.clip_text.max_position_embeddings, cw, false);
    read(ct, "projection_dim", c.clip_text.projection_dim, cw, false);
    read(ct, "layer_norm_eps", c.clip_text.layer_norm_eps, cw, false);
    read(ct, "hidden_act", c.clip_text.hidden_act, cw, false);
    read(ct, "bos_token_id", c.clip_text.bos_token_id, cw, false);
    read(ct, "eos_token_id", c.clip_text.eos_token_id, cw, false);
  }
  read(j, "image_token_index", c.image_token_index, path, true);
  read(j, "pad_token_id", c.pad_token_id, path, false);
  read(j, "projector_hidden_act", c.projector_hidden_act, path, false);
  read(j, "vision_feature_layer", c.vision_feature_layer, path, false);
  read(j, "vision_feature_select_strategy", c.vision_feature_select_strategy, path, false);
  if (!j.contains("vision_config")) throw std::runtime_error(path + ": missing key 'vision_config'");
  if (!j.contains("text_config")) throw std::runtime_error(path + ": missing key 'text_config'");
  const auto& v = j["vision_config"];
  const std::string vw = path + " vision_config";
  read(v, "hidden_size", c.vision.hidden_size, vw, true);
  read(v, "intermediate_size", c.vision.intermediate_size, vw, true);
  read(v, "num_hidden_layers", c.vision.num_hidden_layers, vw, true);
  read(v, "num_attention_heads", c.vision.num_attention_heads, vw, true);
  read(v, "image_size", c.vision.image_size, vw, true);
  read(v, "patch_size", c.vision.patch_size, vw, true);
  read(v, "layer_norm_eps", c.vision.layer_norm_eps, vw, false);
  read(v, "hidden_act", c.vision.hidden_act, vw, false);
  const auto& t = j["text_config"];
  const std::string tw = path + " text_config";
  read(t, "model_type", c.text.model_type, tw, false);
  if (c.text.model_type != "llama" && c.text.model_type != "qwen2")
    throw std::runtime_error(tw + ": model_type '" + c.text.model_type + "' is not supported (supported: llama, qwen2)");
  c.text.qkv_bias = c.text.model_type == "qwen2";  // Qwen2 always biases q, k and v
  read(t, "tie_word_embeddings", c.text.tie_word_embeddings, tw, false);
  if (t.contains("rope_scaling") && !t["rope_scaling"].is_null()) {
    const auto& rs = t["rope_scaling"];
    const std::string rw = tw + " rope_scaling";
    // Transformers has spelled the key "type" and, later, "rope_type".
    if (rs.contains("rope_type")) read(rs, "rope_type", c.text.rope_scaling.type, rw, true);
    else read(rs, "type", c.text.rope_scaling.type, rw, true);
    read(rs, "factor", c.text.rope_scaling.factor, rw, true);
    if (c.text.rope_scaling.type != "linear" && c.text.rope_scaling.type != "dynamic")
      throw std::runtime_error(rw + ": type '" + c.text.rope_scaling.type + "' is not supported (linear, dynamic)");
    if (c.text.rope_scaling.factor < 1.0) throw std::runtime_error(rw + ": factor must be at least 1");
  }
  read(t, "hidden_size", c.text.hidden_size, tw, true);
  read(t, "intermediate_size", c.text.intermediate_size, tw, true);
  read(t, "num_hidden_layers", c.text.num_hidden_layers, tw, true);
  read(t, "num_attention_heads", c.text.num_attention_heads, tw, true);
  c.text.num_key_value_heads = c.text.num_attention_heads;
  read(t, "num_key_value_heads", c.text.num_key_value_heads, tw, false);
  read(t, "vocab_size", c.text.vocab_size, tw, true);
  read(t, "rms_norm_eps", c.text.rms_norm_eps, tw, false);
  read(t, "rope_theta", c.text.rope_theta, tw, false);
  read(t, "max_position_embeddings", c.text.max_position_embeddings, tw, false);
  read(t, "bos_token_id", c.text.bos_token_id, tw, false);
  read(t, "eos_token_id", c.text.eos_token_id, tw, false);
  if (c.vision.image_size % c.vision.patch_size != 0)
    throw std::runtime_error(vw + ": image_size is not a multiple of patch_size");
  if (c.text.hidden_size % c.text.num_attention_heads != 0)
    throw std::runtime_error(tw + ": hidden_size is not a multiple of num_attention_heads");
  if (c.text.num_attention_heads % c.text.num_key_value_heads != 0)
    throw std::runtime_error(tw + ": num_attention_heads is not a multiple of num_key_value_heads");
  return c;
}

}  // namespace ppb::model
