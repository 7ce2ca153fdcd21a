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
      ("video", po::value<std::string>()->required(), "video file, or a folder of numbered images")
      ("policy", po::value<std::string>()->default_value("segment_midpoint"), "sampling policy (see below)")
      ("count", po::value<int>()->required(), "frames to pick (the cap, for --policy fps)")
      ("start", po::value<double>(), "bound start in seconds (with --end; segment_midpoint)")
      ("end", po::value<double>(), "bound end in seconds (with --start)")
      ("rate", po::value<double>()->default_value(1.0), "frames per second, for --policy fps")
      ("seed", po::value<uint64_t>()->default_value(0), "seed, for --policy random_segment")
      ("folder-fps", po::value<double>()->default_value(3.0), "frame rate of an image folder")
      ("preprocess", po::value<std::string>()->default_value("squash"),
       "native, squash, shortest_edge_center_crop or pad_to_square")
      ("size", po::value<int>()->default_value(336), "side S of the preprocessed frames")
      ("normalization", po::value<std::string>()->default_value("clip"), "clip or siglip")
      ("decode-threads", po::value<int>()->default_value(1), "decoder threads")
      ("strategy", po::value<std::string>()->default_value("auto"), "auto, sequential or seek")
      ("rgb", "with --out: write uint8 RGB frames [T,H,W,3] as 'rgb' instead of normalised floats")
      ("out", po::value<std::string>(), "write the frames to this .safetensors ('pixel_values' [T,3,S,S] float32)");
  po::variables_map vm;
  std::string policies;
  for (const auto& n : datasets::builtin_sampling_policies().names()) {
    const auto& p = datasets::builtin_sampling_policies().get(n);
    policies += "  " + n + " (" + p.source + "): " + p.rule + "\n";
  }
  if (!parse_command(args, o, {"ppbench frames --video FILE --policy P --count N [--start S --end E] [--out F]",
                               "Prints {\"indices\", \"frames_total\", \"fps\", \"policy\"} as JSON; with --out also\n"
                               "writes the decoded, preprocessed frames. Policies:\n" + policies},
                     vm))
    return 0;
  const std::string policy = vm["policy"].as<std::string>();
  if (vm.count("start") != vm.count("end")) throw std::runtime_error("frames: --start and --end go together");
  datasets::DecodeOptions d;
  d.threads = vm["decode-threads"].as<int>();
  d.strategy = datasets::decode_strategy_by_name(vm["strategy"].as<std::string>());
  d.folder_fps = vm["folder-fps"].as<double>();
  datasets::VideoReader reader(vm["video"].as<std::string>(), d);
  datasets::SamplingRequest req;
  req.frames_total = reader.info().frames_total;
  req.fps = reader.info().fps;
  req.count = vm["count"].as<int>();
  req.first_index = reader.info().first_index;
  req.rate = vm["rate"].as<double>();
  req.seed = vm["seed"].as<uint64_t>();
  if (vm.count("start")) req.bounds = datasets::TimeBounds{vm["start"].as<double>(), vm["end"].as<double>()};
  const auto indices = datasets::sample_frames(policy, req);
  nlohmann::json out{{"indices", indices}, {"frames_total", reader.info().frames_total},
                     {"fps", reader.info().fps}, {"policy", policy}};
  if (vm.count("out")) {
    const auto& norm = datasets::normalization_by_name(vm["normalization"].as<std::string>());
    const auto geometry = datasets::make_geometry(vm["preprocess"].as<std::string>(), vm["size"].as<int>(), norm);
    at::Tensor rgb = reader.read_frames(indices, geometry);
    if (vm.count("rgb"))
      model::write_safetensors(vm["out"].as<std::string>(), {{"rgb", rgb}}, at::kByte);
    else
      model::write_safetensors(vm["out"].as<std::string>(), {{"pixel_values", datasets::normalize_frames(rgb, norm)}},
                               at::kFloat);
    out["preprocess"] = vm["preprocess"].as<std::string>() + "+" + norm.name;
    out["decode"] = {{"strategy", reader.stats().strategy}, {"seeks", reader.stats().seeks},
                     {"frames_decoded", reader.stats().frames_decoded}};
  }
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace ppb::harness
