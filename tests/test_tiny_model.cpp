// The tiny checkpoint through the real loader: shapes, the LLaMA decoder against a naive
// implementation written here, KV-cache consistency, splicing, generation and load errors.
#include "tests/catch_aten.h"

#include <cmath>
#include <fstream>

#include "model/checkpoint.h"
#include "model/generation.h"
#include "model/hf_config.h"
#include "model/llama_decoder.h"
#include "model/tiny_checkpoint.h"
#include "model/transformer_ops.h"
#include "model/video_llm.h"
#include "tests/test_support.h"

using namespace ppb::model;
using ppb::test::TempDir;

namespace {

const std::string& tiny_dir() {
  static TempDir dir("tiny_model");
  static bool made = false;
  if (!made) {
    TinyCheckpointOptions o;
    o.seed = 1;
    o.dtype = "F32";
    write_tiny_checkpoint(dir.path(), o);
    made = true;
  }
  return dir.path();
}

// A plain LLaMA forward pass over a whole sequence: per-position loops for RMSNorm and RoPE,
// per-head causal attention, SwiGLU. Returns logits [n, V].
// Biased q/k/v when cfg.qkv_bias (Qwen2); RoPE scaling as the closed form says: linear divides
// positions by the factor, dynamic NTK raises the base for a sequence longer than the context.
at::Tensor naive_llama(Checkpoint& c, const TextConfig& cfg, const at::Tensor& x_in) {
  const int64_t n = x_in.size(0), D = cfg.hidden_size, H = cfg.num_attention_heads, KV = cfg.num_key_value_heads;
  const int64_t hd = D / H;
  double theta = cfg.rope_theta, pos_scale = 1.0;
  if (cfg.rope_scaling.type == "linear") pos_scale = 1.0 / cfg.rope_scaling.factor;
  if (cfg.rope_scaling.type == "dynamic" && n > cfg.max_position_embeddings) {
    const double f = cfg.rope_scaling.factor;
    theta *= std::pow(f * n / cfg.max_position_embeddings - (f - 1), static_cast<double>(hd) / (hd - 2));
  }
  auto rms = [&](const at::Tensor& x, const at::Tensor& w) {
    at::Tensor out = at::empty_like(x);
    for (int64_t i = 0; i < x.size(0); ++i) {
      const double ms = x[i].pow(2).mean().item<double>();
      out[i] = x[i] / std::sqrt(ms + cfg.rms_norm_eps) * w;
    }
    return out;
  };
  auto rope = [&](at::Tensor v, int64_t pos) {  // v [hd]; pairs (i, i + hd/2) rotate by pos * theta^(-2i/hd)
    at::Tensor out = v.clone();
    for (int64_t i = 0; i < hd / 2; ++i) {
      const double ang = pos * pos_scale * std::pow(theta, -2.0 * i / hd);
      const double a = v[i].item<double>(), b = v[i + hd / 2].item<double>();
      out[i] = a * std::cos(ang) - b * std::sin(ang);
      out[i + hd / 2] = b * std::cos(ang) + a * std::sin(ang);
    }
    return out;
  };
  at::Tensor x = x_in.clone();
  const std::string m = "language_model.model.";
  const int64_t I = cfg.intermediate_size;
  for (int l = 0; l < cfg.num_hidden_layers; ++l) {
    const std::string p = m + "layers." + std::to_string(l) + ".";
    at::Tensor h = rms(x, c.get(p + "input_layernorm.weight", {D}));
    at::Tensor q = at::matmul(h, c.get(p + "self_attn.q_proj.weight", {D, D}).t());
    at::Tensor k = at::matmul(h, c.get(p + "self_attn.k_proj.weight", {KV * hd, D}).t());
    at::Tensor v = at::matmul(h, c.get(p + "self_attn.v_proj.weight", {KV * hd, D}).t());
    if (cfg.qkv_bias) {
      q = q + c.get(p + "self_attn.q_proj.bias", {D});
      k = k + c.get(p + "self_attn.k_proj.bias", {KV * hd});
      v = v + c.get(p + "self_attn.v_proj.bias", {KV * hd});
    }
    at::Tensor attn = at::zeros({n, D});
    for (int64_t head = 0; head < H; ++head) {
      const int64_t kvh = head / (H / KV);
      for (int64_t i = 0; i < n; ++i) {
        at::Tensor qi = rope(q[i].slice(0, head * hd, (head + 1) * hd), i);
        std::vector<double> scores;
        std::vector<at::Tensor> values;
        for (int64_t j = 0; j <= i; ++j) {
          at::Tensor kj = rope(k[j].slice(0, kvh * hd, (kvh + 1) * hd), j);
          scores.push_back(at::dot(qi, kj).item<double>() / std::sqrt(static_cast<double>(hd)));
          values.push_back(v[j].slice(0, kvh * hd, (kvh + 1) * hd));
        }
        const double mx = *std::max_element(scores.begin(), scores.end());
        double z = 0;
        for (double s : scores) z += std::exp(s - mx);
        at::Tensor acc = at::zeros({hd});
        for (size_t j = 0; j < scores.size(); ++j) acc += values[j] * (std::exp(scores[j] - mx) / z);
        attn[i].slice(0, head * hd, (head + 1) * hd) = acc;
      }
    }
    x = x + at::matmul(attn, c.get(p + "self_attn.o_proj.weight", {D, D}).t());
    h = rms(x, c.get(p + "post_attention_layernorm.weight", {D}));
    at::Tensor g = at::matmul(h, c.get(p + "mlp.gate_proj.weight", {I, D}).t());
    at::Tensor u = at::matmul(h, c.get(p + "mlp.up_proj.weight", {I, D}).t());
    x = x + at::matmul(g / (1 + at::exp(-g)) * u, c.get(p + "mlp.down_proj.weight", {D, I}).t());
  }
  x = rms(x, c.get(m + "norm.weight", {D}));
  return at::matmul(x, c.get("language_model.lm_head.weight", {cfg.vocab_size, D}).t());
}

}  // namespace

