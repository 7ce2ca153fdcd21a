// ppb_parity: ppbench's modules against reference outputs that Hugging Face transformers wrote
// (tests/parity/make_reference.py), on the CPU and, where LibTorch has CUDA, on the GPU in float32
// (must agree within 1e-4 relative to the output's scale) and bfloat16 (reported). With a second
// argument, a ppbench checkpoint folder (ppbench model init-tiny), also the whole PPLLaVA path
// (BT-Adapter tower, relevance encoder, LLM) on CUDA against the CPU.
//
//   ppb_parity REFERENCE_DIR [TINY_CHECKPOINT]
//
// Prints one line per case and device; exits 1 when a float32 comparison fails.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "model/checkpoint.h"
#include "model/clip_text_encoder.h"
#include "model/clip_vision.h"
#include "model/hf_config.h"
#include "model/llama_decoder.h"
#include "model/safetensors.h"
#include "model/token_reducers.h"
#include "model/video_llm.h"

using namespace ppb::model;

namespace {

struct Target {
  std::string name;
  at::Device device;
  at::ScalarType dtype;
};

bool g_failed = false;

// Max |a - b| over max(1, max |b|): the error on the output's own scale.
double scaled_error(const at::Tensor& got, const at::Tensor& want) {
  const at::Tensor a = got.to(at::kCPU).to(at::kDouble), b = want.to(at::kCPU).to(at::kDouble);
  if (a.sizes() != b.sizes()) return INFINITY;
  const double scale = std::max(1.0, b.abs().max().item<double>());
  return (a - b).abs().max().item<double>() / scale;
}

void report(const std::string& what, const Target& t, double err) {
  const bool strict = t.dtype == at::kFloat;
  const bool ok = err <= (strict ? 1e-4 : 5e-2);
  if (strict && !ok) g_failed = true;
  std::printf("%-28s %-14s error %.3e  %s\n", what.c_str(), t.name.c_str(), err,
              ok ? "ok" : (strict ? "FAIL" : "high (bf16, reported only)"));
}

at::Tensor load(const std::string& file, const std::string& name, at::ScalarType dtype) {
  return SafetensorsFile(file).load(name, dtype);
}

void clip_vision_case(const nlohmann::json& c, const std::string& dir, const Target& t) {
  ModelConfig cfg;
  cfg.vision.hidden_size = c["hidden_size"];
  cfg.vision.intermediate_size = c["intermediate_size"];
  cfg.vision.num_hidden_layers = c["num_hidden_layers"];
  cfg.vision.num_attention_heads = c["num_attention_heads"];
  cfg.vision.image_size = c["image_size"];
  cfg.vision.patch_size = c["patch_size"];
  cfg.vision.layer_norm_eps = c["layer_norm_eps"];
  cfg.vision.hidden_act = c["hidden_act"];
  Checkpoint ckpt(dir);
  ckpt.set_target(t.dtype, t.device);
  ClipVisionTower tower(ckpt, cfg, "vision_tower.vision_model.");
  ckpt.check_complete();
  const std::string ref = dir + "/ref.safetensors";
  const at::Tensor got = tower.forward(load(ref, "pixel_values", at::kFloat).to(t.device, t.dtype));
  report("clip_vision features", t, scaled_error(got, load(ref, "features", at::kFloat)));
}

void clip_text_case(const nlohmann::json& c, const std::string& dir, const Target& t) {
  ModelConfig cfg;
  cfg.extend_clip = false;  // transformers' CLIP keeps its 77 positions
  cfg.clip_text.vocab_size = c["vocab_size"];
  cfg.clip_text.hidden_size = c["hidden_size"];
  cfg.clip_text.intermediate_size = c["intermediate_size"];
  cfg.clip_text.num_hidden_layers = c["num_hidden_layers"];
  cfg.clip_text.num_attention_heads = c["num_attention_heads"];
  cfg.clip_text.max_position_embeddings = c["max_position_embeddings"];
  cfg.clip_text.projection_dim = c["projection_dim"];
  cfg.clip_text.layer_norm_eps = c["layer_norm_eps"];
  cfg.clip_text.hidden_act = c["hidden_act"];
  cfg.clip_text.bos_token_id = c["bos_token_id"];
  cfg.clip_text.eos_token_id = c["eos_token_id"];
  Checkpoint ckpt(dir);
  ckpt.set_target(t.dtype, t.device);
  ClipTextEncoder enc(ckpt, cfg);
  ckpt.check_complete();
  const std::string ref = dir + "/ref.safetensors";
  const at::Tensor ids64 = load(ref, "ids", at::kLong);
  std::vector<int> ids(ids64.data_ptr<int64_t>(), ids64.data_ptr<int64_t>() + ids64.numel());
  report("clip_text embedding", t, scaled_error(enc.encode(ids), load(ref, "text_embedding", at::kFloat)));
}

void llm_case(const nlohmann::json& c, const std::string& dir, const Target& t) {
  TextConfig tc;
  tc.model_type = c["model_type"];
  tc.qkv_bias = tc.model_type == "qwen2";
  tc.vocab_size = c["vocab_size"];
  tc.hidden_size = c["hidden_size"];
  tc.intermediate_size = c["intermediate_size"];
  tc.num_hidden_layers = c["num_hidden_layers"];
  tc.num_attention_heads = c["num_attention_heads"];
  tc.num_key_value_heads = c["num_key_value_heads"];
  tc.max_position_embeddings = c["max_position_embeddings"];
  tc.rms_norm_eps = c["rms_norm_eps"];
  tc.rope_theta = c["rope_theta"];
  Checkpoint ckpt(dir);
  ckpt.set_target(t.dtype, t.device);
  LlamaDecoder llm(ckpt, tc);
  ckpt.check_complete();
  const std::string ref = dir + "/ref.safetensors";
  const at::Tensor ids64 = load(ref, "ids", at::kLong);
  std::vector<int> ids(ids64.data_ptr<int64_t>(), ids64.data_ptr<int64_t>() + ids64.numel());
  const at::Tensor want = load(ref, "logits", at::kFloat);
  KvCache full = llm.new_cache(static_cast<int64_t>(ids.size()));
  report(tc.model_type + " logits", t, scaled_error(llm.forward(llm.embed(ids), full, true), want));
  // With the KV cache: a prefix at once, then one token at a time.
  const int64_t n = static_cast<int64_t>(ids.size()), half = n / 2;
  KvCache inc = llm.new_cache(n);
  std::vector<at::Tensor> rows{llm.forward(llm.embed(std::vector<int>(ids.begin(), ids.begin() + half)), inc, true)};
  for (int64_t i = half; i < n; ++i) rows.push_back(llm.forward(llm.embed({ids[i]}), inc));
  report(tc.model_type + " logits, KV cache", t, scaled_error(at::cat(rows, 0), want));
}

// The whole PPLLaVA path of a tiny checkpoint on `t` against the CPU in float32.
void tiny_case(const std::string& dir, const Target& t) {
  ModelLoadOptions cpu, dev;
  dev.device = t.device.is_cuda() ? "cuda" : "cpu";
  dev.dtype = t.dtype == at::kFloat ? "float32" : "bfloat16";
  VideoLlm a(dir, cpu), b(dir, dev);
  at::manual_seed(7);
  const at::Tensor pixels = at::randn({4, 3, a.input_size(), a.input_size()});
  const at::Tensor fa = a.encode_frames(pixels), fb = b.encode_frames(pixels);
  report("tiny BT-Adapter features", t, scaled_error(fb, fa));
  const std::vector<int> clip_ids = a.relevance_ids("What colour are the moving shapes?");
  const at::Tensor ca = a.prompt_embedding(clip_ids), cb = b.prompt_embedding(clip_ids);
  report("tiny prompt embedding", t, scaled_error(cb, ca));
  // Relevance is a softmax over T*h*w positions: compare it times their number (mean 1).
  const double n = static_cast<double>(fa.size(0) * fa.size(1) * fa.size(2));
  report("tiny relevance (x positions)", t, scaled_error(b.relevance(fb, cb) * n, a.relevance(fa, ca) * n));
  const auto& avg = builtin_reducers().get("avgpool3d");
  const std::vector<int> ids = a.prompt_ids("Question: What colour?", "Best option:(");
  report("tiny first-token logits", t,
         scaled_error(b.first_token_logits(ids, b.visual_tokens(fb, avg, avg.default_params)),
                      a.first_token_logits(ids, a.visual_tokens(fa, avg, avg.default_params))));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: ppb_parity REFERENCE_DIR [TINY_CHECKPOINT]\n";
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line out at once: a crash must not swallow the log
  try {
    // The reference runs in true float32: no TF32 in matrix products or convolutions.
    at::globalContext().setAllowTF32CuBLAS(false);
    at::globalContext().setAllowTF32CuDNN(false);
    const std::string root = argv[1];
    nlohmann::json info;
    std::ifstream(root + "/parity.json") >> info;
    std::printf("reference: torch %s, transformers %s; CUDA %s\n", info.value("torch", "?").c_str(),
                info.value("transformers", "?").c_str(), at::hasCUDA() ? "available" : "absent");
    std::vector<Target> targets{{"cpu float32", at::kCPU, at::kFloat}};
    if (at::hasCUDA()) {
      targets.push_back({"cuda float32", at::Device(at::kCUDA, 0), at::kFloat});
      targets.push_back({"cuda bfloat16", at::Device(at::kCUDA, 0), at::kBFloat16});
    }
    for (const auto& c : info["cases"]) {
      const std::string dir = root + "/" + c["name"].get<std::string>();
      for (const auto& t : targets) {
        const std::string kind = c["kind"];
        if (kind == "clip_vision") clip_vision_case(c, dir, t);
        else if (kind == "clip_text") clip_text_case(c, dir, t);
        else if (kind == "llm") llm_case(c, dir, t);
        else throw std::runtime_error("unknown case kind '" + kind + "'");
      }
    }
    // Without CUDA the tiny path still runs (a second CPU load: a smoke test of the tool itself).
    if (argc > 2)
      for (size_t i = targets.size() > 1 ? 1 : 0; i < targets.size(); ++i) tiny_case(argv[2], targets[i]);
  } catch (const std::exception& e) {
    std::cerr << "ppb_parity: error: " << e.what() << "\n";
    return 1;
  }
  std::printf("%s\n", g_failed ? "PARITY FAILED" : "parity ok");
  return g_failed ? 1 : 0;
}
