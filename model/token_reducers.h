// Visual-token reducers ("methods"): how a video's patch grid becomes the tokens the LLM sees.
// Each has a name, a place relative to the projector and a token-count rule; the registry is an
// explicit table filled by register_builtin_reducers().
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "common/named_registry.h"

namespace ppb::model {

enum class ReducerPlacement { before_projector, after_projector };
const char* placement_name(ReducerPlacement p);

// The shape of a video's features before reduction.
struct GridShape {
  int64_t frames = 0;  // T
  int64_t rows = 0;    // patch rows h
  int64_t cols = 0;    // patch columns w
};

// What a reducer may need besides the features and its parameters.
struct ReduceInputs {
  at::Tensor relevance;  // [T, h, w] float32 prompt relevance summing to 1 (ppllava); undefined otherwise
  // Learned weights of a trainable reducer (conv3d), by tensor name without the module prefix;
  // null or empty when the checkpoint carries none.
  const std::map<std::string, at::Tensor>* learned = nullptr;
};

struct TokenReducer {
  std::string name;                 // method name used on the command line and in records
  std::string description;          // one line for `ppbench list methods`
  std::string budget_rule;          // how the method's parameters follow from a budget, in words
  ReducerPlacement placement = ReducerPlacement::after_projector;
  bool needs_relevance = false;     // reduce() reads ReduceInputs::relevance
  nlohmann::json default_params;    // parameters when none are given, recorded with every sample
  // Tokens the reducer outputs for a grid; throws when the parameters do not fit the grid.
  std::function<int64_t(const GridShape&, const nlohmann::json& params)> count;
  // features [T, h, w, D] -> tokens [N, D], N == count(...).
  std::function<at::Tensor(const at::Tensor& features, const nlohmann::json& params, const ReduceInputs& inputs)>
      reduce;
};

struct ReducerRegistry : NamedRegistry<TokenReducer> {
  ReducerRegistry() : NamedRegistry("method") {}
  void add(TokenReducer r) {
    const std::string name = r.name;  // read before the move: argument order is unspecified
    NamedRegistry::add(name, std::move(r));
  }
};

// Fills `reg` with the built-in methods: full, avgpool3d.
void register_builtin_reducers(ReducerRegistry& reg);
// The process-wide registry with the built-in methods.
const ReducerRegistry& builtin_reducers();

// Non-overlapping 3-D average pooling with kernel = stride over [T, h, w, D], floor mode, output
// flattened frames-major then rows then columns.
at::Tensor avg_pool3d_tokens(const at::Tensor& features, const std::array<int64_t, 3>& kernel);

}  // namespace ppb::model
