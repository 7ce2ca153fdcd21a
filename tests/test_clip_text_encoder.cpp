// The relevance encoder's text side: the 77 -> 248 position stretch, the two-table (_res) rule,
// a stock CLIP table stretched at load, first-EOS pooling, causality and padding, the projection
// and its unit length, all against a plain forward pass written here; and the load/input errors.
#include "tests/catch_aten.h"

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "model/checkpoint.h"
#include "model/clip_position_extension.h"
#include "model/clip_text_encoder.h"
#include "model/hf_config.h"
#include "model/safetensors.h"
#include "tests/test_support.h"

using namespace ppb::model;
using ppb::test::TempDir;

namespace {

using Weights = std::map<std::string, at::Tensor>;
const std::string kText = "multi_modal_projector.clip_text_model.";
const std::string kProj = "multi_modal_projector.clip_text_projection.weight";

ModelConfig tiny_config() {
  ModelConfig cfg;
  ClipTextConfig& c = cfg.clip_text;
  c.vocab_size = 40;
  c.hidden_size = 16;
  c.intermediate_size = 24;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 2;
  c.max_position_embeddings = 248;
  c.projection_dim = 8;
  c.bos_token_id = 38;
  c.eos_token_id = 39;
  return cfg;
}

// Random weights with the release names; position_embedding and _res differ so that the rule shows.
Weights tiny_weights(const ModelConfig& cfg, uint64_t seed) {
  at::manual_seed(seed);
  const ClipTextConfig& c = cfg.clip_text;
  const int64_t W = c.hidden_size, M = c.intermediate_size;
  Weights w;
  w[kText + "embeddings.token_embedding.weight"] = at::randn({c.vocab_size, W});
  const at::Tensor pos = at::randn({c.max_position_embeddings, W}) * 0.5;
  w[kText + "embeddings.position_embedding"] = pos;
  w[kText + "embeddings.position_embedding_res"] = pos + at::randn({c.max_position_embeddings, W});
  for (int i = 0; i < c.num_hidden_layers; ++i) {
    const std::string p = kText + "encoder.layers." + std::to_string(i) + ".";
    for (const char* ln : {"layer_norm1", "layer_norm2"}) {
      w[p + ln + ".weight"] = 1.0 + 0.1 * at::randn({W});
      w[p + ln + ".bias"] = 0.1 * at::randn({W});
    }
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      w[p + "self_attn." + proj + ".weight"] = at::randn({W, W}) / std::sqrt(double(W));
      w[p + "self_attn." + proj + ".bias"] = 0.1 * at::randn({W});
    }
    w[p + "mlp.fc1.weight"] = at::randn({M, W}) / std::sqrt(double(W));
    w[p + "mlp.fc1.bias"] = 0.1 * at::randn({M});
    w[p + "mlp.fc2.weight"] = at::randn({W, M}) / std::sqrt(double(M));
    w[p + "mlp.fc2.bias"] = 0.1 * at::randn({W});
  }
  w[kText + "final_layer_norm.weight"] = 1.0 + 0.1 * at::randn({W});
  w[kText + "final_layer_norm.bias"] = 0.1 * at::randn({W});
  w[kProj] = at::randn({c.projection_dim, W});
  return w;
}

void write_checkpoint(const TempDir& dir, const Weights& w) {
  write_safetensors(dir / "model.safetensors", w, at::kFloat);
}

// The effective table of a release checkpoint, row by row.
at::Tensor reference_positions(const Weights& w, int64_t rows) {
  const at::Tensor& pos = w.at(kText + "embeddings.position_embedding");
  const at::Tensor& res = w.at(kText + "embeddings.position_embedding_res");
  at::Tensor out = at::empty({rows, pos.size(1)});
  for (int64_t i = 0; i < rows; ++i) out[i] = i < 20 ? pos[i] : res[i];
  return out;
}

at::Tensor layer_norm_rows(const at::Tensor& x, const at::Tensor& g, const at::Tensor& b, double eps) {
  at::Tensor out = at::empty_like(x);
  for (int64_t i = 0; i < x.size(0); ++i) {
    const at::Tensor r = x[i];
    const at::Tensor mean = r.mean();
    const at::Tensor var = ((r - mean) * (r - mean)).mean();
    out[i] = (r - mean) / at::sqrt(var + eps) * g + b;
  }
  return out;
}

