// The relevance head: 0-d logit_scale through safetensors and Checkpoint, scores against a loop
// computation of softmax(exp(logit_scale) * cos) over every position, float32 for bf16 input,
// and the load and input errors.
#include "tests/catch_aten.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "model/checkpoint.h"
#include "model/hf_config.h"
#include "model/relevance.h"
#include "model/safetensors.h"
#include "tests/test_support.h"

using namespace ppb::model;
using ppb::test::TempDir;

namespace {

using Weights = std::map<std::string, at::Tensor>;
const std::string kPre = "multi_modal_projector.";

ModelConfig tiny_config() {
  ModelConfig cfg;
  cfg.vision.hidden_size = 12;
  cfg.vision.layer_norm_eps = 1e-5;
  cfg.clip_text.projection_dim = 8;
  return cfg;
}

Weights tiny_weights(uint64_t seed, double logit_scale) {
  at::manual_seed(seed);
  Weights w;
  w[kPre + "clip_visual_ln.weight"] = 1.0 + 0.2 * at::randn({12});
  w[kPre + "clip_visual_ln.bias"] = 0.2 * at::randn({12});
  w[kPre + "clip_visual_projection.weight"] = at::randn({8, 12});
  w[kPre + "logit_scale"] = at::scalar_tensor(logit_scale, at::kFloat);  // 0-d, as in CLIP
  return w;
}

// Scores by plain loops in double: LayerNorm, projection, cosine, scale, softmax over all positions.
std::vector<double> loop_scores(const Weights& w, const at::Tensor& features, const at::Tensor& text, double eps) {
  const at::Tensor f = features.to(at::kDouble).contiguous();
  const int64_t T = f.size(0), h = f.size(1), wd = f.size(2), D = f.size(3);
  const int64_t N = T * h * wd;
  const auto g = w.at(kPre + "clip_visual_ln.weight").to(at::kDouble), b = w.at(kPre + "clip_visual_ln.bias").to(at::kDouble);
  const auto P = w.at(kPre + "clip_visual_projection.weight").to(at::kDouble);
  const double scale = std::exp(w.at(kPre + "logit_scale").item<double>());
  const auto c = text.to(at::kDouble);
  double cn = 0;
  for (int64_t p = 0; p < P.size(0); ++p) cn += c[p].item<double>() * c[p].item<double>();
  cn = std::sqrt(cn);
  const double* fd = f.data_ptr<double>();
  std::vector<double> logits(static_cast<size_t>(N));
  for (int64_t n = 0; n < N; ++n) {
    const double* x = fd + n * D;
    double mean = 0, var = 0;
    for (int64_t d = 0; d < D; ++d) mean += x[d] / D;
    for (int64_t d = 0; d < D; ++d) var += (x[d] - mean) * (x[d] - mean) / D;
    std::vector<double> ln(static_cast<size_t>(D));
    for (int64_t d = 0; d < D; ++d)
      ln[d] = (x[d] - mean) / std::sqrt(var + eps) * g[d].item<double>() + b[d].item<double>();
    double dot = 0, yn = 0;
    for (int64_t p = 0; p < P.size(0); ++p) {
      double y = 0;
      for (int64_t d = 0; d < D; ++d) y += P[p][d].item<double>() * ln[d];
      dot += y * c[p].item<double>();
      yn += y * y;
    }
    logits[n] = scale * dot / (std::sqrt(yn) * cn);
  }
  double mx = logits[0], sum = 0;
  for (double l : logits) mx = std::max(mx, l);
  for (double& l : logits) sum += (l = std::exp(l - mx));
  for (double& l : logits) l /= sum;
  return logits;
}

}  // namespace

TEST_CASE("a 0-d tensor round-trips through safetensors and Checkpoint", "[relevance]") {
  TempDir dir("relevance");
  write_safetensors(dir / "model.safetensors", {{"s", at::scalar_tensor(2.5)}}, at::kFloat);
  SafetensorsFile f(dir / "model.safetensors");
  CHECK(f.header_text().find("\"shape\":[]") != std::string::npos);
  CHECK(f.tensors().at("s").shape.empty());
  CHECK(f.tensors().at("s").end - f.tensors().at("s").begin == 4);
  Checkpoint ckpt(dir.path());
  const at::Tensor s = ckpt.get("s", {});
  CHECK(s.dim() == 0);
  CHECK(s.item<double>() == 2.5);
  CHECK_THROWS_WITH(ckpt.get("s", {1}), Catch::Contains("has shape [], expected [1]"));
  // A missing scalar is listed with its empty shape.
  ckpt.get("nowhere", {});
  CHECK_THROWS_WITH(ckpt.check_complete(), Catch::Contains("nowhere []"));
}

