// A checkpoint folder in the Hugging Face release layout: config.json, one safetensors file or
// shards listed in model.safetensors.index.json, and tokenizer files.
#pragma once
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "model/safetensors.h"

namespace ppb::model {

class Checkpoint {
 public:
  explicit Checkpoint(const std::string& dir);

  const std::string& dir() const { return dir_; }
  bool has(const std::string& name) const { return where_.count(name) > 0; }
  // The stored shape of `name`; throws naming it when absent.
  std::vector<int64_t> shape_of(const std::string& name) const;
  // Where loaded tensors go: the run dtype (the release stores bfloat16) and device. Float32 on
  // the CPU unless set.
  void set_target(at::ScalarType dtype, at::Device device);
  at::ScalarType target_dtype() const { return dtype_; }
  at::Device target_device() const { return device_; }
  // Loads `name`, checks its shape and records it as used; converted to the target dtype (or to
  // `dtype` when given) on the target device.
  at::Tensor get(const std::string& name, const std::vector<int64_t>& shape,
                 at::ScalarType dtype = at::ScalarType::Undefined);
  // Declares `name` part of the model without loading it (a part that cannot affect the output,
  // such as the vision tower's last layer when features come from the one before): its shape is
  // checked, it is not reported as unexpected, and its absence is reported like any missing tensor.
  void expect(const std::string& name, const std::vector<int64_t>& shape);
  // Declares every tensor whose name starts with `prefix` part of the model, unloaded and unchecked.
  void expect_prefix(const std::string& prefix);
  // Names that were requested but absent, with the expected shapes, collected so that one error lists them all.
  const std::vector<std::string>& missing() const { return missing_; }
  // Names in the files that no get() or expect() declared: tensors this code does not know.
  std::vector<std::string> unused() const;
  // sha256 over every shard's header bytes and file size: identifies the weights without reading them.
  std::string fingerprint() const;
  // Throws one error naming every missing tensor (with its expected shape) and every unexpected
  // one (with its shape in the file), if any.
  void check_complete() const;

 private:
  std::string dir_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, const SafetensorsFile*> where_;
  std::set<std::string> used_;
  std::vector<std::string> expected_prefixes_;
  at::ScalarType dtype_ = at::kFloat;
  at::Device device_ = at::kCPU;
  std::vector<std::string> missing_;
};

}  // namespace ppb::model
