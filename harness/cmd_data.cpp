// ppbench synth / ppbench frames: data tools.
#include <iostream>

#include <nlohmann/json.hpp>

#include "datasets/frame_preprocess.h"
#include "datasets/frame_sampling.h"
#include "datasets/synthetic_benchmark.h"
#include "datasets/video_reader.h"
#include "harness/cli_options.h"
#include "harness/commands.h"
#include "model/safetensors.h"

namespace ppb::harness {

int cmd_synth(const Args& args, const Args&) {
  po::options_description o("synth options");
  o.add_options()
      ("out", po::value<std::string>()->required(), "output folder")
      ("seed", po::value<uint64_t>()->default_value(0), "seed of every random choice")
      ("videos", po::value<int>()->default_value(6), "number of videos")
      ("frames", po::value<int>()->default_value(72), "frames per video (24 fps)");
  po::variables_map vm;
  if (!parse_command(args, o, {"ppbench synth --out DIR [--seed S]",
                               "Writes DIR/videos/synth_NNN.mp4 (MPEG-4, coloured shapes moving over grey) and\n"
                               "DIR/json/{color,count,direction}.json in MVBench's layout ({video, question,\n"
                               "candidates, answer}). The same seed gives the same bytes."},
                     vm))
    return 0;
  datasets::SyntheticOptions so;
  so.seed = vm["seed"].as<uint64_t>();
  so.videos = vm["videos"].as<int>();
  so.frames = vm["frames"].as<int>();
  auto truths = datasets::write_synthetic_benchmark(vm["out"].as<std::string>(), so);
  std::cout << "wrote " << truths.size() << " videos and " << 3 * truths.size() << " questions to "
            << vm["out"].as<std::string>() << "\n";
  return 0;
}

int cmd_frames(const Args& args, const Args&) {
  po::options_description o("frames options");
  o.add_options()
      ("video", po::value<std::string>()->required(), "video file")
      ("policy", po::value<std::string>()->default_value("segment_midpoint"), "sampling policy: segment_midpoint")
      ("count", po::value<int>()->required(), "frames to pick")
      ("start", po::value<double>(), "bound start in seconds (with --end)")
      ("end", po::value<double>(), "bound end in seconds (with --start)")
      ("size", po::value<int>()->default_value(336), "side of the preprocessed frames for --out")
      ("out", po::value<std::string>(), "write the CLIP-normalised frames [T,3,S,S] as 'pixel_values' to this .safetensors");
  po::variables_map vm;
  if (!parse_command(args, o, {"ppbench frames --video FILE --policy P --count N [--start S --end E] [--out F]",
                               "Prints {\"indices\", \"frames_total\", \"fps\", \"policy\"} as JSON; with --out also\n"
                               "writes the preprocessed frames (squashed bicubic, CLIP-normalised)."},
                     vm))
    return 0;
  const std::string policy = vm["policy"].as<std::string>();
  if (policy != "segment_midpoint")
    throw std::runtime_error("frames: unknown policy '" + policy + "' (known: segment_midpoint)");
  if (vm.count("start") != vm.count("end")) throw std::runtime_error("frames: --start and --end go together");
  datasets::VideoReader reader(vm["video"].as<std::string>());
  std::optional<datasets::TimeBounds> bounds;
  if (vm.count("start")) bounds = datasets::TimeBounds{vm["start"].as<double>(), vm["end"].as<double>()};
  const auto indices =
      datasets::segment_midpoint(reader.info().frames_total, vm["count"].as<int>(), reader.info().fps, bounds);
  if (vm.count("out")) {
    at::Tensor px = datasets::normalize_frames(reader.read_frames(indices, vm["size"].as<int>()),
                                               datasets::clip_normalization());
    model::write_safetensors(vm["out"].as<std::string>(), {{"pixel_values", px}}, at::kFloat);
  }
  std::cout << nlohmann::json{{"indices", indices}, {"frames_total", reader.info().frames_total},
                              {"fps", reader.info().fps}, {"policy", policy}}.dump()
            << "\n";
  return 0;
}

}  // namespace ppb::harness
