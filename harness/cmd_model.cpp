// ppbench model <tool>: checkpoint tools.
#include <iostream>

#include "harness/cli_options.h"
#include "harness/commands.h"
#include "model/tiny_checkpoint.h"

namespace ppb::harness {

int cmd_model(const Args& args, const Args&) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << "usage: ppbench model init-tiny --out DIR [--seed S]\n\n"
                 "  init-tiny  write a tiny random checkpoint in the release layout\n";
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "init-tiny")
    throw std::runtime_error("model: unknown tool '" + args[0] + "' (known: init-tiny)");
  po::options_description o("init-tiny options");
  o.add_options()
      ("out", po::value<std::string>()->required(), "checkpoint folder to write")
      ("seed", po::value<uint64_t>()->default_value(0), "seed of the weights")
      ("dtype", po::value<std::string>()->default_value("BF16"), "stored dtype: F32, F16 or BF16");
  po::variables_map vm;
  if (!parse_command(Args(args.begin() + 1, args.end()), o,
                     {"ppbench model init-tiny --out DIR [--seed S]",
                      "Writes DIR/config.json (PPLLaVA keys), DIR/model-0000{1,2}-of-00002.safetensors with\n"
                      "DIR/model.safetensors.index.json, DIR/generation_config.json, DIR/added_tokens.json and\n"
                      "DIR/tokenizer.model (SentencePiece, trained now). A CLIP ViT (24x24 patches at 336 px),\n"
                      "projector and LLaMA decoder, all tiny and random: for tests and the demo."},
                     vm))
    return 0;
  model::TinyCheckpointOptions to;
  to.seed = vm["seed"].as<uint64_t>();
  to.dtype = vm["dtype"].as<std::string>();
  model::write_tiny_checkpoint(vm["out"].as<std::string>(), to);
  std::cout << "wrote a tiny checkpoint to " << vm["out"].as<std::string>() << "\n";
  return 0;
}

}  // namespace ppb::harness