TEST_CASE("the LLaMA decoder matches a naive implementation, with and without the KV cache", "[model]") {
  const ModelConfig cfg = read_model_config(tiny_dir());
  REQUIRE(cfg.text.num_key_value_heads < cfg.text.num_attention_heads);  // exercises grouped-query attention
  Checkpoint ckpt(tiny_dir());
  LlamaDecoder llm(ckpt, cfg.text);
  at::manual_seed(3);
  at::Tensor x = at::randn({7, cfg.text.hidden_size});
  Checkpoint ckpt2(tiny_dir());
  at::Tensor want = naive_llama(ckpt2, cfg.text, x);

  KvCache full = llm.new_cache(7);
  at::Tensor all = llm.forward(x, full, true);
  CHECK(at::allclose(all, want, 1e-4, 1e-4));

  KvCache inc = llm.new_cache(7);
  at::Tensor first = llm.forward(x.slice(0, 0, 3), inc, true);
  CHECK(at::allclose(first, want.slice(0, 0, 3), 1e-4, 1e-4));
  for (int64_t i = 3; i < 7; ++i) {
    at::Tensor step = llm.forward(x.slice(0, i, i + 1), inc);
    CHECK(at::allclose(step[0], want[i], 1e-4, 1e-4));
  }
  CHECK(inc.length == 7);
  CHECK_THROWS_WITH(llm.forward(x.slice(0, 0, 1), inc), Catch::Contains("KV cache of 7 positions"));
}

TEST_CASE("Qwen2 (biased q/k/v, rope theta 1e6) matches the naive implementation too", "[model]") {
  TempDir dir("tiny_qwen_dec");
  TinyCheckpointOptions o;
  o.seed = 2;
  o.llm = "qwen2";
  o.dtype = "F32";
  o.relevance = false;
  write_tiny_checkpoint(dir.path(), o);
  const ModelConfig cfg = read_model_config(dir.path());
  REQUIRE(cfg.text.qkv_bias);
  REQUIRE(cfg.text.rope_theta == 1e6);
  Checkpoint ckpt(dir.path());
  LlamaDecoder llm(ckpt, cfg.text);
  at::manual_seed(4);
  at::Tensor x = at::randn({6, cfg.text.hidden_size});
  Checkpoint ckpt2(dir.path());
  KvCache cache = llm.new_cache(6);
  CHECK(at::allclose(llm.forward(x, cache, true), naive_llama(ckpt2, cfg.text, x), 1e-4, 1e-4));
}

