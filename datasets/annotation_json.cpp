#include "datasets/annotation_json.h"

#include <cstdio>
#include <stdexcept>

#include "common/json_file.h"
#include "datasets/data_paths.h"

namespace ppb::datasets {

nlohmann::json read_annotation_array(const std::string& path) {
  nlohmann::json j = read_json_file(path, "annotation file");
  if (!j.is_array()) throw std::runtime_error(path + ": expected a JSON array of items");
  for (size_t i = 0; i < j.size(); ++i)
    if (!j[i].is_object()) throw std::runtime_error(item_where(path, i) + ": expected a JSON object");
  return j;
}

nlohmann::json read_annotation_object(const std::string& path) {
  nlohmann::json j = read_json_file(path, "annotation file");
  if (!j.is_object()) throw std::runtime_error(path + ": expected a JSON object");
  return j;
}

std::string item_where(const std::string& file, size_t index) { return file + " item " + std::to_string(index); }

const nlohmann::json& require_key(const nlohmann::json& item, const char* key, const std::string& where) {
  auto it = item.find(key);
  if (it == item.end()) throw std::runtime_error(where + ": missing key '" + key + "'");
  return *it;
}

namespace {
[[noreturn]] void wrong_type(const char* key, const char* expected, const std::string& where) {
  throw std::runtime_error(where + ": key '" + key + "' should be " + expected);
}
}  // namespace

std::string string_field(const nlohmann::json& item, const char* key, const std::string& where) {
  const auto& v = require_key(item, key, where);
  if (!v.is_string()) wrong_type(key, "a string", where);
  return v.get<std::string>();
}

std::string id_field(const nlohmann::json& item, const char* key, const std::string& where) {
  const auto& v = require_key(item, key, where);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.dump();
  wrong_type(key, "a string or an integer", where);
}

double number_field(const nlohmann::json& item, const char* key, const std::string& where) {
  const auto& v = require_key(item, key, where);
  if (!v.is_number()) wrong_type(key, "a number", where);
  return v.get<double>();
}

long long integer_field(const nlohmann::json& item, const char* key, const std::string& where) {
  const auto& v = require_key(item, key, where);
  if (!v.is_number_integer()) wrong_type(key, "an integer", where);
  return v.get<long long>();
}

std::vector<std::string> string_list_field(const nlohmann::json& item, const char* key, const std::string& where) {
  const auto& v = require_key(item, key, where);
  if (!v.is_array()) wrong_type(key, "an array of strings", where);
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) wrong_type(key, "an array of strings", where);
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::string scalar_text(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

int answer_position(const std::vector<std::string>& candidates, const std::string& answer, const std::string& where) {
  for (size_t i = 0; i < candidates.size(); ++i)
    if (candidates[i] == answer) return static_cast<int>(i);
  throw std::runtime_error(where + ": key 'answer': '" + answer + "' is not among the candidates");
}

std::string unique_id_field(const nlohmann::json& item, const char* key, const std::string& where,
                            std::set<std::string>& seen) {
  std::string id = id_field(item, key, where);
  if (!seen.insert(id).second) throw std::runtime_error(where + ": " + key + " '" + id + "' repeats");
  return id;
}

std::string indexed_id(const std::string& task, size_t index) {
  char num[24];
  std::snprintf(num, sizeof num, "%04zu", index);
  return task.empty() ? std::string(num) : task + "/" + num;
}

void read_text_answer_item(const nlohmann::json& e, const std::string& video_dir, const std::string& where,
                           Sample& s) {
  s.video = confined_item_path(video_dir, string_field(e, "video", where), where);
  s.question = string_field(e, "question", where);
  s.candidates = string_list_field(e, "candidates", where);
  s.answer = string_field(e, "answer", where);
  if (s.candidates.size() < 2) throw std::runtime_error(where + ": key 'candidates': fewer than two candidates");
  s.answer_index = answer_position(s.candidates, s.answer, where);
}

}  // namespace ppb::datasets
