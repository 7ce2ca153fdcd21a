// Judge usage and its estimated cost: a price table the user edits (metrics/judge_prices.json)
// and a per-task tally of calls, cache hits, tokens and dollars for the report.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace ppb::metrics {

// What one model costs, in US dollars per one million tokens.
struct ModelPrice {
  double prompt_usd_per_1m = 0;      // input (prompt) tokens
  double completion_usd_per_1m = 0;  // output (completion) tokens
};

// The price table. Keys are exact model ids, or prefixes when they end in '*'; an exact id wins
// over any prefix, and among prefixes the longest match wins.
class JudgePrices {
 public:
  JudgePrices() = default;  // empty: every model is unpriced
  // The file's layout: {"note": ..., "models": {"<id or prefix*>": {"prompt_usd_per_1m": x,
  // "completion_usd_per_1m": y}}}. Errors name the file and the entry.
  static JudgePrices load(const std::string& path);
  static JudgePrices from_json(const nlohmann::json& j, const std::string& where);

  std::optional<ModelPrice> find(const std::string& model) const;
  // prompt and completion tokens at the model's prices; nullopt for an unknown model.
  std::optional<double> cost_usd(const std::string& model, int64_t prompt_tokens, int64_t completion_tokens) const;

 private:
  std::map<std::string, ModelPrice> exact_;
  std::map<std::string, ModelPrice> prefixes_;  // without the trailing '*'
};

// $PPBENCH_JUDGE_PRICES when set, else metrics/judge_prices.json in the source tree.
std::string default_judge_prices_path();

// One task's judge usage. Tokens and estimated_cost_usd cover every judgement the task used,
// cached or not (what judging it costs from scratch, the same on every re-run);
// cost_this_run_usd covers only the calls made now.
struct UsageTally {
  int64_t calls_made = 0;          // judgements asked of the judge over the network in this run
  int64_t served_from_cache = 0;   // judgements read from the cache
  int64_t prompt_tokens = 0;       // usage.prompt_tokens summed over all judgements
  int64_t completion_tokens = 0;   // usage.completion_tokens summed over all judgements
  double cost_usd = 0;             // priced judgements, cached or not
  double cost_this_run_usd = 0;    // priced calls made in this run
  std::set<std::string> unpriced_models;  // models with no price: the costs are then unknown

  // Counts one judgement. `model`: the resolved model when the response named one, else the
  // requested id (it picks the price).
  void add(const std::string& model, int64_t prompt, int64_t completion, bool from_cache, const JudgePrices& prices);
  void merge(const UsageTally& other);
  // {"calls_made", "served_from_cache", "prompt_tokens", "completion_tokens",
  //  "estimated_cost_usd", "estimated_cost_this_run_usd", "unpriced_models"}; the costs are
  // rounded to 1e-6 dollars, and null when any judgement's model has no price.
  nlohmann::json to_json() const;
};

// {"<task>": tally, ..., "total": merged tally} for the report.
nlohmann::json usage_by_task_to_json(const std::map<std::string, UsageTally>& by_task);

}  // namespace ppb::metrics
