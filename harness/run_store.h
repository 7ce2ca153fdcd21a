// RUN/samples.jsonl: one JSON record per (task, sample, variant), appended and fsynced so that a
// killed run loses at most the record being written. Reopening drops a torn last line.
#pragma once
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/sample_records.h"

namespace ppb::harness {

using reports::record_key;

class RunStore {
 public:
  // Opens RUN/samples.jsonl, cutting off a torn last line so that appends start on a fresh line.
  explicit RunStore(const std::string& run_dir);
  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  bool done(const std::string& key) const { return keys_.count(key) > 0; }
  size_t size() const { return keys_.size(); }
  bool recovered_torn_tail() const { return torn_; }
  // Appends one record as a line and fsyncs the file.
  void append(const nlohmann::json& record);

 private:
  std::string path_;
  int fd_ = -1;
  std::set<std::string> keys_;
  bool torn_ = false;
};

}  // namespace ppb::harness
