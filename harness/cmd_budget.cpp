// ppbench budget: what each method runs with at a visual-token budget.
#include <iostream>
#include <regex>

#include <nlohmann/json.hpp>

#include "harness/cli_options.h"
#include "harness/commands.h"
#include "model/budget_solver.h"
#include "model/hf_config.h"

namespace ppb::harness {
namespace {

std::pair<int64_t, int64_t> parse_grid(const std::string& text) {
  static const std::regex shape("([0-9]+)x([0-9]+)");
  std::smatch m;
  if (!std::regex_match(text, m, shape)) throw std::runtime_error("budget: --grid '" + text + "' is not HxW, e.g. 24x24");
  return {std::stoll(m[1]), std::stoll(m[2])};
}

}  // namespace

int cmd_budget(const Args& args, const Args&) {
  po::options_description o("budget options");
  o.add_options()
      ("method", po::value<std::string>()->required(), "method, or comma-separated methods (ppbench list methods)")
      ("budget", po::value<int64_t>()->required(), "visual-token budget B")
      ("frames", po::value<int64_t>()->required(), "frames T0 the run samples")
      ("grid", po::value<std::string>(), "patch grid HxW of the vision tower [24x24, or the model's]")
      ("model", po::value<std::string>(), "checkpoint folder: take the grid from its vision tower");
  po::variables_map vm;
  if (!parse_command(args, o,
                     {"ppbench budget --method M --budget B --frames T [--grid HxW | --model DIR]",
                      "Solves the budget rule of each method (docs/methods.md) and prints one JSON object per\n"
                      "method: {\"method\", \"budget\", \"frames\" (what the method samples), \"params\" (the\n"
                      "reducer's), \"tokens\" (exact N <= B), \"under_filled\" (N < 0.9 B), \"feasible\", and\n"
                      "\"reason\" when the method cannot reach the budget}. Writes nothing."},
                     vm))
    return 0;
  std::pair<int64_t, int64_t> grid{24, 24};
  if (vm.count("model")) {
    const model::ModelConfig cfg = model::read_model_config(vm["model"].as<std::string>());
    grid = {cfg.vision.grid(), cfg.vision.grid()};
    if (vm.count("grid") && parse_grid(vm["grid"].as<std::string>()) != grid)
      throw std::runtime_error("budget: --grid " + vm["grid"].as<std::string>() + " does not match the vision tower of " +
                               vm["model"].as<std::string>() + " (" + std::to_string(grid.first) + "x" +
                               std::to_string(grid.second) + ")");
  } else if (vm.count("grid")) {
    grid = parse_grid(vm["grid"].as<std::string>());
  }
  for (const auto& method : split_list(vm["method"].as<std::string>())) {
    const model::BudgetPlan p =
        model::solve_budget(method, vm["budget"].as<int64_t>(), vm["frames"].as<int64_t>(), grid.first, grid.second);
    nlohmann::json j = p.to_json();
    j["frames_requested"] = p.frames_requested;
    if (p.feasible) j["frames"] = p.frames;
    std::cout << j.dump() << "\n";
  }
  return 0;
}

}  // namespace ppb::harness