// A plain CLIP text forward over the WHOLE sequence (tokens after the first EOS included), with
// the causal mask built by loops, pooled at the first EOS, projected and normalised.
at::Tensor reference_encode(const Weights& w, const ModelConfig& cfg, const at::Tensor& table, const std::vector<int>& ids) {
  const ClipTextConfig& c = cfg.clip_text;
  const int64_t L = static_cast<int64_t>(ids.size()), W = c.hidden_size, H = c.num_attention_heads, hd = W / H;
  const at::Tensor& tok = w.at(kText + "embeddings.token_embedding.weight");
  at::Tensor x = at::empty({L, W});
  for (int64_t i = 0; i < L; ++i) x[i] = tok[ids[static_cast<size_t>(i)]] + table[i];
  at::Tensor mask = at::zeros({L, L});
  for (int64_t i = 0; i < L; ++i)
    for (int64_t j = i + 1; j < L; ++j) mask[i][j] = -std::numeric_limits<float>::infinity();
  auto lin = [&](const std::string& name, const at::Tensor& in) {
    return at::matmul(in, w.at(name + ".weight").t()) + w.at(name + ".bias");
  };
  for (int l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = kText + "encoder.layers." + std::to_string(l) + ".";
    const at::Tensor h = layer_norm_rows(x, w.at(p + "layer_norm1.weight"), w.at(p + "layer_norm1.bias"), c.layer_norm_eps);
    const at::Tensor q = lin(p + "self_attn.q_proj", h), k = lin(p + "self_attn.k_proj", h), v = lin(p + "self_attn.v_proj", h);
    std::vector<at::Tensor> heads;
    for (int64_t e = 0; e < H; ++e) {
      const at::Tensor qh = q.slice(1, e * hd, (e + 1) * hd), kh = k.slice(1, e * hd, (e + 1) * hd);
      const at::Tensor s = at::matmul(qh, kh.t()) / std::sqrt(double(hd)) + mask;
      heads.push_back(at::matmul(at::softmax(s, 1), v.slice(1, e * hd, (e + 1) * hd)));
    }
    x = x + lin(p + "self_attn.out_proj", at::cat(heads, 1));
    const at::Tensor h2 = layer_norm_rows(x, w.at(p + "layer_norm2.weight"), w.at(p + "layer_norm2.bias"), c.layer_norm_eps);
    const at::Tensor m = lin(p + "mlp.fc1", h2);
    x = x + lin(p + "mlp.fc2", m * at::sigmoid(1.702 * m));
  }
  x = layer_norm_rows(x, w.at(kText + "final_layer_norm.weight"), w.at(kText + "final_layer_norm.bias"), c.layer_norm_eps);
  int64_t first_eos = -1;
  for (int64_t i = 0; i < L && first_eos < 0; ++i)
    if (ids[static_cast<size_t>(i)] == c.eos_token_id) first_eos = i;
  REQUIRE(first_eos >= 0);
  const at::Tensor y = at::matmul(w.at(kProj), x[first_eos]);
  return y / std::sqrt(y.pow(2).sum().item<double>());
}

bool close(const at::Tensor& a, const at::Tensor& b, double atol = 1e-5) {
  return a.sizes() == b.sizes() && at::allclose(a, b, 1e-4, atol);
}

}  // namespace

