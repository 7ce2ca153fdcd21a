// Visual-token reducers ("methods"): how a video's patch grid becomes the tokens the LLM sees.
// Each has a name, a place relative to the projector and a token-count rule; the registry is an
// explicit table filled by register_builtin_reducers(), one add_<method>_reducer() per file
// (model/reducer_<method>.cpp). docs/methods.md describes every method.
#pragma once
#include <array>
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

// Fills `reg` with the built-in methods: full, avgpool3d, ppllava, pool2d, conv3d, slowfast, pllava.
void register_builtin_reducers(ReducerRegistry& reg);
// The process-wide registry with the built-in methods.
const ReducerRegistry& builtin_reducers();

// One per method file.
void add_full_reducer(ReducerRegistry& reg);
void add_avgpool3d_reducer(ReducerRegistry& reg);
void add_ppllava_reducer(ReducerRegistry& reg);
void add_pool2d_reducer(ReducerRegistry& reg);
void add_conv3d_reducer(ReducerRegistry& reg);
void add_slowfast_reducer(ReducerRegistry& reg);
void add_pllava_reducer(ReducerRegistry& reg);

// ---- Parameter parsing shared by the reducers ----------------------------------------------
// Every error starts with "<method>: parameter '<name>'" and states the valid range.

class ReducerParams {
 public:
  // `params` is a JSON object (null counts as empty); a key outside `known` is an error that lists them.
  ReducerParams(std::string method, const nlohmann::json& params, std::vector<std::string> known);
  bool has(const std::string& name) const;  // present and not null
  // An integer in [min, max]; `fallback` when absent.
  int64_t integer(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;
  // A list of fallback.size() integers, each in [min, max]; `fallback` when absent. `what` names
  // the entries for the error ("[frames, rows, columns]").
  std::vector<int64_t> integers(const std::string& name, const std::vector<int64_t>& fallback, int64_t min,
                                int64_t max, const std::string& what) const;
  // A finite number > 0; `fallback` when absent.
  double positive_number(const std::string& name, double fallback) const;
  const std::string& method() const { return method_; }

 private:
  std::string method_;
  const nlohmann::json* params_;
};

// Throws "<method>: features must be [T, h, w, D] ..." unless `features` is 4-D and non-empty.
GridShape grid_of_features(const at::Tensor& features, const std::string& method);
// "[a, b, c]" for messages.
std::string shape_string(at::IntArrayRef sizes);

// A kernel = stride window (kt, kh, kw) in floor mode: the number of tokens, or an error naming
// the kernel and the grid when a window does not fit.
int64_t pooled_count(const GridShape& g, const std::array<int64_t, 3>& k, const std::string& method);

// PyTorch's adaptive-pool bins for input length `in` and output length `out`: bin i covers
// [floor(i*in/out), ceil((i+1)*in/out)); bins overlap when out does not divide in.
struct Bin {
  int64_t begin = 0;  // first input index
  int64_t end = 0;    // one past the last
};
std::vector<Bin> adaptive_bins(int64_t in, int64_t out);

// Frame picks of SlowFast-LLaVA: float32 linspace(0, T, n + 1) truncated to integers, last one
// dropped (duplicates when T < n). n >= 1.
std::vector<int64_t> linspace_frame_indices(int64_t frames, int64_t n);

// ---- Pooling kernels over channels-last features [T, h, w, D] ----------------------------------
// Every pooling method here makes each output token a weighted sum of input tokens; only the
// windows and weights differ. A window lists (input row, weight) pairs, rows indexing the
// features flattened to [T*h*w, D].
struct WeightedRow {
  int64_t row = 0;     // input token index
  double weight = 0;   // its weight in the output token (float32 kernels round it to float)
};
using WindowFn = std::function<void(int64_t cell, std::vector<WeightedRow>& window)>;
// rows [R, D] -> [cells, D]: token c = sum of weight * rows[row] over window(c), accumulated in
// float32 (double for double) in window order. Float32 on the CPU streams the input once (parallel over cells); any
// other dtype or device gathers the windows with tensor ops, and the result takes rows' dtype.
at::Tensor weighted_row_sums(const at::Tensor& rows, int64_t cells, const WindowFn& window);

// Each outputs tokens [N, D] frames-major, then rows, then columns. Float32 on the CPU takes a
// streaming kernel; other dtypes and devices a tensor-op path.

// Appends the rows of kernel = stride window `cell` (numbered frames-major, then rows, columns of
// the pooled grid) to `window`, each with `weight`, in frames, rows, columns order.
void append_kernel_window(const GridShape& g, const std::array<int64_t, 3>& kernel, int64_t cell, double weight,
                          std::vector<WeightedRow>& window);

// Non-overlapping 3-D average pooling with kernel = stride, floor mode (model/reducer_avgpool3d.cpp);
// `method` names the caller in errors.
at::Tensor avg_pool3d_tokens(const at::Tensor& features, const std::array<int64_t, 3>& kernel,
                             const std::string& method = "avgpool3d");
// Adaptive 3-D average pooling to out = (T', h', w') with adaptive_bins on each axis
// (model/reducer_pllava.cpp).
at::Tensor adaptive_avg_pool3d_tokens(const at::Tensor& features, const std::array<int64_t, 3>& out);
// PPLLaVA's prompt-guided pooling (model/reducer_ppllava.cpp): kernel = stride windows in floor
// mode, each output the window's features weighted by softmax(relevance / temperature) over the
// window, computed in float32. relevance: [T, h, w].
at::Tensor prompt_guided_pool3d_tokens(const at::Tensor& features, const at::Tensor& relevance,
                                       const std::array<int64_t, 3>& kernel, double temperature);
// Depthwise 3-D convolution with kernel = stride, floor mode (model/reducer_conv3d.cpp):
// weight [D, 1, kt, kh, kw], bias [D].
at::Tensor depthwise_conv3d_tokens(const at::Tensor& features, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace ppb::model
