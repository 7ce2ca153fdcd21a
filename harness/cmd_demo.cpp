// ppbench demo: the main job on the built-in default, end to end in a couple of minutes.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "datasets/synthetic_benchmark.h"
#include "harness/cli_options.h"
#include "harness/commands.h"
#include "model/tiny_checkpoint.h"

namespace fs = std::filesystem;

namespace ppb::harness {

int cmd_demo(const Args& args, const Args& argv) {
  po::options_description o("demo options");
  o.add_options()
      ("out", po::value<std::string>()->default_value("ppbench-demo"), "folder for data, model and run")
      ("seed", po::value<uint64_t>()->default_value(0), "seed of the synthetic data and the tiny model")
      ("videos", po::value<int>()->default_value(6), "synthetic videos (each asks three questions)")
      ("frames", po::value<int>()->default_value(8), "frames per video")
      ("budget", po::value<int64_t>()->default_value(576), "visual-token budget every method is solved for")
      ("threads", po::value<int>()->default_value(0), "LibTorch threads; 0 = all cores");
  po::variables_map vm;
  if (!parse_command(args, o, {"ppbench demo [--out DIR]",
                               "Writes a synthetic benchmark to DIR/data, a tiny checkpoint in the release layout\n"
                               "to DIR/model, runs the synth_mcq task with PPLLaVA's prompt-guided pooling and\n"
                               "its baselines (avgpool3d, pllava, slowfast, pool2d, full), each solved for the one\n"
                               "budget, into DIR/run (config.json, context.json, samples.jsonl, report.json,\n"
                               "report.md) and prints the Markdown report. The tiny model is random, so its\n"
                               "accuracy is chance level: the demo shows the pipeline, token counts and latency,\n"
                               "not a score."},
                     vm))
    return 0;
  const fs::path out = vm["out"].as<std::string>();
  const uint64_t seed = vm["seed"].as<uint64_t>();

  std::cerr << "ppbench demo: synthesising videos into " << (out / "data").string() << "\n";
  datasets::SyntheticOptions so;
  so.seed = seed;
  so.videos = vm["videos"].as<int>();
  datasets::write_synthetic_benchmark((out / "data").string(), so);

  std::cerr << "ppbench demo: writing a tiny checkpoint into " << (out / "model").string() << "\n";
  model::TinyCheckpointOptions mo;
  mo.seed = seed;
  model::write_tiny_checkpoint((out / "model").string(), mo);

  const fs::path run = out / "run";
  if (fs::exists(run / "config.json")) fs::remove_all(run);  // a demo always starts a fresh run
  RunConfig cfg;
  cfg.tasks = {"synth_mcq"};
  cfg.methods = {"ppllava", "avgpool3d", "pllava", "slowfast", "pool2d", "full"};
  cfg.budget = vm["budget"].as<int64_t>();
  cfg.frames = vm["frames"].as<int>();
  cfg.model = (out / "model").string();
  cfg.data_root = (out / "data").string();
  cfg.out = run.string();
  cfg.threads = vm["threads"].as<int>();
  cfg.seed = seed;
  run_and_report(cfg, argv);

  std::ifstream md(run / "report.md");
  std::stringstream ss;
  ss << md.rdbuf();
  std::cout << ss.str() << "\nFiles: " << (run / "report.json").string() << ", " << (run / "report.md").string()
            << ", " << (run / "samples.jsonl").string() << "\n";
  return 0;
}

}  // namespace ppb::harness
