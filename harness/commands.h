// The ppbench subcommands. Each takes the arguments after its name and returns the exit code.
#pragma once
#include <string>
#include <vector>

namespace ppb::harness {

using Args = std::vector<std::string>;

int cmd_demo(const Args& args, const Args& argv);
int cmd_run(const Args& args, const Args& argv);
int cmd_report(const Args& args, const Args& argv);
int cmd_list(const Args& args, const Args& argv);
int cmd_synth(const Args& args, const Args& argv);
int cmd_frames(const Args& args, const Args& argv);
int cmd_model(const Args& args, const Args& argv);
int cmd_budget(const Args& args, const Args& argv);
int cmd_score(const Args& args, const Args& argv);
int cmd_judge(const Args& args, const Args& argv);
int cmd_data(const Args& args, const Args& argv);
int cmd_parse(const Args& args, const Args& argv);

}  // namespace ppb::harness

#include "harness/run_config.h"
namespace ppb::harness {
// Runs the evaluation and writes the reports (shared by run and demo).
int run_and_report(const RunConfig& cfg, const Args& argv);
}  // namespace ppb::harness