TEST_CASE("extend_clip_positions stretches a 77-row table to 248 rows", "[clip_text]") {
  at::manual_seed(11);
  const at::Tensor p = at::randn({77, 6});
  const at::Tensor e = extend_clip_positions(p);
  REQUIRE(e.sizes() == at::IntArrayRef({248, 6}));
  CHECK(e.scalar_type() == at::kFloat);
  CHECK(extended_position_rows(77) == 248);
  CHECK(at::equal(e.slice(0, 0, 20), p.slice(0, 0, 20)));  // the trained prefix is untouched
  CHECK(at::equal(e[244], p[76]));                        // the last interpolated row lands on the last old row
  CHECK(at::equal(e[20], p[20]));
  CHECK(close(e[21], 0.75 * p[20] + 0.25 * p[21], 1e-6));
  CHECK(close(e[22], 0.5 * p[20] + 0.5 * p[21], 1e-6));
  CHECK(close(e[240], p[75], 1e-6));
  // Every row against the definition, in double.
  const at::Tensor pd = p.to(at::kDouble);
  double worst = 0;
  for (int64_t i = 20; i < 248; ++i) {
    at::Tensor want;
    if (i <= 244) {
      const double j = 20 + (i - 20) / 4.0;
      const int64_t lo = static_cast<int64_t>(std::floor(j));
      const double t = j - lo;
      want = lo == 76 ? pd[76] : (1 - t) * pd[lo] + t * pd[lo + 1];
    } else {
      want = pd[76] + ((i - 244) / 4.0) * (pd[76] - pd[75]);  // rows 245..247: past the end
    }
    worst = std::max(worst, (e[i].to(at::kDouble) - want).abs().max().item<double>());
  }
  CHECK(worst < 1e-6);
  CHECK(close(e[247], p[76] + 0.75 * (p[76] - p[75]), 1e-5));

  // The dtype comes back as given; other keep/ratio follow the same row count rule.
  CHECK(extend_clip_positions(p.to(at::kBFloat16)).scalar_type() == at::kBFloat16);
  const at::Tensor small = at::arange(5, at::kDouble).unsqueeze(1);  // rows 0..4 hold their index
  const at::Tensor s = extend_clip_positions(small, 1, 2);
  REQUIRE(s.size(0) == 2 * 5 - 1);
  const std::vector<double> want{0, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5};
  for (int64_t i = 0; i < s.size(0); ++i) CHECK(s[i][0].item<double>() == Approx(want[static_cast<size_t>(i)]));
  CHECK_THROWS_WITH(extend_clip_positions(at::zeros({77})), Catch::Contains("2-d"));
  CHECK_THROWS_WITH(extend_clip_positions(at::zeros({10, 2}), 20), Catch::Contains("keep 20"));
}

TEST_CASE("the release's two position tables combine by the _res rule", "[clip_text]") {
  TempDir dir("clip_text");
  const ModelConfig cfg = tiny_config();
  const Weights w = tiny_weights(cfg, 1);
  write_checkpoint(dir, w);
  Checkpoint ckpt(dir.path());
  const ClipTextEncoder enc(ckpt, cfg);
  ckpt.check_complete();
  CHECK(ckpt.unused().empty());
  CHECK_FALSE(enc.positions_extended_at_load());
  CHECK(enc.context() == 248);
  const at::Tensor& table = enc.position_table();
  REQUIRE(table.sizes() == at::IntArrayRef({248, 16}));
  CHECK(at::equal(table.slice(0, 0, 20), w.at(kText + "embeddings.position_embedding").slice(0, 0, 20)));
  CHECK(at::equal(table.slice(0, 20), w.at(kText + "embeddings.position_embedding_res").slice(0, 20)));

  // Through the forward pass: a 30-id prompt uses rows from both tables.
  std::vector<int> ids{38};
  for (int i = 0; i < 28; ++i) ids.push_back((i * 7) % 37);
  ids.push_back(39);
  const at::Tensor got = enc.encode(ids);
  CHECK(got.scalar_type() == at::kFloat);
  CHECK(close(got, reference_encode(w, cfg, reference_positions(w, 248), ids)));
  // Using position_embedding alone past row 20 would give another answer.
  CHECK_FALSE(close(got, reference_encode(w, cfg, w.at(kText + "embeddings.position_embedding"), ids)));
}

TEST_CASE("encode matches a plain forward pass and has unit length", "[clip_text]") {
  TempDir dir("clip_text");
  const ModelConfig cfg = tiny_config();
  const Weights w = tiny_weights(cfg, 2);
  write_checkpoint(dir, w);
  Checkpoint ckpt(dir.path());
  const ClipTextEncoder enc(ckpt, cfg);
  const at::Tensor table = reference_positions(w, 248);
  for (const std::vector<int>& ids : {std::vector<int>{38, 39}, std::vector<int>{38, 5, 17, 3, 39},
                                      std::vector<int>{38, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 39}}) {
    const at::Tensor e = enc.encode(ids);
    REQUIRE(e.sizes() == at::IntArrayRef({8}));
    CHECK(e.norm().item<double>() == Approx(1.0).epsilon(1e-6));
    CHECK(close(e, reference_encode(w, cfg, table, ids)));
  }
  // project() is the projection plus L2 norm, checked with plain loops.
  const at::Tensor pooled = at::randn({16});
  const at::Tensor& P = w.at(kProj);
  std::vector<double> y(8, 0.0);
  double n2 = 0;
  for (int64_t r = 0; r < 8; ++r) {
    for (int64_t k = 0; k < 16; ++k) y[r] += P[r][k].item<double>() * pooled[k].item<double>();
    n2 += y[r] * y[r];
  }
  const at::Tensor pr = enc.project(pooled);
  for (int64_t r = 0; r < 8; ++r) CHECK(pr[r].item<double>() == Approx(y[r] / std::sqrt(n2)).margin(1e-6));
}

