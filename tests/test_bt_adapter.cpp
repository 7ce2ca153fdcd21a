// The BT-Adapter vision tower against a reference written here with explicit loops over patches
// and frames: the patch-major/time-minor layout, the first step's inputs (adapter CLS, position
// and time embeddings), residual fusion, the temporal and spatial layers with CLS averaged over
// frames, and the final average of the CLIP and adapter patch streams at hidden index -2.
#include "tests/catch_aten.h"

#include <map>

#include "model/bt_adapter.h"
#include "model/checkpoint.h"
#include "model/clip_vision.h"
#include "model/safetensors.h"
#include "tests/test_support.h"

using namespace ppb::model;
using ppb::test::TempDir;

namespace {

constexpr int D = 8, MLP = 16, HEADS = 2, PATCH = 14, GRID = 2, P = GRID * GRID, LAYERS = 4, DEPTH = 3, MAX_T = 6;
const std::string kPrefix = "vision_tower.vision_model.";

using Weights = std::map<std::string, at::Tensor>;

void add_attention(Weights& w, const std::string& p) {
  for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
    w[p + "self_attn." + proj + ".weight"] = at::randn({D, D}) / 3;
    w[p + "self_attn." + proj + ".bias"] = at::randn({D}) / 10;
  }
  w[p + "layer_norm1.weight"] = 1 + at::randn({D}) / 10;
  w[p + "layer_norm1.bias"] = at::randn({D}) / 10;
}

void add_clip_layer(Weights& w, const std::string& p) {
  add_attention(w, p);
  w[p + "layer_norm2.weight"] = 1 + at::randn({D}) / 10;
  w[p + "layer_norm2.bias"] = at::randn({D}) / 10;
  w[p + "mlp.fc1.weight"] = at::randn({MLP, D}) / 3;
  w[p + "mlp.fc1.bias"] = at::randn({MLP}) / 10;
  w[p + "mlp.fc2.weight"] = at::randn({D, MLP}) / 4;
  w[p + "mlp.fc2.bias"] = at::randn({D}) / 10;
}

Weights make_weights() {
  at::manual_seed(11);
  Weights w;
  w[kPrefix + "embeddings.patch_embedding.weight"] = at::randn({D, 3, PATCH, PATCH}) / 20;
  w[kPrefix + "embeddings.class_embedding"] = at::randn({D});
  w[kPrefix + "embeddings.position_embedding.weight"] = at::randn({1 + P, D}) / 2;
  w[kPrefix + "pre_layrnorm.weight"] = 1 + at::randn({D}) / 10;
  w[kPrefix + "pre_layrnorm.bias"] = at::randn({D}) / 10;
  w[kPrefix + "post_layernorm.weight"] = at::ones({D});
  w[kPrefix + "post_layernorm.bias"] = at::zeros({D});
  for (int i = 0; i < LAYERS; ++i) add_clip_layer(w, kPrefix + "encoder.layers." + std::to_string(i) + ".");
  w[kPrefix + "btadapter_cls_token"] = at::randn({1, 1, D});
  w[kPrefix + "btadapter_time_embed.weight"] = at::randn({MAX_T, D}) / 2;
  for (int k = 0; k < DEPTH; ++k) {
    const std::string t = kPrefix + "btadapter_T_layers." + std::to_string(k) + ".";
    add_attention(w, t);
    w[t + "temporal_fc.weight"] = at::randn({D, D}) / 3;  // random, not the zero init of training
    w[t + "temporal_fc.bias"] = at::randn({D}) / 10;
    add_clip_layer(w, kPrefix + "btadapter_S_layers." + std::to_string(k) + ".");
  }
  return w;
}

ModelConfig tower_config() {
  ModelConfig c;
  c.vision.hidden_size = D;
  c.vision.intermediate_size = MLP;
  c.vision.num_hidden_layers = LAYERS;
  c.vision.num_attention_heads = HEADS;
  c.vision.image_size = GRID * PATCH;
  c.vision.patch_size = PATCH;
  c.btadapter = true;
  c.btadapter_depth = DEPTH;
  c.max_T = MAX_T;
  c.vision_feature_layer = -2;
  return c;
}

// ---- The reference: one sequence at a time, plain per-head attention, no reshapes of layouts.

at::Tensor ln(const Weights& w, const std::string& p, const at::Tensor& x) {
  at::Tensor mu = x.mean(-1, true), var = (x - mu).pow(2).mean(-1, true);
  return (x - mu) / at::sqrt(var + 1e-5) * w.at(p + ".weight") + w.at(p + ".bias");
}

at::Tensor lin(const Weights& w, const std::string& p, const at::Tensor& x) {
  return at::matmul(x, w.at(p + ".weight").t()) + w.at(p + ".bias");
}

