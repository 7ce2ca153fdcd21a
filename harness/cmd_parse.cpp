// ppbench parse: run one answer extractor on one response, to see why a sample was scored as it was.
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/cli_options.h"
#include "harness/commands.h"
#include "tasks/answer_extractors.h"

namespace ppb::harness {

int cmd_parse(const Args& args, const Args&) {
  std::string known;
  for (const auto& n : tasks::builtin_extractors().names()) known += (known.empty() ? "" : ", ") + n;
  po::options_description o("parse options");
  o.add_options()
      ("extractor", po::value<std::string>()->required(), ("answer extractor: " + known).c_str())
      ("options", po::value<int>()->required(), "number of options N of the item (letters A.. up to N)")
      ("prefix", po::value<std::string>()->default_value(""), "answer prefix the assistant turn was prefilled with")
      ("option-text", po::value<std::vector<std::string>>()->composing(),
       "text of the next option, in letter order (repeat N times); rules that match option texts need it")
      ("question", po::value<std::string>()->default_value(""), "the question (what a judge would see)")
      ("target", po::value<std::string>()->default_value(""),
       "the correct letter; videochat2_check is a correctness check and needs it to name an ambiguous answer")
      ("response", po::value<std::string>(), "the model's response (or give it as the last argument)");
  po::positional_options_description pos;
  pos.add("response", 1);
  po::variables_map vm;
  std::string help_text =
      "Applies one answer extractor (docs/protocols.md) to TEXT and prints one JSON object:\n"
      "{\"extractor\", \"parsed\" (\"\" = unparsed), \"rule\" (the step that decided), \"guess_pool\" (letters the\n"
      "upstream script would draw from at random here, or null), \"needs_judge\", \"response\"}. Writes nothing.\n"
      "vlmeval_judge needs a judge and fails here until one can be configured.\n\nextractors:\n";
  for (const auto& n : tasks::builtin_extractors().names())
    help_text += "  " + n + ": " + tasks::builtin_extractors().get(n).description + "\n";
  if (!parse_command(args, o,
                     {"ppbench parse --extractor NAME --options N [--prefix TEXT] [--option-text TEXT ...] "
                      "[--target X] TEXT",
                      help_text},
                     vm, &pos))
    return 0;

  const std::string name = vm["extractor"].as<std::string>();
  const tasks::AnswerExtractor* extractor = nullptr;
  try {
    extractor = &tasks::builtin_extractors().get(name);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("parse: --extractor: ") + e.what());
  }
  const int n = vm["options"].as<int>();
  if (n < 1 || n > 26) throw std::runtime_error("parse: --options " + std::to_string(n) + " is not in 1..26");
  if (!vm.count("response")) throw std::runtime_error("parse: no response given (the last argument, or --response)");

  tasks::ExtractorInput in;
  in.response = vm["response"].as<std::string>();
  in.answer_prefix = vm["prefix"].as<std::string>();
  in.n_options = static_cast<size_t>(n);
  if (vm.count("option-text")) in.options = vm["option-text"].as<std::vector<std::string>>();
  if (!in.options.empty() && in.options.size() != in.n_options)
    throw std::runtime_error("parse: " + std::to_string(in.options.size()) + " --option-text given for --options " +
                             std::to_string(n) + "; give one per option, in letter order");
  in.question = vm["question"].as<std::string>();
  in.target = vm["target"].as<std::string>();
  if (!in.target.empty() && (in.target.size() != 1 || in.target[0] < 'A' || in.target[0] >= 'A' + n))
    throw std::runtime_error("parse: --target '" + in.target + "' is not one of the " + std::to_string(n) +
                             " option letters");

  const tasks::Extraction x = extractor->extract(in);
  nlohmann::json out{{"extractor", name},
                     {"parsed", x.answer},
                     {"rule", x.rule},
                     {"guess_pool", x.guess_pool.empty() ? nlohmann::json(nullptr) : nlohmann::json(x.guess_pool)},
                     {"needs_judge", extractor->needs_judge},
                     {"options", n},
                     {"response", in.response}};
  // Replace invalid UTF-8 rather than fail: the response is whatever the user pasted.
  std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return 0;
}

}  // namespace ppb::harness