TEST_CASE("pooling takes the first EOS and attention is causal", "[clip_text]") {
  TempDir dir("clip_text");
  const ModelConfig cfg = tiny_config();
  const Weights w = tiny_weights(cfg, 3);
  write_checkpoint(dir, w);
  Checkpoint ckpt(dir.path());
  const ClipTextEncoder enc(ckpt, cfg);
  const std::vector<int> ids{38, 4, 9, 22, 31, 39};
  const at::Tensor e = enc.encode(ids);

  // A second EOS later, with other tokens between, changes nothing; the plain forward over the
  // whole sequence agrees, so this is not only an artefact of stopping at the first EOS.
  std::vector<int> longer = ids;
  for (int t : {12, 13, 39, 7}) longer.push_back(t);
  CHECK(at::equal(enc.encode(longer), e));
  CHECK(close(reference_encode(w, cfg, reference_positions(w, 248), longer), e));

  // Changing a token changes its own and later states, never earlier ones.
  std::vector<int> changed = longer;
  changed[7] = 1;
  const at::Tensor a = enc.hidden_states(longer), b = enc.hidden_states(changed);
  CHECK(close(a.slice(0, 0, 7), b.slice(0, 0, 7), 1e-6));
  CHECK_FALSE(close(a[7], b[7]));
  CHECK_FALSE(close(a[9], b[9]));
  CHECK(at::equal(enc.encode(changed), e));
  // ...whereas a token before the EOS does change the embedding.
  std::vector<int> early = ids;
  early[2] = 1;
  CHECK_FALSE(close(enc.encode(early), e));
}

TEST_CASE("padding to the full context, with or without a padding mask, leaves the embedding alone", "[clip_text]") {
  TempDir dir("clip_text");
  const ModelConfig cfg = tiny_config();
  const Weights w = tiny_weights(cfg, 4);
  write_checkpoint(dir, w);
  Checkpoint ckpt(dir.path());
  const ClipTextEncoder enc(ckpt, cfg);
  const std::vector<int> ids{38, 3, 14, 15, 9, 26, 5, 39};
  const at::Tensor e = enc.encode(ids);
  // The OpenAI CLIP tokenizer pads with <|endoftext|>; pad with another id too.
  for (int pad : {39, 0}) {
    std::vector<int> padded = ids, mask(ids.size(), 1);
    padded.resize(248, pad);
    mask.resize(248, 0);
    const int64_t eos = static_cast<int64_t>(ids.size()) - 1;
    CHECK(close(enc.project(enc.hidden_states(padded, mask)[eos]), e));
    CHECK(close(enc.project(enc.hidden_states(padded)[eos]), e));
  }
  CHECK_THROWS_WITH(enc.hidden_states(ids, {1, 1}), Catch::Contains("2 entries for 8 ids"));
  CHECK_THROWS_WITH(enc.hidden_states(ids, {0, 1, 1, 1, 1, 1, 1, 1}), Catch::Contains("hides the first id"));
}

TEST_CASE("a stock 77-row CLIP table is stretched at load and used for every row", "[clip_text]") {
  TempDir dir("clip_text");
  const ModelConfig cfg = tiny_config();
  Weights w = tiny_weights(cfg, 5);
  w.erase(kText + "embeddings.position_embedding");
  w.erase(kText + "embeddings.position_embedding_res");
  const at::Tensor stock = at::randn({77, 16});
  w[kText + "embeddings.position_embedding.weight"] = stock;
  write_checkpoint(dir, w);
  Checkpoint ckpt(dir.path());
  const ClipTextEncoder enc(ckpt, cfg);
  ckpt.check_complete();
  CHECK(ckpt.unused().empty());
  CHECK(enc.positions_extended_at_load());
  const at::Tensor table = extend_clip_positions(stock);
  CHECK(at::equal(enc.position_table(), table));
  std::vector<int> ids{38};
  for (int i = 0; i < 40; ++i) ids.push_back(i % 30);
  ids.push_back(39);
  CHECK(close(enc.encode(ids), reference_encode(w, cfg, table, ids)));

  // With a 70-row table the stretch cannot reach 248: the shape check says what it wanted.
  w[kText + "embeddings.position_embedding.weight"] = at::randn({70, 16});
  write_checkpoint(dir, w);
  Checkpoint bad(dir.path());
  CHECK_THROWS_WITH(ClipTextEncoder(bad, cfg), Catch::Contains("position_embedding.weight") &&
                                                   Catch::Contains("expected [77,16]"));
}

