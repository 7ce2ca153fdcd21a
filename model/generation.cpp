#include "model/generation.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace ppb::model {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

at::Tensor splice_visual_tokens(const LlamaDecoder& llm, const std::vector<int>& ids, int image_token_id,
                                const at::Tensor& visual) {
  const auto n_image = std::count(ids.begin(), ids.end(), image_token_id);
  if (n_image != 1)
    throw std::runtime_error("prompt holds " + std::to_string(n_image) + " <image> tokens; exactly one is required");
  auto pos = std::find(ids.begin(), ids.end(), image_token_id) - ids.begin();
  std::vector<int> before(ids.begin(), ids.begin() + pos), after(ids.begin() + pos + 1, ids.end());
  std::vector<at::Tensor> parts;
  if (!before.empty()) parts.push_back(llm.embed(before));
  parts.push_back(visual.to(llm.dtype()));
  if (!after.empty()) parts.push_back(llm.embed(after));
  return at::cat(parts, 0);
}

GenerationResult greedy_generate(const LlamaDecoder& llm, const TextTokenizer& tok,
                                 const std::vector<int>& prompt_ids, int image_token_id, const at::Tensor& visual,
                                 const GenerationOptions& opts) {
  GenerationResult r;
  at::Tensor embeds = splice_visual_tokens(llm, prompt_ids, image_token_id, visual);
  const bool bos = !prompt_ids.empty() && prompt_ids.front() == llm.config().bos_token_id;
  r.prompt_tokens = static_cast<int64_t>(prompt_ids.size()) - 1 - (bos ? 1 : 0);  // without BOS and the placeholder
  std::vector<int> eos_ids = opts.extra_eos_ids;
  eos_ids.push_back(llm.config().eos_token_id);
  KvCache cache = llm.new_cache(embeds.size(0) + opts.max_new_tokens);

  auto t0 = std::chrono::steady_clock::now();
  at::Tensor logits = llm.forward(embeds, cache);
  r.prefill_ms = ms_since(t0);
  r.finish_reason = "length";
  auto t1 = std::chrono::steady_clock::now();
  for (int step = 0; step < opts.max_new_tokens; ++step) {
    const int next = static_cast<int>(logits.argmax(-1).item<int64_t>());
    if (std::find(eos_ids.begin(), eos_ids.end(), next) != eos_ids.end()) {
      r.finish_reason = "eos";
      break;
    }
    r.tokens.push_back(next);
    if (!opts.stop_strings.empty()) {
      r.text = tok.decode(r.tokens);
      bool stopped = false;
      for (const auto& s : opts.stop_strings) {
        auto at_pos = r.text.find(s);
        if (at_pos != std::string::npos) {
          r.text.resize(at_pos);
          stopped = true;
        }
      }
      if (stopped) {
        r.finish_reason = "stop_string";
        break;
      }
    }
    if (step + 1 == opts.max_new_tokens) break;  // no forward pass for a token that will not be used
    logits = llm.forward(llm.embed({next}), cache);
  }
  r.generate_ms = ms_since(t1);
  if (r.finish_reason != "stop_string") r.text = tok.decode(r.tokens);
  r.context_tokens = cache.length;
  return r;
}

}  // namespace ppb::model
