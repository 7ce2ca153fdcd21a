#include "harness/cli_options.h"

#include <iostream>
#include <sstream>
#include <thread>

#include <ATen/Parallel.h>

namespace ppb::harness {

bool parse_command(const std::vector<std::string>& args, po::options_description& opts, const CommandHelp& help,
                   po::variables_map& vm, const po::positional_options_description* positional) {
  opts.add_options()("help,h", "show this help");
  auto parser = po::command_line_parser(args).options(opts);
  if (positional) parser.positional(*positional);
  po::store(parser.run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: " << help.usage << "\n\n" << help.description << "\n\n" << opts << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, ','))
    if (!part.empty()) out.push_back(part);
  return out;
}

void set_torch_threads(int threads) {
  const int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(n);
}

}  // namespace ppb::harness