// x [L, D], no mask.
at::Tensor mha(const Weights& w, const std::string& p, const at::Tensor& x) {
  at::Tensor q = lin(w, p + "self_attn.q_proj", x), k = lin(w, p + "self_attn.k_proj", x),
             v = lin(w, p + "self_attn.v_proj", x);
  const int hd = D / HEADS;
  at::Tensor out = at::zeros_like(x);
  for (int h = 0; h < HEADS; ++h) {
    at::Tensor qh = q.slice(1, h * hd, (h + 1) * hd), kh = k.slice(1, h * hd, (h + 1) * hd),
               vh = v.slice(1, h * hd, (h + 1) * hd);
    at::Tensor s = at::matmul(qh, kh.t()) / std::sqrt(static_cast<double>(hd));
    out.slice(1, h * hd, (h + 1) * hd).copy_(at::matmul(at::softmax(s, -1), vh));
  }
  return lin(w, p + "self_attn.out_proj", out);
}

at::Tensor clip_mlp(const Weights& w, const std::string& p, const at::Tensor& x) {
  at::Tensor h = lin(w, p + "mlp.fc1", ln(w, p + "layer_norm2", x));
  return lin(w, p + "mlp.fc2", h * at::sigmoid(1.702 * h));
}

at::Tensor clip_layer(const Weights& w, const std::string& p, const at::Tensor& x) {
  at::Tensor y = x + mha(w, p, ln(w, p + "layer_norm1", x));
  return y + clip_mlp(w, p, y);
}

// Flat index of patch p of frame t in the adapter stream (after the CLS at 0).
int64_t at_pt(int64_t p, int64_t t, int64_t T) { return 1 + p * T + t; }

// The tower's feature at hidden index -2, frames [T, 1+P, D] of CLIP embeddings already built.
at::Tensor reference_features(const Weights& w, const at::Tensor& pixels) {
  const int64_t T = pixels.size(0);
  // CLIP embeddings, one frame at a time.
  std::vector<at::Tensor> frames;
  for (int64_t t = 0; t < T; ++t) {
    at::Tensor patches = at::conv2d(pixels[t].unsqueeze(0), w.at(kPrefix + "embeddings.patch_embedding.weight"), {},
                                    PATCH)[0].flatten(1).t();  // [P, D], row-major patches
    at::Tensor seq = at::cat({w.at(kPrefix + "embeddings.class_embedding").unsqueeze(0), patches}, 0) +
                     w.at(kPrefix + "embeddings.position_embedding.weight");
    frames.push_back(ln(w, kPrefix + "pre_layrnorm", seq));
  }
  const int start = LAYERS - DEPTH;  // 1: the adapter follows layers 1 and 2; layer 3 is never needed
  at::Tensor x2;
  for (int layer = 0; layer < LAYERS - 1; ++layer) {
    for (auto& f : frames) f = clip_layer(w, kPrefix + "encoder.layers." + std::to_string(layer) + ".", f);
    const int k = layer - start;
    if (k < 0) continue;
    at::Tensor cls_mean = at::zeros({D});
    for (const auto& f : frames) cls_mean += f[0] / static_cast<double>(T);
    if (k == 0) {
      const at::Tensor pos = w.at(kPrefix + "embeddings.position_embedding.weight");
      const at::Tensor own = w.at(kPrefix + "btadapter_cls_token").view({D});
      x2 = at::zeros({1 + P * T, D});
      x2[0] = (cls_mean + own + pos[0]) / 2;
      for (int64_t p = 0; p < P; ++p)
        for (int64_t t = 0; t < T; ++t)
          x2[at_pt(p, t, T)] = frames[t][1 + p] + pos[1 + p] + w.at(kPrefix + "btadapter_time_embed.weight")[t];
    } else {
      at::Tensor add = at::zeros_like(x2);
      add[0] = cls_mean;
      for (int64_t p = 0; p < P; ++p)
        for (int64_t t = 0; t < T; ++t) add[at_pt(p, t, T)] = frames[t][1 + p];
      x2 = x2 + add;
    }
    // Temporal layer: each patch position attends over its frames.
    const std::string tp = kPrefix + "btadapter_T_layers." + std::to_string(k) + ".";
    at::Tensor after_t = x2.clone();
    for (int64_t p = 0; p < P; ++p) {
      at::Tensor seq = at::zeros({T, D});
      for (int64_t t = 0; t < T; ++t) seq[t] = x2[at_pt(p, t, T)];
      at::Tensor upd = lin(w, tp + "temporal_fc", mha(w, tp, ln(w, tp + "layer_norm1", seq)));
      for (int64_t t = 0; t < T; ++t) after_t[at_pt(p, t, T)] = x2[at_pt(p, t, T)] + upd[t];
    }
    // Spatial layer: each frame attends over its patches behind the shared CLS.
    const std::string sp = kPrefix + "btadapter_S_layers." + std::to_string(k) + ".";
    at::Tensor attn_out = at::zeros_like(after_t);
    for (int64_t t = 0; t < T; ++t) {
      at::Tensor seq = at::zeros({1 + P, D});
      seq[0] = after_t[0];
      for (int64_t p = 0; p < P; ++p) seq[1 + p] = after_t[at_pt(p, t, T)];
      at::Tensor a = mha(w, sp, ln(w, sp + "layer_norm1", seq));
      attn_out[0] += a[0] / static_cast<double>(T);
      for (int64_t p = 0; p < P; ++p) attn_out[at_pt(p, t, T)] = a[1 + p];
    }
    at::Tensor y = after_t + attn_out;
    x2 = y + clip_mlp(w, sp, y);
  }
  // Hidden index -2: CLIP's output of layer LAYERS-2 averaged with the adapter stream.
  at::Tensor out = at::zeros({T, P, D});
  for (int64_t t = 0; t < T; ++t)
    for (int64_t p = 0; p < P; ++p) out[t][p] = (frames[t][1 + p] + x2[at_pt(p, t, T)]) / 2;
  return out;
}

}  // namespace

