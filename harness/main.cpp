// ppbench: the command-line entry point. Dispatches to a subcommand; every error ends here as
// "ppbench: error: <what>, <where>" with a non-zero exit code.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "common/process_env.h"
#include "harness/commands.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const ppb::harness::Args&, const ppb::harness::Args&);
};

const Command kCommands[] = {
    {"demo", "synthesise a benchmark, make a tiny model, run PPLLaVA and five baselines at one budget, print the report", ppb::harness::cmd_demo},
    {"run", "evaluate tasks x methods at a budget into a run folder (resumable)", ppb::harness::cmd_run},
    {"report", "(re)write RUN/report.json and RUN/report.md from RUN/samples.jsonl", ppb::harness::cmd_report},
    {"judge", "ask the protocols' judge about a run's open-ended answers (cached), then rewrite the report", ppb::harness::cmd_judge},
    {"score", "re-parse and re-score a run's responses under its protocol or another, then rewrite the report", ppb::harness::cmd_score},
    {"list", "list tasks, methods or protocols", ppb::harness::cmd_list},
    {"synth", "write the synthetic benchmark (videos + MVBench-style annotations)", ppb::harness::cmd_synth},
    {"frames", "print the frame indices a sampling policy picks for a video", ppb::harness::cmd_frames},
    {"budget", "solve each method's parameters for a visual-token budget", ppb::harness::cmd_budget},
    {"model", "model tools: init-tiny (write a tiny checkpoint in the release layout)", ppb::harness::cmd_model},
    {"data", "data tools: check (list missing, empty and unreadable videos of a dataset)", ppb::harness::cmd_data},
    {"parse", "apply one answer extractor to a response and print the parsed letter and the rule that fired", ppb::harness::cmd_parse},
};

void print_usage() {
  std::cout << "ppbench: a benchmark and evaluation harness for token-efficient video LLMs\n\n"
               "usage: ppbench <command> [options]   (ppbench <command> --help for details)\n\ncommands:\n";
  for (const auto& c : kCommands) std::printf("  %-8s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  ppb::restart_with_passive_openmp(argv);
  std::vector<std::string> all(argv, argv + argc);
  if (argc < 2 || all[1] == "--help" || all[1] == "-h" || all[1] == "help") {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  const std::vector<std::string> args(all.begin() + 2, all.end());
  for (const auto& c : kCommands) {
    if (all[1] != c.name) continue;
    try {
      return c.run(args, all);
    } catch (const std::exception& e) {
      std::cerr << "ppbench: error: " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "ppbench: error: unknown command '" << all[1] << "' (ppbench --help lists them)\n";
  return 2;
}
