// Micro-benchmarks of ppbench's hot paths: token reduction, frame decoding, checkpoint loading.
// Run: build/ppb_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <filesystem>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "datasets/frame_preprocess.h"
#include "datasets/frame_sampling.h"
#include "datasets/synthetic_benchmark.h"
#include "datasets/video_reader.h"
#include "model/safetensors.h"
#include "model/token_reducers.h"

namespace fs = std::filesystem;

namespace {

// A scratch folder with one synthetic video, made once per process.
const std::string& bench_video() {
  static const std::string path = [] {
    const fs::path dir = fs::temp_directory_path() / "ppb_bench_data";
    ppb::datasets::SyntheticOptions o;
    o.videos = 1;
    o.frames = 240;  // 10 s at 24 fps
    ppb::datasets::write_synthetic_benchmark(dir.string(), o);
    return (dir / "videos" / "synth_000.mp4").string();
  }();
  return path;
}

// avgpool3d over the released geometry: 32 frames x 24 x 24 projected tokens, width from the argument.
void BM_avgpool3d(benchmark::State& state) {
  at::set_num_threads(1);
  at::Tensor x = at::randn({32, 24, 24, state.range(0)});
  const auto& r = ppb::model::builtin_reducers().get("avgpool3d");
  for (auto _ : state) benchmark::DoNotOptimize(r.reduce(x, r.default_params, {}));
  state.SetBytesProcessed(state.iterations() * x.numel() * 4);
}
BENCHMARK(BM_avgpool3d)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond);

// The anchor: the same pooling as the Python references write it, avg_pool3d over [1, D, T, h, w].
void BM_avgpool3d_aten_anchor(benchmark::State& state) {
  at::set_num_threads(1);
  at::Tensor x = at::randn({32, 24, 24, state.range(0)});
  for (auto _ : state) {
    at::Tensor y = at::avg_pool3d(x.permute({3, 0, 1, 2}).unsqueeze(0), {2, 3, 3}, {2, 3, 3});
    benchmark::DoNotOptimize(y.squeeze(0).permute({1, 2, 3, 0}).reshape({-1, x.size(3)}));
  }
  state.SetBytesProcessed(state.iterations() * x.numel() * 4);
}
BENCHMARK(BM_avgpool3d_aten_anchor)->Arg(1024)->Arg(4096)->Unit(benchmark::kMillisecond);

// segment_midpoint for 32 frames.
void BM_segment_midpoint(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ppb::datasets::segment_midpoint(18000, 32, 30.0));
}
BENCHMARK(BM_segment_midpoint);

// Decoding N evenly spaced frames of a 240-frame 320x240 MPEG-4 video, resized to 336x336 RGB.
void BM_decode_frames(benchmark::State& state) {
  const std::string& video = bench_video();
  for (auto _ : state) {
    ppb::datasets::VideoReader reader(video);
    auto idx = ppb::datasets::segment_midpoint(reader.info().frames_total, static_cast<int>(state.range(0)),
                                               reader.info().fps);
    benchmark::DoNotOptimize(reader.read_frames(idx, 336));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_decode_frames)->Arg(8)->Arg(32)->Unit(benchmark::kMillisecond);

// CLIP normalisation of 32 frames of 336x336.
void BM_normalize_frames(benchmark::State& state) {
  at::set_num_threads(1);
  at::Tensor rgb = at::randint(0, 255, {32, 336, 336, 3}, at::kByte);
  for (auto _ : state)
    benchmark::DoNotOptimize(ppb::datasets::normalize_frames(rgb, ppb::datasets::clip_normalization()));
}
BENCHMARK(BM_normalize_frames)->Unit(benchmark::kMillisecond);

// The anchor: the tensor-op formulation (permute, convert, subtract, divide).
void BM_normalize_frames_tensor_ops_anchor(benchmark::State& state) {
  at::set_num_threads(1);
  at::Tensor rgb = at::randint(0, 255, {32, 336, 336, 3}, at::kByte);
  const auto& n = ppb::datasets::clip_normalization();
  at::Tensor mean = at::tensor({n.mean[0], n.mean[1], n.mean[2]}).to(at::kFloat).view({1, 3, 1, 1});
  at::Tensor std = at::tensor({n.std[0], n.std[1], n.std[2]}).to(at::kFloat).view({1, 3, 1, 1});
  for (auto _ : state)
    benchmark::DoNotOptimize(rgb.permute({0, 3, 1, 2}).to(at::kFloat).div_(255.0).sub_(mean).div_(std).contiguous());
}
BENCHMARK(BM_normalize_frames_tensor_ops_anchor)->Unit(benchmark::kMillisecond);

// Loading a 64 MiB BF16 tensor from safetensors into float32.
void BM_safetensors_load_bf16(benchmark::State& state) {
  const fs::path path = fs::temp_directory_path() / "ppb_bench_weights.safetensors";
  if (!fs::exists(path)) ppb::model::write_safetensors(path.string(), {{"w", at::randn({4096, 8192})}}, at::kBFloat16);
  for (auto _ : state) {
    ppb::model::SafetensorsFile f(path.string());
    benchmark::DoNotOptimize(f.load("w"));
  }
  state.SetBytesProcessed(state.iterations() * 4096LL * 8192 * 2);
}
BENCHMARK(BM_safetensors_load_bf16)->Unit(benchmark::kMillisecond);

}  // namespace
