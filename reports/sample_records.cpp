#include "reports/sample_records.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace ppb::reports {

std::string record_key(const nlohmann::json& r) {
  const auto& v = r.at("variant");
  return r.at("task").get<std::string>() + "\x1f" + r.at("sample_id").get<std::string>() + "\x1f" +
         v.at("method").get<std::string>() + "\x1f" + std::to_string(v.at("budget").get<int64_t>()) + "\x1f" +
         std::to_string(v.at("frames").get<int64_t>()) + "\x1f" + v.at("checkpoint").get<std::string>();
}

LoadedRecords load_records(const std::string& path) {
  LoadedRecords out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;  // no file yet: nothing recorded
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  size_t pos = 0, line_no = 0;
  std::unordered_map<std::string, int64_t> first_line;  // record key -> line
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    ++line_no;
    if (nl == std::string::npos) {  // the write of this line never finished
      out.torn_tail = true;
      break;
    }
    const std::string line = data.substr(pos, nl - pos);
    if (!line.empty()) {
      try {
        out.records.push_back(nlohmann::json::parse(line));
      } catch (const std::exception& e) {
        throw std::runtime_error(path + " line " + std::to_string(line_no) + " is not valid JSON: " + e.what());
      }
      std::string key;
      try {
        key = record_key(out.records.back());
      } catch (const std::exception& e) {
        throw std::runtime_error(path + " line " + std::to_string(line_no) +
                                 " is not a sample record (task, sample_id, variant): " + e.what());
      }
      const auto [it, fresh] = first_line.emplace(key, static_cast<int64_t>(line_no));
      if (!fresh)
        out.duplicates.push_back({out.records.size() - 1, static_cast<int64_t>(line_no), it->second});
    }
    pos = nl + 1;
    out.valid_bytes = pos;
  }
  return out;
}

std::vector<std::string> dream_reference_events(const nlohmann::json& record) {
  std::vector<std::string> events = record.value("events", std::vector<std::string>{});
  if (events.empty()) {
    const std::vector<std::string> references = record.value("references", std::vector<std::string>{});
    if (!references.empty()) events.push_back(references.front());
  }
  return events;
}

}  // namespace ppb::reports