TEST_CASE("RoPE scaling: linear and dynamic NTK against their closed forms; the context limit", "[model]") {
  for (const char* type : {"linear", "dynamic"}) {
    INFO(type);
    TempDir dir("tiny_rope");
    TinyCheckpointOptions o;
    o.seed = 3;
    o.dtype = "F32";
    o.relevance = false;
    o.max_positions = 6;
    o.rope_scaling = type;
    o.rope_factor = 2.0;
    write_tiny_checkpoint(dir.path(), o);
    const ModelConfig cfg = read_model_config(dir.path());
    REQUIRE(cfg.text.rope_scaling.type == type);
    REQUIRE(cfg.text.context_limit() == 12);
    Checkpoint ckpt(dir.path()), ckpt2(dir.path());
    LlamaDecoder llm(ckpt, cfg.text);
    at::manual_seed(5);
    at::Tensor x = at::randn({9, cfg.text.hidden_size});  // past the trained 6 positions
    KvCache cache = llm.new_cache(13);
    CHECK(at::allclose(llm.forward(x, cache, true), naive_llama(ckpt2, cfg.text, x), 1e-4, 1e-4));
    if (std::string(type) == "linear") {
      // Positions divided by 2 whatever the length: the cache gives the same logits token by token.
      KvCache inc = llm.new_cache(9);
      llm.forward(x.slice(0, 0, 4), inc, true);
      at::Tensor last;
      for (int64_t i = 4; i < 9; ++i) last = llm.forward(x.slice(0, i, i + 1), inc);
      CHECK(at::allclose(last[0], naive_llama(ckpt2, cfg.text, x)[8], 1e-4, 1e-4));
    }
    CHECK_THROWS_WITH(llm.forward(at::randn({4, cfg.text.hidden_size}), cache),
                      Catch::Contains("exceeds the context of 12 positions"));
  }
}

TEST_CASE("the assembled model encodes frames, reduces, splices and generates", "[model]") {
  VideoLlm m(tiny_dir());
  const auto& cfg = m.config();
  CHECK(m.input_size() == 336);
  CHECK(m.fingerprint().size() == 64);
  at::manual_seed(5);
  at::Tensor pixels = at::randn({4, 3, 336, 336});
  at::Tensor f = m.encode_frames(pixels);
  REQUIRE(f.sizes().vec() == (std::vector<int64_t>{4, 24, 24, cfg.vision.hidden_size}));
  // The BT-Adapter mixes frames: a frame seen alone has other features than among its neighbours.
  REQUIRE(cfg.btadapter);
  CHECK_FALSE(at::allclose(m.encode_frames(pixels.slice(0, 2, 3))[0], f[2], 1e-3, 1e-4));

  const auto& avg = builtin_reducers().get("avgpool3d");
  at::Tensor v = m.visual_tokens(f, avg, avg.default_params);
  CHECK(v.sizes().vec() == (std::vector<int64_t>{2 * 8 * 8, cfg.text.hidden_size}));
  const auto& full = builtin_reducers().get("full");
  at::Tensor vf = m.visual_tokens(f, full, full.default_params);
  CHECK(vf.size(0) == 4 * 576);
  // avgpool3d after the projector is the window mean of the projected full tokens.
  at::Tensor projected = vf.view({4, 24, 24, -1});
  CHECK(at::allclose(v[0], projected.slice(0, 0, 2).slice(1, 0, 3).slice(2, 0, 3).mean({0, 1, 2}), 1e-4, 1e-5));

  const std::vector<int> ids = m.prompt_ids("Question: What colour?\nOptions:\n(A) red\n(B) blue", "Best option:(");
  CHECK(ids.front() == cfg.text.bos_token_id);
  CHECK(std::count(ids.begin(), ids.end(), cfg.image_token_index) == 1);
  CHECK(m.tokenizer().decode(m.tokenizer().encode("Only give the best option.")) == "Only give the best option.");

  GenerationOptions go;
  go.max_new_tokens = 5;
  GenerationResult a = m.generate(ids, v, go);
  GenerationResult b = m.generate(ids, v, go);
  CHECK(a.tokens == b.tokens);
  CHECK(a.tokens.size() <= 5);
  CHECK(a.prompt_tokens == static_cast<int64_t>(ids.size()) - 2);
  const int64_t prefill = static_cast<int64_t>(ids.size()) - 1 + v.size(0);
  const int64_t fed = a.finish_reason == "eos" ? static_cast<int64_t>(a.tokens.size())
                                               : static_cast<int64_t>(a.tokens.size()) - 1;
  CHECK(a.context_tokens == prefill + std::max<int64_t>(0, fed));
}

