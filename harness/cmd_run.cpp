// ppbench run / ppbench report.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/json_file.h"
#include "datasets/frame_preprocess.h"
#include "harness/choice_judge.h"
#include "harness/cli_options.h"
#include "harness/commands.h"
#include "harness/evaluation_runner.h"
#include "reports/run_report.h"

namespace fs = std::filesystem;

namespace ppb::harness {

namespace {

void add_run_options(po::options_description& o) {
  o.add_options()
      ("tasks", po::value<std::string>(), "comma-separated task names (ppbench list tasks) [synth_mcq]")
      ("methods", po::value<std::string>(), "comma-separated token reducers (ppbench list methods) [full,avgpool3d]")
      ("budget", po::value<int64_t>(), "visual-token budget B recorded with every variant [1024]")
      ("frames", po::value<int>(), "frames per video; 0 = each task's default [0]")
      ("model", po::value<std::string>(), "checkpoint folder, or 'tiny' to make one in RUN/tiny_model [tiny]")
      ("data-root", po::value<std::string>(), "folder with the tasks' annotations and videos (required)")
      ("out", po::value<std::string>(), "run folder; an existing one is resumed (required)")
      ("limit", po::value<int64_t>(), "samples per task at most; 0 = all [0]")
      ("device", po::value<std::string>(), "cpu, or cuda with a CUDA build of LibTorch [cpu]")
      ("dtype", po::value<std::string>(), "float32, bfloat16 or float16 [float32 on cpu, bfloat16 on cuda]")
      ("clip-tokenizer", po::value<std::string>(), "relevance encoder's CLIP tokenizer folder [MODEL/clip_tokenizer]")
      ("threads", po::value<int>(), "LibTorch threads; 0 = all cores [0]")
      ("decode-threads", po::value<int>(), "FFmpeg decoder threads per video [1]")
      ("prefetch", po::value<int>(), "samples decoded ahead of the model on other threads; 0 = none [2]")
      ("frame-cache", po::value<std::string>(),
       "decoded-frame cache folder, or 'none' [$PPBENCH_CACHE_DIR/frames, else ~/.cache/ppbench/frames]")
      ("frame-cache-max-gb", po::value<double>(), "frame cache size cap in GiB; least recently used go first [20]")
      ("preprocess", po::value<std::string>(), "frame geometry: squash, shortest_edge_center_crop, pad_to_square [squash]")
      ("max-new-tokens", po::value<int>(), "generation limit; 0 = each task's default [0]")
      ("seed", po::value<uint64_t>(), "seed for every random choice (tiny model weights) [0]")
      ("tasks-dir", po::value<std::string>(), "folder of task specs and prompt templates [built-in]")
      ("protocol", po::value<std::string>(), "protocol every task runs under (ppbench list protocols) [each task's default]")
      ("prompts-dir", po::value<std::string>(), "folder whose templates replace the built-in ones of the same path []");
  add_choice_judge_flags(o, false);
  o.add_options()
      ("config", po::value<std::string>(), "JSON file with any of the keys above (underscores for dashes); flags win");
}

RunConfig resolve_config(const po::variables_map& vm) {
  RunConfig c;
  if (vm.count("config")) {
    const std::string path = vm["config"].as<std::string>();
    apply_json(c, read_json_file(path, "config file"), path);
  }
  if (vm.count("tasks")) c.tasks = split_list(vm["tasks"].as<std::string>());
  if (vm.count("methods")) c.methods = split_list(vm["methods"].as<std::string>());
  if (vm.count("budget")) c.budget = vm["budget"].as<int64_t>();
  if (vm.count("frames")) c.frames = vm["frames"].as<int>();
  if (vm.count("model")) c.model = vm["model"].as<std::string>();
  if (vm.count("data-root")) c.data_root = vm["data-root"].as<std::string>();
  if (vm.count("out")) c.out = vm["out"].as<std::string>();
  if (vm.count("limit")) c.limit = vm["limit"].as<int64_t>();
  if (vm.count("device")) c.device = vm["device"].as<std::string>();
  if (vm.count("dtype")) c.dtype = vm["dtype"].as<std::string>();
  if (vm.count("clip-tokenizer")) c.clip_tokenizer = vm["clip-tokenizer"].as<std::string>();
  if (vm.count("threads")) c.threads = vm["threads"].as<int>();
  if (vm.count("decode-threads")) c.decode_threads = vm["decode-threads"].as<int>();
  if (vm.count("prefetch")) c.prefetch = vm["prefetch"].as<int>();
  if (vm.count("frame-cache")) c.frame_cache = vm["frame-cache"].as<std::string>();
  if (vm.count("frame-cache-max-gb")) c.frame_cache_max_gb = vm["frame-cache-max-gb"].as<double>();
  if (vm.count("preprocess")) c.preprocess = vm["preprocess"].as<std::string>();
  if (vm.count("max-new-tokens")) c.max_new_tokens = vm["max-new-tokens"].as<int>();
  if (vm.count("seed")) c.seed = vm["seed"].as<uint64_t>();
  if (vm.count("tasks-dir")) c.tasks_dir = vm["tasks-dir"].as<std::string>();
  if (vm.count("protocol")) c.protocol = vm["protocol"].as<std::string>();
  if (vm.count("prompts-dir")) c.prompts_dir = vm["prompts-dir"].as<std::string>();
  apply_choice_judge_flags(vm, c);
  if (c.tasks.empty() || c.methods.empty()) throw std::runtime_error("run: --tasks and --methods must not be empty");
  if (c.budget < 1) throw std::runtime_error("run: --budget must be positive");
  if (c.prefetch < 0) throw std::runtime_error("run: --prefetch must not be negative");
  if (c.frame_cache_max_gb <= 0) throw std::runtime_error("run: --frame-cache-max-gb must be positive");
  if (datasets::resize_mode_by_name(c.preprocess) == datasets::ResizeMode::native)  // unknown names fail here too
    throw std::runtime_error("run: --preprocess native keeps each video's own size, which a vision tower cannot take");
  return c;
}

}  // namespace

int run_and_report(const RunConfig& cfg, const Args& argv) {
  set_torch_threads(cfg.threads);
  const RunSummary s = run_evaluation(cfg, argv);
  reports::write_reports(cfg.out);
  std::cerr << "ppbench: " << s.written << " records written, " << s.skipped << " already recorded, " << s.errors
            << " with errors; reports in " << cfg.out << "/report.json and report.md\n";
  return 0;
}

int cmd_run(const Args& args, const Args& argv) {
  po::options_description o("run options");
  add_run_options(o);
  po::variables_map vm;
  if (!parse_command(args, o, {"ppbench run --data-root DIR --out RUN [options]",
                               "Evaluates every task x method at the budget and writes RUN/config.json (resolved\n"
                               "configuration), RUN/context.json (provenance), RUN/samples.jsonl (one fsynced record\n"
                               "per sample and variant), RUN/report.json and RUN/report.md. Rerun on the same RUN to\n"
                               "resume: recorded samples are skipped. A bad sample is recorded with its error."},
                     vm))
    return 0;
  return run_and_report(resolve_config(vm), argv);
}

int cmd_report(const Args& args, const Args&) {
  po::options_description o("report options");
  o.add_options()("run", po::value<std::string>()->required(), "run folder");
  po::positional_options_description pos;
  pos.add("run", 1);
  po::variables_map vm;
  if (!parse_command(args, o, {"ppbench report RUN",
                               "Rewrites RUN/report.json and RUN/report.md from RUN/samples.jsonl and\n"
                               "RUN/context.json without running the model."},
                     vm, &pos))
    return 0;
  const std::string run = vm["run"].as<std::string>();
  if (!fs::exists(fs::path(run) / "samples.jsonl")) throw std::runtime_error("no samples.jsonl in " + run);
  reports::write_reports(run);
  std::cout << run << "/report.json\n" << run << "/report.md\n";
  return 0;
}

}  // namespace ppb::harness