TEST_CASE("the adapter layout is patch-major and time-minor, and round-trips", "[bt_adapter]") {
  const int64_t T = 3, Pn = 5, Dn = 2;
  at::Tensor frames = at::arange(T * Pn * Dn, at::kFloat).view({T, Pn, Dn});  // value encodes (t, p, d)
  at::Tensor pm = BtAdapter::patch_major(frames);
  REQUIRE(pm.sizes() == (std::vector<int64_t>{Pn * T, Dn}));
  for (int64_t p = 0; p < Pn; ++p)
    for (int64_t t = 0; t < T; ++t) CHECK(at::equal(pm[p * T + t], frames[t][p]));
  at::Tensor x2 = at::cat({at::full({1, Dn}, -1.0), pm}, 0);
  CHECK(at::equal(BtAdapter::frame_major_patches(x2, T), frames));
}

TEST_CASE("the BT-Adapter tower matches a loop-by-loop reference", "[bt_adapter]") {
  TempDir dir("btadapter");
  const Weights w = make_weights();
  write_safetensors(dir / "model.safetensors", w, at::kFloat);
  for (int64_t T : {1, 3, 5}) {
    INFO("frames " << T);
    Checkpoint ckpt(dir.path());
    ClipVisionTower tower(ckpt, tower_config(), kPrefix);
    REQUIRE(tower.has_adapter());
    CHECK(ckpt.unused().empty());  // the last CLIP layer and adapter step are declared, not unknown
    at::manual_seed(100 + T);
    const at::Tensor pixels = at::randn({T, 3, GRID * PATCH, GRID * PATCH});
    const at::Tensor got = tower.forward(pixels);
    REQUIRE(got.sizes() == (std::vector<int64_t>{T, P, D}));
    CHECK(at::allclose(got, reference_features(w, pixels), 1e-4, 1e-5));
  }
  Checkpoint ckpt(dir.path());
  ClipVisionTower tower(ckpt, tower_config(), kPrefix);
  CHECK_THROWS_WITH(tower.forward(at::zeros({MAX_T + 1, 3, GRID * PATCH, GRID * PATCH})),
                    Catch::Contains("covers 6 frames"));
}

TEST_CASE("a checkpoint without the adapter's tensors names each one", "[bt_adapter]") {
  TempDir dir("btadapter_missing");
  Weights w = make_weights();
  w.erase(kPrefix + "btadapter_time_embed.weight");
  w.erase(kPrefix + "btadapter_T_layers.1.temporal_fc.bias");
  w.erase(kPrefix + "btadapter_S_layers.2.mlp.fc1.weight");  // an unused step: still reported missing
  write_safetensors(dir / "model.safetensors", w, at::kFloat);
  Checkpoint ckpt(dir.path());
  ClipVisionTower tower(ckpt, tower_config(), kPrefix);
  CHECK_THROWS_WITH(ckpt.check_complete(),
                    Catch::Contains("lacks 3 tensor(s)") &&
                        Catch::Contains("vision_tower.vision_model.btadapter_time_embed.weight [6,8]") &&
                        Catch::Contains("btadapter_T_layers.1.temporal_fc.bias [8]") &&
                        Catch::Contains("btadapter_S_layers.2.mlp.fc1.weight [16,8]"));
}