TEST_CASE("splicing puts the visual rows where <image> was", "[model]") {
  const ModelConfig cfg = read_model_config(tiny_dir());
  Checkpoint ckpt(tiny_dir());
  LlamaDecoder llm(ckpt, cfg.text);
  at::Tensor visual = at::randn({3, cfg.text.hidden_size});
  const int img = cfg.image_token_index;
  at::Tensor e = splice_visual_tokens(llm, {1, 5, img, 7}, img, visual);
  REQUIRE(e.size(0) == 6);
  CHECK(at::equal(e.slice(0, 2, 5), visual));
  CHECK(at::equal(e[5], llm.embed({7})[0]));
  CHECK_THROWS_WITH(splice_visual_tokens(llm, {1, 5}, img, visual), Catch::Contains("0 <image> tokens"));
}

TEST_CASE("a checkpoint lacking a tensor fails to load, naming it", "[model]") {
  TempDir dir("broken");
  TinyCheckpointOptions o;
  o.vocab_size = 512;
  write_tiny_checkpoint(dir.path(), o);
  const std::string shard = dir / "model-00002-of-00002.safetensors";
  std::map<std::string, at::Tensor> kept;
  {
    SafetensorsFile f(shard);
    for (const auto& [name, info] : f.tensors())
      if (name != "language_model.model.norm.weight") kept[name] = f.load(name);
  }
  write_safetensors(shard, kept, at::kBFloat16);
  nlohmann::json index;
  std::ifstream(dir / "model.safetensors.index.json") >> index;
  index["weight_map"].erase("language_model.model.norm.weight");
  std::ofstream(dir / "model.safetensors.index.json") << index.dump();
  CHECK_THROWS_WITH(VideoLlm(dir.path()), Catch::Contains("language_model.model.norm.weight [64]"));
}

TEST_CASE("attention: query blocks and single-query steps give the plain result", "[model]") {
  at::manual_seed(6);
  const at::Tensor q = at::randn({2, 3, 10, 8}), k = at::randn({2, 3, 10, 8}), v = at::randn({2, 3, 10, 8});
  const at::Tensor mask = causal_mask(10, 0, q.options());
  // The plain formula, written out here.
  const at::Tensor want = at::matmul(at::softmax(at::matmul(q, k.transpose(-2, -1)) / std::sqrt(8.0) + mask, -1), v);
  CHECK(at::allclose(attention(q, k, v, mask), want, 1e-5, 1e-6));
  CHECK(at::allclose(attention(q, k, v, mask, 2 * 3 * 3 * 10), want, 1e-5, 1e-6));  // blocks of 3 queries
  CHECK(at::allclose(attention(q, k, v, mask, 1), want, 1e-5, 1e-6));               // one query at a time
  // The last query alone sees every key: the matrix-vector path of a decoding step.
  CHECK(at::allclose(attention(q.narrow(2, 9, 1), k, v, at::Tensor()), want.narrow(2, 9, 1), 1e-5, 1e-6));
}
