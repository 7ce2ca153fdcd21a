// Times ppbench's frame fetching for bench/decode_anchors.py, which times PyAV and OpenCV on the
// same frames in the same run. One measurement = open the video (index it), pick the indices
// with the policy, decode them to RGB at native size into a preallocated tensor: everything a
// sample costs, minus process start-up (the Python anchors' start-up is excluded likewise).
//
//   ppb_decode_timer VIDEO POLICY COUNT THREADS REPEATS [DUMP|-] [auto|sequential|seek]
//
// Prints one JSON line: {"indices": [...], "ms": [...], "strategy", "seeks", "frames_decoded"};
// with DUMP, also writes the frames of the last repeat there as raw uint8 [T, H, W, 3]. The last
// argument forces a decoding strategy (default auto), for studying the cost model.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "datasets/frame_sampling.h"
#include "datasets/video_reader.h"

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: ppb_decode_timer VIDEO POLICY COUNT THREADS REPEATS [DUMP|-] [auto|sequential|seek]\n";
    return 2;
  }
  try {
    const std::string video = argv[1], policy = argv[2];
    const int count = std::stoi(argv[3]), threads = std::stoi(argv[4]), repeats = std::stoi(argv[5]);
    ppb::datasets::FrameGeometry native;
    native.mode = ppb::datasets::ResizeMode::native;
    nlohmann::json out{{"ms", nlohmann::json::array()}};
    at::Tensor frames;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      ppb::datasets::DecodeOptions d;
      d.threads = threads;
      if (argc > 7) d.strategy = ppb::datasets::decode_strategy_by_name(argv[7]);
      ppb::datasets::VideoReader reader(video, d);
      ppb::datasets::SamplingRequest req;
      req.frames_total = reader.info().frames_total;
      req.fps = reader.info().fps;
      req.count = count;
      req.rate = 1.0;
      req.seed = 1;
      const auto idx = ppb::datasets::sample_frames(policy, req);
      frames = reader.read_frames(idx, native);
      out["ms"].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      out["indices"] = idx;
      out["strategy"] = reader.stats().strategy;
      out["seeks"] = reader.stats().seeks;
      out["frames_decoded"] = reader.stats().frames_decoded;
      out["shape"] = frames.sizes().vec();
    }
    if (argc > 6 && std::string(argv[6]) != "-") {
      std::ofstream f(argv[6], std::ios::binary);
      f.write(reinterpret_cast<const char*>(frames.data_ptr<uint8_t>()), static_cast<std::streamsize>(frames.numel()));
    }
    std::cout << out.dump() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ppb_decode_timer: error: " << e.what() << "\n";
    return 1;
  }
}
