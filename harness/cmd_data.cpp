// ppbench synth / ppbench frames / ppbench data check: data tools.
#include <algorithm>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "datasets/frame_loader.h"
#include "datasets/frame_preprocess.h"
#include "datasets/frame_sampling.h"
#include "datasets/dataset_catalog.h"
#include "datasets/synthetic_benchmark.h"
#include "datasets/synthetic_layouts.h"
#include "datasets/video_probe.h"
#include "datasets/video_reader.h"
#include "harness/cli_options.h"
#include "harness/commands.h"
#include "model/safetensors.h"
#include "tasks/task_registry.h"

namespace ppb::harness {

int cmd_synth(const Args& args, const Args&) {
  po::options_description o("synth options");
  o.add_options()
      ("out", po::value<std::string>()->required(), "output folder")
      ("seed", po::value<uint64_t>()->default_value(0), "seed of every random choice")
      ("videos", po::value<int>()->default_value(6), "number of videos")
      ("frames", po::value<int>()->default_value(72), "frames per video (24 fps)")
      ("layouts", po::value<std::string>()->default_value("synth_mcq"),
       "datasets to write: synth_mcq, all, or catalog names separated by commas")
      ("catalog", po::value<std::string>(), "dataset catalog giving each layout's paths [datasets/catalog.json]");
  po::variables_map vm;
  if (!parse_command(args, o, {"ppbench synth --out DIR [--seed S] [--layouts all|NAME,NAME]",
                               "Writes DIR/videos/synth_NNN.mp4 (MPEG-4, coloured shapes moving over grey) and\n"
                               "DIR/json/{color,count,direction}.json in MVBench's layout ({video, question,\n"
                               "candidates, answer}): the synth_mcq dataset. --layouts also writes a small\n"
                               "instance (2-4 items, real videos, subtitles where the layout has them) of other\n"
                               "catalog datasets in their upstream layouts at the catalog's paths under DIR, so\n"
                               "that `ppbench data check --task NAME --data-root DIR` reads them. The same seed\n"
                               "gives the same bytes."},
                     vm))
    return 0;
  const std::string out = vm["out"].as<std::string>();
  const std::string catalog = vm.count("catalog") ? vm["catalog"].as<std::string>() : datasets::default_catalog_path();
  std::vector<std::string> layouts = split_list(vm["layouts"].as<std::string>());
  if (layouts == std::vector<std::string>{"all"}) {
    layouts = datasets::synthetic_layout_names(catalog);
    layouts.insert(layouts.begin(), "synth_mcq");
  }
  std::vector<std::string> others;
  for (const auto& name : layouts)
    if (name != "synth_mcq") others.push_back(name);
  if (!others.empty()) {  // first: it rejects an unknown name before anything is written
    datasets::SyntheticLayoutOptions lo;
    lo.seed = vm["seed"].as<uint64_t>();
    lo.catalog_path = catalog;
    for (const auto& [name, items] : datasets::write_synthetic_layouts(out, others, lo))
      std::cout << "wrote " << name << ": " << items << " items in its upstream layout\n";
  }
  if (others.size() < layouts.size()) {
    datasets::SyntheticOptions so;
    so.seed = vm["seed"].as<uint64_t>();
    so.videos = vm["videos"].as<int>();
    so.frames = vm["frames"].as<int>();
    auto truths = datasets::write_synthetic_benchmark(out, so);
    std::cout << "wrote " << truths.size() << " videos and " << 3 * truths.size() << " questions to " << out << "\n";
  }
  return 0;
}

namespace {

// A name on --task: a catalog dataset, or a task whose spec names one.
std::string dataset_of(const std::string& name, const std::map<std::string, datasets::DatasetEntry>& catalog,
                       const std::string& catalog_path, const std::string& tasks_dir) {
  if (catalog.count(name)) return name;
  tasks::TaskRegistry reg;
  tasks::register_builtin_tasks(reg, tasks_dir);
  const auto task_names = reg.names();
  if (std::find(task_names.begin(), task_names.end(), name) != task_names.end()) return reg.get(name).spec.dataset;
  std::string known;
  for (const auto& [n, e] : catalog) known += (known.empty() ? "" : ", ") + n;
  for (const auto& n : task_names) known += ", task " + n;
  throw std::runtime_error("data check: '" + name + "' is neither a dataset of " + catalog_path +
                           " nor a task (known: " + known + ")");
}

}  // namespace

int cmd_data(const Args& args, const Args&) {
  const char* usage = "ppbench data check --task T[,T2] --data-root DIR [--threads N] [--strict]";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << "usage: " << usage << "\n\n  check  list the samples whose videos are missing, empty or unreadable\n";
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "check") throw std::runtime_error("data: unknown tool '" + args[0] + "' (known: check)");
  po::options_description o("data check options");
  o.add_options()
      ("task", po::value<std::string>()->required(), "datasets of the catalog, or tasks (their dataset), with commas")
      ("data-root", po::value<std::string>()->required(), "folder the catalog's paths are relative to")
      ("threads", po::value<int>()->default_value(0), "videos probed at once (0: one per hardware thread)")
      ("strict", "exit with 1 when any video is unusable")
      ("catalog", po::value<std::string>(), "dataset catalog [datasets/catalog.json, or $PPBENCH_CATALOG]")
      ("tasks-dir", po::value<std::string>(), "folder of task specs [built-in]");
  po::variables_map vm;
  if (!parse_command(Args(args.begin() + 1, args.end()), o,
                     {usage,
                      "Reads each dataset's annotations with its upstream-layout reader (an annotation error\n"
                      "stops the check, naming the file, item and key), then probes every video: it must\n"
                      "exist, not be empty, open with FFmpeg and yield a first picture from its video stream\n"
                      "(a frame folder: hold images). Only the first picture is decoded. Prints one line per\n"
                      "unusable sample, \"T: SAMPLE_ID: missing|empty|unreadable: PATH (cause)\", then\n"
                      "\"T: N usable / M total\" per dataset. Writes nothing. Exit code 0, or 1 with --strict\n"
                      "when a video is unusable."},
                     vm))
    return 0;
  const std::string catalog_path =
      vm.count("catalog") ? vm["catalog"].as<std::string>() : datasets::default_catalog_path();
  const std::string tasks_dir = vm.count("tasks-dir") ? vm["tasks-dir"].as<std::string>() : tasks::default_tasks_dir();
  const std::string root = vm["data-root"].as<std::string>();
  const auto catalog = datasets::read_catalog(catalog_path);
  bool any_unusable = false;
  for (const auto& name : split_list(vm["task"].as<std::string>())) {
    const std::string dataset = dataset_of(name, catalog, catalog_path, tasks_dir);
    const auto samples = datasets::load_dataset(dataset, root, catalog_path);
    std::vector<std::string> paths;  // each video once, however many questions ask about it
    std::map<std::string, size_t> slot;
    for (const auto& s : samples)
      if (slot.emplace(s.video, paths.size()).second) paths.push_back(s.video);
    const auto probes = datasets::probe_videos(paths, vm["threads"].as<int>());
    size_t usable = 0;
    for (const auto& s : samples) {
      const auto& p = probes[slot[s.video]];
      if (p.problem == datasets::VideoProblem::none) {
        ++usable;
        continue;
      }
      std::cout << name << ": " << s.id << ": " << datasets::video_problem_name(p.problem) << ": " << s.video << " ("
                << p.cause << ")\n";
    }
    std::cout << name << ": " << usable << " usable / " << samples.size() << " total\n";
    any_unusable = any_unusable || usable < samples.size();
  }
  return vm.count("strict") && any_unusable ? 1 : 0;
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
    out["preprocess"] = datasets::geometry_name(geometry) + "+" + norm.name;
    out["decode"] = {{"strategy", reader.stats().strategy}, {"seeks", reader.stats().seeks},
                     {"frames_decoded", reader.stats().frames_decoded}};
  }
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace ppb::harness
