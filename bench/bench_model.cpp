// The model's stages on the CPU, for the tiny checkpoint and a mid-size one (a 256-wide 8-layer
// vision tower with a 4-step BT-Adapter, a 1024-wide 8-layer LLM of about 100M parameters):
// vision tower per frame, relevance, prefill of 1k tokens with its achieved GFLOP/s, and the
// per-token decode cost at 256, 1k and 4k tokens of context. A matrix product of the LLM's shape
// gives the machine's GFLOP/s in the same run. Two intra-op threads throughout.
//   build/ppb_bench --benchmark_filter='Model|Matmul'
#include <benchmark/benchmark.h>

#include <filesystem>
#include <map>
#include <memory>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "model/checkpoint.h"
#include "model/hf_config.h"
#include "model/llama_decoder.h"
#include "model/tiny_checkpoint.h"
#include "model/video_llm.h"

namespace fs = std::filesystem;
using namespace ppb::model;

namespace {

constexpr int kThreads = 2;

// 0: the tiny checkpoint; 1: the mid-size one. Written once per process under the temp folder.
const std::string& checkpoint_dir(int64_t size) {
  static std::map<int64_t, std::string> dirs;
  auto it = dirs.find(size);
  if (it != dirs.end()) return it->second;
  TinyCheckpointOptions o;
  if (size == 1) {
    o.vision_width = 256;
    o.vision_layers = 8;
    o.vision_heads = 8;
    o.btadapter_depth = 4;
    o.clip_text_width = 128;
    o.clip_text_layers = 4;
    o.clip_text_heads = 2;
    o.text_width = 1024;
    o.text_layers = 8;
    o.text_heads = 16;
    o.text_kv_heads = 16;
  }
  const fs::path dir = fs::temp_directory_path() / ("ppb_bench_model_" + std::to_string(size));
  if (!fs::exists(dir / "config.json")) write_tiny_checkpoint(dir.string(), o);
  return dirs[size] = dir.string();
}

VideoLlm& model(int64_t size) {
  static std::map<int64_t, std::unique_ptr<VideoLlm>> models;
  auto& m = models[size];
  if (!m) m = std::make_unique<VideoLlm>(checkpoint_dir(size));
  return *m;
}

const char* size_name(int64_t size) { return size == 0 ? "tiny" : "mid"; }

void BM_ModelVisionTower(benchmark::State& state) {
  at::set_num_threads(kThreads);
  VideoLlm& m = model(state.range(0));
  const int64_t T = 8;
  const at::Tensor pixels = at::randn({T, 3, m.input_size(), m.input_size()});
  for (auto _ : state) benchmark::DoNotOptimize(m.encode_frames(pixels));
  state.SetItemsProcessed(state.iterations() * T);  // items = frames
  state.SetLabel(std::string(size_name(state.range(0))) + ", 8 frames");
}
BENCHMARK(BM_ModelVisionTower)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_ModelRelevance(benchmark::State& state) {
  at::set_num_threads(kThreads);
  VideoLlm& m = model(state.range(0));
  const at::Tensor features = m.encode_frames(at::randn({8, 3, m.input_size(), m.input_size()}));
  for (auto _ : state) {
    const std::vector<int> ids = m.relevance_ids("Question: What colour are the moving shapes?\nOptions:\n(A) red");
    benchmark::DoNotOptimize(m.relevance(features, m.prompt_embedding(ids)));
  }
  state.SetLabel(std::string(size_name(state.range(0))) + ": CLIP tokenizer, text tower, scores over 8x24x24");
}
BENCHMARK(BM_ModelRelevance)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Floating-point operations of a causal prefill of n tokens, as ppbench computes it (the full
// n x n score matrix, the LM head on the last position only).
double prefill_flops(const TextConfig& c, int64_t n) {
  const double d = c.hidden_size, kv = c.num_key_value_heads * c.head_dim(), ml = c.intermediate_size;
  const double linear = 2.0 * n * c.num_hidden_layers * (2 * d * d + 2 * d * kv + 3 * d * ml);
  const double attention = 4.0 * n * n * d * c.num_hidden_layers;
  return linear + attention + 2.0 * d * c.vocab_size;
}

void BM_ModelPrefill(benchmark::State& state) {
  at::set_num_threads(kThreads);
  Checkpoint ckpt(checkpoint_dir(state.range(0)));
  const ModelConfig cfg = read_model_config(ckpt.dir());
  LlamaDecoder llm(ckpt, cfg.text);
  const int64_t n = state.range(1);
  const at::Tensor x = at::randn({n, cfg.text.hidden_size});
  for (auto _ : state) {
    KvCache cache = llm.new_cache(n);
    benchmark::DoNotOptimize(llm.forward(x, cache));
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(prefill_flops(cfg.text, n) * state.iterations() / 1e9, benchmark::Counter::kIsRate);
  state.SetLabel(std::string(size_name(state.range(0))) + ", " + std::to_string(n) + " tokens");
}
BENCHMARK(BM_ModelPrefill)->Args({0, 1024})->Args({1, 1024})->Unit(benchmark::kMillisecond);

// One new token at a fixed context: the slot is overwritten each time so the context stays put.
void BM_ModelDecodeToken(benchmark::State& state) {
  at::set_num_threads(kThreads);
  Checkpoint ckpt(checkpoint_dir(1));
  const ModelConfig cfg = read_model_config(ckpt.dir());
  LlamaDecoder llm(ckpt, cfg.text);
  const int64_t context = state.range(0);
  KvCache cache = llm.new_cache(context + 1);
  llm.forward(at::randn({context, cfg.text.hidden_size}), cache);
  const at::Tensor token = at::randn({1, cfg.text.hidden_size});
  for (auto _ : state) {
    cache.length = context;
    benchmark::DoNotOptimize(llm.forward(token, cache));
  }
  state.SetLabel("mid, after " + std::to_string(context) + " tokens");
}
BENCHMARK(BM_ModelDecodeToken)->Arg(256)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond);

// The machine's matrix-product rate for the mid LLM's MLP shape (1024 tokens x 1024 -> 2736).
void BM_MatmulReference(benchmark::State& state) {
  at::set_num_threads(kThreads);
  const at::Tensor a = at::randn({1024, 1024}), w = at::randn({2736, 1024});
  for (auto _ : state) benchmark::DoNotOptimize(at::linear(a, w));
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * 1024 * 1024 * 2736 * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MatmulReference)->Unit(benchmark::kMillisecond);

}  // namespace
