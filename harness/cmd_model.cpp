// ppbench model <tool>: checkpoint tools (init-tiny, dump).
#include <iostream>

#include <nlohmann/json.hpp>

#include "harness/cli_options.h"
#include "harness/commands.h"
#include "model/budget_solver.h"
#include "model/safetensors.h"
#include "model/tiny_checkpoint.h"
#include "model/token_reducers.h"
#include "model/video_llm.h"

namespace ppb::harness {
namespace {

int init_tiny(const Args& args) {
  po::options_description o("init-tiny options");
  o.add_options()
      ("out", po::value<std::string>()->required(), "checkpoint folder to write")
      ("seed", po::value<uint64_t>()->default_value(0), "seed of the weights")
      ("llm", po::value<std::string>()->default_value("llama"), "LLM family: llama (Vicuna layout) or qwen2")
      ("dtype", po::value<std::string>()->default_value("BF16"), "stored dtype: F32, F16 or BF16");
  po::variables_map vm;
  if (!parse_command(args, o,
                     {"ppbench model init-tiny --out DIR [--seed S] [--llm llama|qwen2]",
                      "Writes a tiny random PPLLaVA checkpoint in the release layout: DIR/config.json (PPLLaVA\n"
                      "keys), DIR/model-0000{1,2}-of-00002.safetensors with DIR/model.safetensors.index.json,\n"
                      "DIR/generation_config.json, the LLM tokenizer trained now (tokenizer.model and\n"
                      "added_tokens.json for llama, tokenizer.json for qwen2) and the relevance encoder's CLIP\n"
                      "BPE in DIR/clip_tokenizer/. A CLIP ViT (24x24 patches at 336 px) with a BT-Adapter, the\n"
                      "projector, the relevance encoder (CLIP text tower, 248 positions) and the LLM, all tiny\n"
                      "and random: for tests and the demo."},
                     vm))
    return 0;
  model::TinyCheckpointOptions to;
  to.seed = vm["seed"].as<uint64_t>();
  to.dtype = vm["dtype"].as<std::string>();
  to.llm = vm["llm"].as<std::string>();
  model::write_tiny_checkpoint(vm["out"].as<std::string>(), to);
  std::cout << "wrote a tiny checkpoint to " << vm["out"].as<std::string>() << "\n";
  return 0;
}

at::Tensor ids_tensor(const std::vector<int>& ids) {
  return at::tensor(std::vector<int64_t>(ids.begin(), ids.end()), at::kLong);
}

int dump(const Args& args) {
  po::options_description o("dump options");
  o.add_options()
      ("model", po::value<std::string>()->required(), "checkpoint folder")
      ("frames", po::value<std::string>()->required(),
       "safetensors with 'pixel_values' [T, 3, S, S] float32 (ppbench frames --out writes one)")
      ("question", po::value<std::string>()->required(), "the question: relevance text and user message")
      ("out", po::value<std::string>()->required(), "safetensors file to write")
      ("method", po::value<std::string>()->default_value("full"), "token reducer for visual_tokens")
      ("budget", po::value<int64_t>(), "solve the method's parameters for this visual-token budget [its defaults]")
      ("answer-prefix", po::value<std::string>()->default_value(""), "text the assistant turn starts with")
      ("max-new-tokens", po::value<int>()->default_value(16), "tokens to generate for generated_ids")
      ("device", po::value<std::string>()->default_value("cpu"), "cpu or cuda")
      ("dtype", po::value<std::string>()->default_value(""), "float32, bfloat16 or float16 [float32 on cpu, bfloat16 on cuda]")
      ("clip-tokenizer", po::value<std::string>()->default_value(""), "relevance CLIP tokenizer folder [MODEL/clip_tokenizer]");
  po::variables_map vm;
  if (!parse_command(args, o,
                     {"ppbench model dump --model DIR --frames F.safetensors --question TEXT --out OUT.safetensors",
                      "Runs the model once and writes what a parity check against another implementation needs:\n"
                      "vision_features [T, h*w, Dv], clip_ids (the relevance encoder's ids up to and including the\n"
                      "first end-of-text), text_embedding [P], relevance [T, h, w], visual_tokens [N, D] (after\n"
                      "--method, at --budget's solved parameters), prompt_ids, logits_first_token [vocab] and generated_ids (greedy). Floats are\n"
                      "written as float32, ids as int64. Prints a JSON summary."},
                     vm))
    return 0;
  model::ModelLoadOptions lo;
  lo.device = vm["device"].as<std::string>();
  lo.dtype = vm["dtype"].as<std::string>();
  lo.clip_tokenizer = vm["clip-tokenizer"].as<std::string>();
  model::VideoLlm m(vm["model"].as<std::string>(), lo);
  const std::string frames_path = vm["frames"].as<std::string>();
  const at::Tensor pixels = model::SafetensorsFile(frames_path).load("pixel_values", at::kFloat);
  const std::string question = vm["question"].as<std::string>();
  const auto& reducer = model::builtin_reducers().get(vm["method"].as<std::string>());

  std::map<std::string, at::Tensor> out;
  const at::Tensor features = m.encode_frames(pixels);  // [T, h, w, Dv]
  nlohmann::json params = reducer.default_params;
  if (vm.count("budget")) {
    const model::BudgetPlan plan = model::solve_budget(reducer.name, vm["budget"].as<int64_t>(), features.size(0),
                                                       features.size(1), features.size(2));
    if (!plan.feasible) throw std::runtime_error("model dump: " + reducer.name + " is infeasible at this budget: " + plan.reason);
    if (plan.frames != features.size(0))
      throw std::runtime_error("model dump: " + reducer.name + " takes " + std::to_string(plan.frames) +
                               " frames at this budget, but " + frames_path + " holds " +
                               std::to_string(features.size(0)) + "; write a frames file with that many");
    params = plan.params;
  }
  out["vision_features"] = features.reshape({features.size(0), -1, features.size(3)}).to(at::kFloat);
  nlohmann::json summary{{"frames", features.size(0)}};
  at::Tensor relevance;
  if (m.has_relevance()) {
    const std::vector<int> clip_ids = m.relevance_ids(question);
    const at::Tensor c = m.prompt_embedding(clip_ids);
    out["clip_ids"] = ids_tensor(clip_ids);
    out["text_embedding"] = c.to(at::kFloat);
    relevance = m.relevance(features, c);
    out["relevance"] = relevance.to(at::kFloat);
    summary["clip_ids"] = clip_ids.size();
  }
  const at::Tensor visual = m.visual_tokens(features, reducer, params, relevance);
  summary["method"] = reducer.name;
  summary["method_params"] = params;
  out["visual_tokens"] = visual.to(at::kFloat);
  const std::vector<int> ids = m.prompt_ids(question, vm["answer-prefix"].as<std::string>());
  out["prompt_ids"] = ids_tensor(ids);
  out["logits_first_token"] = m.first_token_logits(ids, visual);
  model::GenerationOptions go;
  go.max_new_tokens = vm["max-new-tokens"].as<int>();
  const model::GenerationResult g = m.generate(ids, visual, go);
  out["generated_ids"] = ids_tensor(g.tokens);
  model::write_safetensors(vm["out"].as<std::string>(), out, at::ScalarType::Undefined);
  summary["visual_tokens"] = visual.size(0);
  summary["prompt_ids"] = ids.size();
  summary["generated"] = g.text;
  summary["finish_reason"] = g.finish_reason;
  summary["out"] = vm["out"].as<std::string>();
  std::cout << summary.dump() << "\n";
  return 0;
}

}  // namespace

int cmd_model(const Args& args, const Args&) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << "usage: ppbench model <tool> [options]   (ppbench model <tool> --help for details)\n\n"
                 "  init-tiny  write a tiny random PPLLaVA checkpoint in the release layout\n"
                 "  dump       run a checkpoint once and write its intermediate tensors for parity checks\n";
    return args.empty() ? 2 : 0;
  }
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "init-tiny") return init_tiny(rest);
  if (args[0] == "dump") return dump(rest);
  throw std::runtime_error("model: unknown tool '" + args[0] + "' (known: init-tiny, dump)");
}

}  // namespace ppb::harness
