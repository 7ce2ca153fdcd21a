// Reading RUN/samples.jsonl, the one file every later phase (score, report) starts from.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppb::reports {

// The resume key of a record: task, sample id and the variant fields.
std::string record_key(const nlohmann::json& record);

// The records of a samples.jsonl. A last line without its newline (a write cut short) is
// ignored and flagged; any other unparsable line is an error naming the file and line. A record
// whose key (record_key) an earlier line already has is kept in `records` and listed in
// `duplicates`, so that the report counts it once and says so.
struct DuplicateRecord {
  size_t index = 0;       // into `records`
  int64_t line = 0;       // its line in the file (1-based)
  int64_t first_line = 0; // the line of the first record with that key
};
struct LoadedRecords {
  std::vector<nlohmann::json> records;  // in file order
  std::vector<DuplicateRecord> duplicates;
  bool torn_tail = false;               // a partial last line was found
  uint64_t valid_bytes = 0;             // length of the file up to the last complete line
};
LoadedRecords load_records(const std::string& path);

// DREAM-1K's reference events of a record: its `events`, or the reference description as the
// one event when the list is empty (Tarsier's rule).
std::vector<std::string> dream_reference_events(const nlohmann::json& record);

}  // namespace ppb::reports
