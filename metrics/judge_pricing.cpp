#include "metrics/judge_pricing.h"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "common/json_file.h"
#include "ppb_build_info.h"

namespace ppb::metrics {

namespace {

double price_field(const nlohmann::json& entry, const char* name, const std::string& model, const std::string& where) {
  auto it = entry.find(name);
  if (it == entry.end() || !it->is_number())
    throw std::runtime_error("judge prices: entry '" + model + "' needs a number '" + name + "', " + where);
  double v = it->get<double>();
  if (!std::isfinite(v) || v < 0)
    throw std::runtime_error("judge prices: entry '" + model + "' has a negative or non-finite '" + name + "', " +
                             where);
  return v;
}

nlohmann::json rounded_cost(double usd) { return std::round(usd * 1e6) / 1e6; }

}  // namespace

JudgePrices JudgePrices::from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("models") || !j["models"].is_object())
    throw std::runtime_error("judge prices: expected an object with a \"models\" object, " + where);
  JudgePrices p;
  for (const auto& [model, entry] : j["models"].items()) {
    if (!entry.is_object()) throw std::runtime_error("judge prices: entry '" + model + "' is not an object, " + where);
    ModelPrice price{price_field(entry, "prompt_usd_per_1m", model, where),
                     price_field(entry, "completion_usd_per_1m", model, where)};
    if (!model.empty() && model.back() == '*')
      p.prefixes_[model.substr(0, model.size() - 1)] = price;
    else
      p.exact_[model] = price;
  }
  return p;
}

JudgePrices JudgePrices::load(const std::string& path) { return from_json(read_json_file(path, "judge prices"), path); }

std::optional<ModelPrice> JudgePrices::find(const std::string& model) const {
  if (auto it = exact_.find(model); it != exact_.end()) return it->second;
  std::optional<ModelPrice> best;
  size_t best_len = 0;
  for (const auto& [prefix, price] : prefixes_) {
    if (model.compare(0, prefix.size(), prefix) == 0 && (!best || prefix.size() > best_len)) {
      best = price;
      best_len = prefix.size();
    }
  }
  return best;
}

std::optional<double> JudgePrices::cost_usd(const std::string& model, int64_t prompt_tokens,
                                            int64_t completion_tokens) const {
  auto p = find(model);
  if (!p) return std::nullopt;
  return (static_cast<double>(prompt_tokens) * p->prompt_usd_per_1m +
          static_cast<double>(completion_tokens) * p->completion_usd_per_1m) /
         1e6;
}

std::string default_judge_prices_path() {
  if (const char* env = std::getenv("PPBENCH_JUDGE_PRICES"); env && *env) return env;
  return std::string(PPB_SOURCE_DIR) + "/metrics/judge_prices.json";
}

void UsageTally::add(const std::string& model, int64_t prompt, int64_t completion, bool from_cache,
                     const JudgePrices& prices) {
  (from_cache ? served_from_cache : calls_made) += 1;
  prompt_tokens += prompt;
  completion_tokens += completion;
  if (auto c = prices.cost_usd(model, prompt, completion)) {
    cost_usd += *c;
    if (!from_cache) cost_this_run_usd += *c;
  } else {
    unpriced_models.insert(model);
  }
}

void UsageTally::merge(const UsageTally& o) {
  calls_made += o.calls_made;
  served_from_cache += o.served_from_cache;
  prompt_tokens += o.prompt_tokens;
  completion_tokens += o.completion_tokens;
  cost_usd += o.cost_usd;
  cost_this_run_usd += o.cost_this_run_usd;
  unpriced_models.insert(o.unpriced_models.begin(), o.unpriced_models.end());
}

nlohmann::json UsageTally::to_json() const {
  bool priced = unpriced_models.empty();
  return {{"calls_made", calls_made},
          {"served_from_cache", served_from_cache},
          {"prompt_tokens", prompt_tokens},
          {"completion_tokens", completion_tokens},
          {"estimated_cost_usd", priced ? rounded_cost(cost_usd) : nlohmann::json(nullptr)},
          {"estimated_cost_this_run_usd", priced ? rounded_cost(cost_this_run_usd) : nlohmann::json(nullptr)},
          {"unpriced_models", nlohmann::json(std::vector<std::string>(unpriced_models.begin(), unpriced_models.end()))}};
}

nlohmann::json usage_by_task_to_json(const std::map<std::string, UsageTally>& by_task) {
  nlohmann::json out = nlohmann::json::object();
  UsageTally total;
  for (const auto& [task, tally] : by_task) {
    out[task] = tally.to_json();
    total.merge(tally);
  }
  out["total"] = total.to_json();
  return out;
}

}  // namespace ppb::metrics