TEST_CASE("a bfloat16 run still returns a float32 unit embedding", "[clip_text]") {
  TempDir dir("clip_text");
  const ModelConfig cfg = tiny_config();
  write_checkpoint(dir, tiny_weights(cfg, 8));
  Checkpoint full(dir.path()), half(dir.path());
  half.set_target(at::kBFloat16, at::kCPU);
  const ClipTextEncoder a(full, cfg), b(half, cfg);
  CHECK(b.position_table().scalar_type() == at::kBFloat16);
  const std::vector<int> ids{38, 2, 7, 1, 30, 12, 39};
  const at::Tensor ea = a.encode(ids), eb = b.encode(ids);
  CHECK(eb.scalar_type() == at::kFloat);
  CHECK(eb.norm().item<double>() == Approx(1.0).epsilon(1e-6));
  CHECK(at::dot(ea, eb).item<double>() > 0.99);  // the same direction up to bfloat16 rounding
}

TEST_CASE("bad ids are rejected with the reason", "[clip_text]") {
  TempDir dir("clip_text");
  const ModelConfig cfg = tiny_config();
  write_checkpoint(dir, tiny_weights(cfg, 6));
  Checkpoint ckpt(dir.path());
  const ClipTextEncoder enc(ckpt, cfg);
  CHECK_THROWS_WITH(enc.encode({}), Catch::Contains("no ids"));
  CHECK_THROWS_WITH(enc.encode({38, 4, 5}), Catch::Contains("no end-of-text id 39"));
  std::vector<int> too_long(249, 5);
  too_long.back() = 39;
  CHECK_THROWS_WITH(enc.encode(too_long), Catch::Contains("249 ids exceed the context of 248"));
  too_long.pop_back();
  too_long.back() = 39;
  CHECK(enc.encode(too_long).size(0) == 8);  // exactly the context is fine
  CHECK_THROWS_WITH(enc.encode({38, 40, 39}), Catch::Contains("id 40 at position 1") &&
                                                  Catch::Contains("vocabulary of 40"));
  CHECK_THROWS_WITH(enc.project(at::zeros({8})), Catch::Contains("pooled state [16]"));
}

TEST_CASE("missing and misshapen text-encoder tensors are named with their expected shapes", "[clip_text]") {
  TempDir dir("clip_text");
  const ModelConfig cfg = tiny_config();
  Weights w = tiny_weights(cfg, 7);
  w.erase(kText + "final_layer_norm.bias");
  w.erase(kProj);
  w.erase(kText + "embeddings.position_embedding");
  w.erase(kText + "embeddings.position_embedding_res");
  write_checkpoint(dir, w);
  {
    Checkpoint ckpt(dir.path());
    const ClipTextEncoder enc(ckpt, cfg);  // loading goes on, so that one error lists everything
    CHECK_THROWS_WITH(ckpt.check_complete(),
                      Catch::Contains("lacks 4 tensor(s)") &&
                          Catch::Contains(kText + "final_layer_norm.bias [16]") &&
                          Catch::Contains("multi_modal_projector.clip_text_projection.weight [8,16]") &&
                          Catch::Contains(kText + "embeddings.position_embedding [248,16]") &&
                          Catch::Contains(kText + "embeddings.position_embedding_res [248,16]"));
  }
  Weights ok = tiny_weights(cfg, 7);
  ok[kText + "embeddings.token_embedding.weight"] = at::randn({41, 16});
  write_checkpoint(dir, ok);
  {
    Checkpoint ckpt(dir.path());
    CHECK_THROWS_WITH(ClipTextEncoder(ckpt, cfg), Catch::Contains("'" + kText + "embeddings.token_embedding.weight'") &&
                                                      Catch::Contains("has shape [41,16], expected [40,16]"));
  }
  // A config whose width disagrees with the weights fails on the first tensor it shapes.
  write_checkpoint(dir, tiny_weights(cfg, 7));
  ModelConfig wide = cfg;
  wide.clip_text.hidden_size = 32;
  Checkpoint ckpt(dir.path());
  CHECK_THROWS_WITH(ClipTextEncoder(ckpt, wide), Catch::Contains("expected [40,32]"));
  ModelConfig odd = cfg;
  odd.clip_text.num_attention_heads = 3;
  CHECK_THROWS_WITH(ClipTextEncoder(ckpt, odd), Catch::Contains("num_attention_heads 3"));
}
