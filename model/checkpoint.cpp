#include "model/checkpoint.h"

#include "common/json_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "common/sha256.h"

namespace fs = std::filesystem;

namespace ppb::model {
namespace {

std::string shape_text(const std::vector<int64_t>& s) {
  std::ostringstream o;
  o << "[";
  for (size_t i = 0; i < s.size(); ++i) o << (i ? "," : "") << s[i];
  o << "]";
  return o.str();
}

}  // namespace

Checkpoint::Checkpoint(const std::string& dir) : dir_(dir) {
  const fs::path root(dir);
  const fs::path index = root / "model.safetensors.index.json";
  std::vector<std::string> shard_names;
  std::map<std::string, std::string> weight_map;
  if (fs::exists(index)) {
    const nlohmann::json j = read_json_file(index.string(), "checkpoint index");
    if (!j.contains("weight_map") || !j["weight_map"].is_object())
      throw std::runtime_error(index.string() + " has no weight_map object");
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
      weight_map[it.key()] = it.value().get<std::string>();
      shard_names.push_back(it.value().get<std::string>());
    }
    std::sort(shard_names.begin(), shard_names.end());
    shard_names.erase(std::unique(shard_names.begin(), shard_names.end()), shard_names.end());
  } else if (fs::exists(root / "model.safetensors")) {
    shard_names.push_back("model.safetensors");
  } else {
    throw std::runtime_error("no model.safetensors or model.safetensors.index.json in " + dir);
  }
  std::map<std::string, const SafetensorsFile*> by_name;
  for (const auto& s : shard_names) {
    files_.push_back(std::make_unique<SafetensorsFile>((root / s).string()));
    by_name[s] = files_.back().get();
  }
  for (const auto& f : files_)
    for (const auto& [name, info] : f->tensors()) {
      if (where_.count(name))
        throw std::runtime_error("tensor '" + name + "' appears in two shards: " + where_[name]->path() + " and " +
                                 f->path());
      where_[name] = f.get();
    }
  // The index must agree with the shards: a stale index is a common cause of half-loaded models.
  for (const auto& [name, shard] : weight_map) {
    auto it = where_.find(name);
    if (it == where_.end())
      throw std::runtime_error(index.string() + " lists tensor '" + name + "' in " + shard + ", which lacks it");
    if (it->second != by_name[shard])
      throw std::runtime_error(index.string() + " places tensor '" + name + "' in " + shard + " but it is in " +
                               it->second->path());
  }
}

std::vector<int64_t> Checkpoint::shape_of(const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end()) throw std::runtime_error("checkpoint " + dir_ + " has no tensor '" + name + "'");
  return it->second->tensors().at(name).shape;
}

void Checkpoint::set_target(at::ScalarType dtype, at::Device device) {
  dtype_ = dtype;
  device_ = device;
}

at::Tensor Checkpoint::get(const std::string& name, const std::vector<int64_t>& shape, at::ScalarType dtype) {
  if (dtype == at::ScalarType::Undefined) dtype = dtype_;
  auto it = where_.find(name);
  if (it == where_.end()) {
    missing_.push_back(name + " " + shape_text(shape));
    return at::zeros(shape, at::TensorOptions().dtype(dtype).device(device_));  // placeholder until check_complete() throws
  }
  const auto& info = it->second->tensors().at(name);
  if (info.shape != shape)
    throw std::runtime_error("tensor '" + name + "' in " + it->second->path() + " has shape " + shape_text(info.shape) +
                             ", expected " + shape_text(shape));
  // Weights are stored as floats: an integer tensor converted to float would be silent garbage.
  const bool stored_float = info.dtype == "F32" || info.dtype == "F16" || info.dtype == "BF16" || info.dtype == "F64";
  if (at::isFloatingType(dtype) && !stored_float)
    throw std::runtime_error("tensor '" + name + "' in " + it->second->path() + " is stored as " + info.dtype +
                             "; a weight must be F32, F16 or BF16");
  used_.insert(name);
  at::Tensor t = it->second->load(name, dtype);
  return device_.is_cpu() ? t : t.to(device_);
}

void Checkpoint::expect(const std::string& name, const std::vector<int64_t>& shape) {
  auto it = where_.find(name);
  if (it == where_.end()) {
    missing_.push_back(name + " " + shape_text(shape));
    return;
  }
  const auto& info = it->second->tensors().at(name);
  if (info.shape != shape)
    throw std::runtime_error("tensor '" + name + "' in " + it->second->path() + " has shape " + shape_text(info.shape) +
                             ", expected " + shape_text(shape));
  used_.insert(name);
}

void Checkpoint::expect_prefix(const std::string& prefix) { expected_prefixes_.push_back(prefix); }

std::vector<std::string> Checkpoint::unused() const {
  std::vector<std::string> out;
  for (const auto& [name, f] : where_) {
    if (used_.count(name)) continue;
    bool declared = false;
    for (const auto& p : expected_prefixes_) declared = declared || name.compare(0, p.size(), p) == 0;
    if (!declared) out.push_back(name);
  }
  return out;
}

void Checkpoint::check_complete() const {
  const std::vector<std::string> extra = unused();
  if (missing_.empty() && extra.empty()) return;
  std::string msg = "checkpoint " + dir_;
  if (!missing_.empty()) {
    msg += " lacks " + std::to_string(missing_.size()) + " tensor(s):";
    for (const auto& m : missing_) msg += "\n  " + m;
  }
  if (!extra.empty()) {
    msg += std::string(missing_.empty() ? "" : "\nand") + " holds " + std::to_string(extra.size()) +
           " tensor(s) this model does not have:";
    for (const auto& n : extra) msg += "\n  " + n + " " + shape_text(where_.at(n)->tensors().at(n).shape);
  }
  throw std::runtime_error(msg);
}

std::string Checkpoint::fingerprint() const {
  Sha256 h;
  for (const auto& f : files_) {
    h.update(fs::path(f->path()).filename().string());
    h.update(f->header_text());
    h.update(std::to_string(f->file_size()));
  }
  return h.hex_digest();
}

}  // namespace ppb::model
