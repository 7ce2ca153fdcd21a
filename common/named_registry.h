// An explicit table of named entries (methods, extractors, tasks). Filled by one
// register_builtin_*() call, never by static initialisers; an unknown name is an error that
// lists the valid ones.
#pragma once
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ppb {

template <typename T>
class NamedRegistry {
 public:
  // `kind` names the entries in errors: "method", "extractor", "task".
  explicit NamedRegistry(std::string kind) : kind_(std::move(kind)) {}

  void add(const std::string& name, T entry) {
    if (!entries_.emplace(name, std::move(entry)).second)
      throw std::runtime_error(kind_ + " '" + name + "' registered twice");
  }
  const T& get(const std::string& name) const {
    auto it = entries_.find(name);
    if (it != entries_.end()) return it->second;
    std::string known;
    for (const auto& [n, e] : entries_) known += (known.empty() ? "" : ", ") + n;
    throw std::runtime_error("unknown " + kind_ + " '" + name + "' (known: " + known + ")");
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [n, e] : entries_) out.push_back(n);
    return out;
  }

 private:
  std::string kind_;
  std::map<std::string, T> entries_;
};

}  // namespace ppb