TEST_CASE("relevance is softmax(exp(logit_scale) * cos) over all positions", "[relevance]") {
  TempDir dir("relevance");
  const ModelConfig cfg = tiny_config();
  const Weights w = tiny_weights(1, std::log(100.0));
  write_safetensors(dir / "model.safetensors", w, at::kFloat);
  Checkpoint ckpt(dir.path());
  const RelevanceHead head(ckpt, cfg);
  ckpt.check_complete();
  CHECK(ckpt.unused().empty());
  CHECK(head.scale() == Approx(100.0).epsilon(1e-6));

  const at::Tensor features = at::randn({3, 2, 4, 12}) * 0.5;
  const at::Tensor text = at::randn({8}) * 3.0;  // not unit length: the head normalises it
  const at::Tensor s = head.scores(features, text);
  REQUIRE(s.sizes() == at::IntArrayRef({3, 2, 4}));
  CHECK(s.scalar_type() == at::kFloat);
  CHECK(s.sum().item<double>() == Approx(1.0).epsilon(1e-5));
  const std::vector<double> want = loop_scores(w, features, text, cfg.vision.layer_norm_eps);
  double worst = 0;
  for (int64_t t = 0, n = 0; t < 3; ++t)
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t q = 0; q < 4; ++q, ++n) {
        const double got = s[t][r][q].item<double>(), ref = want[static_cast<size_t>(n)];
        worst = std::max(worst, std::abs(got - ref) / (ref + 1e-12));
      }
  CHECK(worst < 1e-4);
  // The scale matters: at logit_scale 0 (scale 1) the map is much flatter.
  const Weights flat = tiny_weights(1, 0.0);
  write_safetensors(dir / "model.safetensors", flat, at::kFloat);
  Checkpoint ckpt1(dir.path());
  const RelevanceHead head1(ckpt1, cfg);
  const at::Tensor s1 = head1.scores(features, text);
  CHECK(s1.max().item<double>() < s.max().item<double>());
  const std::vector<double> want1 = loop_scores(flat, features, text, cfg.vision.layer_norm_eps);
  for (int64_t n = 0; n < 24; ++n)
    CHECK(s1.view({-1})[n].item<double>() == Approx(want1[static_cast<size_t>(n)]).epsilon(1e-5));
}

TEST_CASE("bf16 features give float32 scores", "[relevance]") {
  TempDir dir("relevance");
  const ModelConfig cfg = tiny_config();
  write_safetensors(dir / "model.safetensors", tiny_weights(2, std::log(100.0)), at::kBFloat16);
  Checkpoint ckpt(dir.path());
  const RelevanceHead head(ckpt, cfg);
  const at::Tensor features = at::randn({2, 3, 3, 12}).to(at::kBFloat16);
  const at::Tensor text = at::randn({8}).to(at::kBFloat16);
  const at::Tensor s = head.scores(features, text);
  CHECK(s.scalar_type() == at::kFloat);
  CHECK(s.sum().item<double>() == Approx(1.0).epsilon(1e-5));
  CHECK(at::equal(s, head.scores(features.to(at::kFloat), text.to(at::kFloat))));

  // A bfloat16 run leaves the head's weights and arithmetic in float32.
  write_safetensors(dir / "model.safetensors", tiny_weights(2, std::log(100.0)), at::kFloat);
  Checkpoint full(dir.path()), half(dir.path());
  half.set_target(at::kBFloat16, at::kCPU);
  const RelevanceHead a(full, cfg), b(half, cfg);
  const at::Tensor sb = b.scores(features, text);
  CHECK(sb.scalar_type() == at::kFloat);
  CHECK(at::equal(sb, a.scores(features, text)));
}

TEST_CASE("relevance-head load and input errors name what failed", "[relevance]") {
  TempDir dir("relevance");
  const ModelConfig cfg = tiny_config();
  Weights w = tiny_weights(3, 1.0);
  w.erase(kPre + "logit_scale");
  w.erase(kPre + "clip_visual_projection.weight");
  write_safetensors(dir / "model.safetensors", w, at::kFloat);
  {
    Checkpoint ckpt(dir.path());
    const RelevanceHead head(ckpt, cfg);
    CHECK_THROWS_WITH(ckpt.check_complete(), Catch::Contains("lacks 2 tensor(s)") &&
                                                 Catch::Contains(kPre + "logit_scale []") &&
                                                 Catch::Contains(kPre + "clip_visual_projection.weight [8,12]"));
  }
  Weights bad = tiny_weights(3, 1.0);
  bad[kPre + "logit_scale"] = at::ones({1});  // a 1-element vector is not the scalar parameter
  write_safetensors(dir / "model.safetensors", bad, at::kFloat);
  {
    Checkpoint ckpt(dir.path());
    CHECK_THROWS_WITH(RelevanceHead(ckpt, cfg), Catch::Contains("'" + kPre + "logit_scale'") &&
                                                    Catch::Contains("has shape [1], expected []"));
  }
  bad = tiny_weights(3, 1.0);
  bad[kPre + "clip_visual_ln.weight"] = at::ones({10});
  write_safetensors(dir / "model.safetensors", bad, at::kFloat);
  {
    Checkpoint ckpt(dir.path());
    CHECK_THROWS_WITH(RelevanceHead(ckpt, cfg), Catch::Contains("clip_visual_ln.weight") &&
                                                    Catch::Contains("expected [12]"));
  }
  write_safetensors(dir / "model.safetensors", tiny_weights(3, 1.0), at::kFloat);
  Checkpoint ckpt(dir.path());
  const RelevanceHead head(ckpt, cfg);
  CHECK_THROWS_WITH(head.scores(at::zeros({2, 3, 3, 10}), at::ones({8})),
                    Catch::Contains("features must be [T, h, w, 12], got [2,3,3,10]"));
  CHECK_THROWS_WITH(head.scores(at::zeros({9, 12}), at::ones({8})), Catch::Contains("got [9,12]"));
  CHECK_THROWS_WITH(head.scores(at::zeros({1, 3, 3, 12}), at::ones({7})),
                    Catch::Contains("prompt embedding must be [8], got [7]"));
}
