#include "datasets/annotation_json.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "datasets/data_paths.h"

namespace ppb::datasets {
namespace {

// The offset of the first ill-formed UTF-8 sequence at or after `start`, or npos.
size_t invalid_utf8_from(const std::string& s, size_t start) {
  size_t i = start;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;      // continuation bytes
    unsigned cp = 0;   // the code point
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return i;  // a continuation byte without a lead, 0xC0/0xC1 (always overlong) or 0xF5..0xFF
    }
    if (i + n >= s.size()) return i;  // cut short by the end of the text
    for (size_t k = 1; k <= n; ++k) {
      const auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0u) != 0x80u) return i;
      cp = (cp << 6) | (t & 0x3Fu);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += n + 1;
  }
  return std::string::npos;
}

std::string hex_byte(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", c);
  return buf;
}

std::string file_position(const std::string& file, const std::string& text, size_t offset) {
  const TextPosition p = text_position(text, offset);
  return file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

// Where `marker` sits below `v`: "key 'text.response[0]'" style paths, "" when not found.
bool locate_marker(const nlohmann::json& v, const std::string& marker, std::string& path) {
  if (v.is_string()) return v.get_ref<const std::string&>().find(marker) != std::string::npos;
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key().find(marker) != std::string::npos) {
        path = "a key name";
        return true;
      }
      std::string sub;
      if (locate_marker(it.value(), marker, sub)) {
        path = it.key() + (sub.empty() || sub[0] == '[' ? sub : "." + sub);
        return true;
      }
    }
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) {
      std::string sub;
      if (locate_marker(v[i], marker, sub)) {
        path = "[" + std::to_string(i) + "]" + (sub.empty() || sub[0] == '[' ? sub : "." + sub);
        return true;
      }
    }
  }
  return false;
}

// ", key 'a.b[2]'" or ", a key name" after an item, from a locate_marker path.
std::string key_suffix(const std::string& path) {
  if (path.empty()) return "";
  return path == "a key name" ? ", a key name" : ", key '" + path + "'";
}

// The error for text whose first ill-formed UTF-8 byte is at `bad`: the position, and the item and
// key holding it, found by parsing a copy with that byte replaced by a marker the text lacks.
std::string utf8_error(const std::string& text, size_t bad, const std::string& file) {
  std::string marker;
  for (unsigned cp = 0xE000; cp <= 0xF8FF && marker.empty(); ++cp) {
    const std::string m = {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                           static_cast<char>(0x80 | (cp & 0x3F))};
    if (text.find(m) == std::string::npos) marker = m;
  }
  std::string repaired;
  size_t from = 0;
  for (size_t at = bad; at != std::string::npos; at = invalid_utf8_from(text, from)) {
    repaired.append(text, from, at - from);
    repaired += at == bad ? marker : std::string("\xEF\xBF\xBD");  // later bad bytes: U+FFFD
    from = at + 1;
  }
  repaired.append(text, from, std::string::npos);
  std::string where;
  const nlohmann::json j = nlohmann::json::parse(repaired, nullptr, /*allow_exceptions=*/false);
  if (!marker.empty() && !j.is_discarded()) {
    if (j.is_array()) {
      for (size_t i = 0; i < j.size() && where.empty(); ++i) {
        std::string path;
        if (locate_marker(j[i], marker, path))
          where = "item " + std::to_string(i) + key_suffix(path);
      }
    } else if (j.is_object()) {
      for (auto it = j.begin(); it != j.end() && where.empty(); ++it) {
        std::string path;
        if (it.key().find(marker) != std::string::npos)
          where = "a key name";
        else if (locate_marker(it.value(), marker, path))
          where = "item '" + it.key() + "'" + key_suffix(path);
      }
    }
  }
  return file_position(file, text, bad) + ": " + (where.empty() ? "" : where + ": ") + "text is not valid UTF-8 (byte " +
         hex_byte(static_cast<unsigned char>(text[bad])) + ")";
}

// nlohmann's parse error text without its "[json.exception...] parse error at line L, column C: " prefix.
std::string parse_error_detail(const std::string& what) {
  const size_t at = what.find("parse error");
  if (at == std::string::npos) return what;
  const size_t colon = what.find(": ", at);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace

size_t invalid_utf8_offset(const std::string& text) { return invalid_utf8_from(text, 0); }

void require_utf8(const std::string& text, const std::string& where) {
  const size_t bad = invalid_utf8_offset(text);
  if (bad != std::string::npos)
    throw std::runtime_error(where + ": text is not valid UTF-8 (byte " + hex_byte(static_cast<unsigned char>(text[bad])) +
                             " at offset " + std::to_string(bad) + ")");
}

TextPosition text_position(const std::string& text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  TextPosition p;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++p.line;
      line_start = i + 1;
    }
  p.column = offset - line_start + 1;
  return p;
}

