// Shared command-line plumbing: parsing a subcommand's flags and its --help text.
#pragma once
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace ppb::harness {

namespace po = boost::program_options;

// A subcommand's usage line, what it does and what it writes, shown by --help.
struct CommandHelp {
  std::string usage;        // e.g. "ppbench synth --out DIR [--seed S]"
  std::string description;  // what it does and what files it writes
};

// Parses `args` (after the subcommand name) into `vm`. Returns false when --help was given (and
// printed). Unknown flags and bad values throw with the flag's name.
bool parse_command(const std::vector<std::string>& args, po::options_description& opts, const CommandHelp& help,
                   po::variables_map& vm, const po::positional_options_description* positional = nullptr);

// Splits "a,b,c" into its non-empty parts.
std::vector<std::string> split_list(const std::string& s);

// Sets LibTorch's intra-op threads: `threads`, or every core when 0.
void set_torch_threads(int threads);

}  // namespace ppb::harness