nlohmann::json parse_annotation_text(const std::string& text, const std::string& file) {
  if (const size_t bad = invalid_utf8_offset(text); bad != std::string::npos)
    throw std::runtime_error(utf8_error(text, bad, file));
  // The parse callback sees every key; one set of keys per open object finds repeats, and the
  // count of finished top-level values says which item of a top-level array holds them.
  std::vector<std::set<std::string>> open_keys;
  bool top_array = false;
  size_t item = 0;
  std::string top_key;
  auto check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    switch (event) {
      case E::object_start:
        open_keys.emplace_back();
        break;
      case E::array_start:
        if (depth == 0) top_array = true;
        break;
      case E::key: {
        const std::string& k = parsed.get_ref<const std::string&>();
        if (depth == 1 && !top_array) top_key = k;
        if (!open_keys.back().insert(k).second) {
          const std::string at = top_array ? item_where(file, item)
                                 : depth == 1 ? file : file + " item '" + top_key + "'";
          throw std::runtime_error(at + ": key '" + k + "' appears twice in one object");
        }
        break;
      }
      case E::object_end:
        open_keys.pop_back();
        if (depth == 1 && top_array) ++item;
        break;
      case E::array_end:
      case E::value:
        if (depth == 1 && top_array) ++item;
        break;
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text, check);
  } catch (const nlohmann::json::parse_error& e) {
    const size_t offset = e.byte > 0 ? e.byte - 1 : 0;  // nlohmann counts bytes from 1
    throw std::runtime_error(file_position(file, text, offset) + ": malformed JSON: " + parse_error_detail(e.what()));
  }
}

nlohmann::json read_annotation_json(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw std::runtime_error(path + " is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_annotation_text(ss.str(), path);
}

nlohmann::json read_annotation_array(const std::string& path) {
  nlohmann::json j = read_annotation_json(path);
  if (!j.is_array()) throw std::runtime_error(path + ": expected a JSON array of items");
  for (size_t i = 0; i < j.size(); ++i)
    if (!j[i].is_object()) throw std::runtime_error(item_where(path, i) + ": expected a JSON object");
  return j;
}

nlohmann::json read_annotation_object(const std::string& path) {
  nlohmann::json j = read_annotation_json(path);
  if (!j.is_object()) throw std::runtime_error(path + ": expected a JSON object");
  return j;
}

std::string item_where(const std::string& file, size_t index) { return file + " item " + std::to_string(index); }

std::string item_where(const std::string& file, size_t index, const std::string& id) {
  return item_where(file, index) + " (id '" + id + "')";
}

void IdPositions::add(const std::string& id, const std::string& where) {
  const auto [it, fresh] = first_.emplace(id, where);
  if (!fresh) throw std::runtime_error(where + ": " + what_ + " '" + id + "' repeats; first at " + it->second);
}

void check_unique_sample_ids(const std::vector<Sample>& samples, const std::string& what) {
  std::map<std::string, size_t> first;
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto [it, fresh] = first.emplace(samples[i].id, i);
    if (!fresh) {
      const Sample& a = samples[it->second];
      throw std::runtime_error(what + ": sample " + std::to_string(it->second) +
                               (a.subtask.empty() ? "" : " (subtask '" + a.subtask + "')") + " and sample " +
                               std::to_string(i) +
                               (samples[i].subtask.empty() ? "" : " (subtask '" + samples[i].subtask + "')") +
                               " have the same id '" + samples[i].id + "'");
    }
  }
}

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
  require_utf8(v.get_ref<const std::string&>(), where + ": key '" + key + "'");
  return v.get<std::string>();
}

std::string id_field(const nlohmann::json& item, const char* key, const std::string& where) {
  const auto& v = require_key(item, key, where);
  if (v.is_string()) {
    require_utf8(v.get_ref<const std::string&>(), where + ": key '" + key + "'");
    return v.get<std::string>();
  }
  if (v.is_number_integer()) return v.dump();
  wrong_type(key, "a string or an integer", where);
}

std::string scalar_field(const nlohmann::json& item, const char* key, const std::string& where) {
  const auto& v = require_key(item, key, where);
  if (v.is_string()) {
    require_utf8(v.get_ref<const std::string&>(), where + ": key '" + key + "'");
    return v.get<std::string>();
  }
  if (v.is_number()) return v.dump();
  wrong_type(key, "a string or a number", where);
}

double optional_number_field(const nlohmann::json& item, const char* key, const std::string& where, double fallback) {
  auto it = item.find(key);
  if (it == item.end() || it->is_null()) return fallback;
  return number_field(item, key, where);
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
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) wrong_type(key, "an array of strings", where);
    require_utf8(v[i].get_ref<const std::string&>(), where + ": key '" + key + "' [" + std::to_string(i) + "]");
    out.push_back(v[i].get<std::string>());
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

std::string unique_id_field(const nlohmann::json& item, const char* key, const std::string& where, IdPositions& seen) {
  std::string id = id_field(item, key, where);
  seen.add(id, where);
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
