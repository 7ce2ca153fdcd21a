#include "datasets/tarsier_jsonl_reader.h"

#include <fstream>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "datasets/annotation_json.h"
#include "datasets/data_paths.h"

namespace ppb::datasets {
namespace {

// One parsed line of the file with the prefix its errors carry.
struct Line {
  nlohmann::json item;
  std::string where;  // "<file> line <n>", then " (vid '<id>')" once the id is known
  std::string vid;
};

// Reads every non-blank line as a JSON object with a unique `vid` and a `text` object.
std::vector<Line> read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open annotation file " + path);
  std::vector<Line> out;
  std::map<std::string, size_t> seen;  // vid -> line number
  std::string text;
  for (size_t number = 1; std::getline(in, text); ++number) {
    if (number == 1 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);  // a UTF-8 byte-order mark
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    Line l;
    l.where = path + " line " + std::to_string(number);
    if (const size_t bad = invalid_utf8_offset(text); bad != std::string::npos)
      throw std::runtime_error(l.where + ": not UTF-8 text (byte " + std::to_string(bad + 1) + " of the line)");
    try {
      l.item = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      throw std::runtime_error(l.where + ": not a JSON object (" + e.what() + ")");
    }
    if (!l.item.is_object()) throw std::runtime_error(l.where + ": expected a JSON object");
    l.vid = id_field(l.item, "vid", l.where);
    if (l.vid.empty()) throw std::runtime_error(l.where + ": key 'vid' is empty");
    l.where += " (vid '" + l.vid + "')";
    if (const auto [it, fresh] = seen.emplace(l.vid, number); !fresh)
      throw std::runtime_error(l.where + ": vid '" + l.vid + "' repeats line " + std::to_string(it->second));
    if (!require_key(l.item, "text", l.where).is_object())
      throw std::runtime_error(l.where + ": key 'text' should be an object");
    out.push_back(std::move(l));
  }
  if (out.empty()) throw std::runtime_error(path + ": no annotation lines");
  return out;
}

// The fields every Tarsier line shares: id, video, optional question, meta.
Sample base_sample(const Line& l, const TarsierJsonlLayout& layout) {
  Sample s;
  s.id = l.vid;
  const nlohmann::json& text = l.item["text"];
  if (text.contains("question")) s.question = string_field(text, "question", l.where + " text");
  if (l.item.contains("idx")) s.meta["idx"] = id_field(l.item, "idx", l.where);
  if (l.item.contains("dataset")) s.meta["dataset"] = string_field(l.item, "dataset", l.where);
  if (l.item.contains("video_file")) {
    const std::string file = string_field(l.item, "video_file", l.where);
    if (!file.empty() && file != "<placeholder>") s.meta["video_file"] = file;
  }
  s.video = find_video(layout.video_dir, l.vid, layout.extensions, l.where);
  return s;
}

std::string nonempty(std::string text, const std::string& what, const std::string& where) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw std::runtime_error(where + ": " + what + " is empty");
  return text;
}

}  // namespace

std::vector<Sample> read_tarsier_captions(const TarsierJsonlLayout& layout) {
  std::vector<Sample> out;
  for (const Line& l : read_lines(layout.annotations)) {
    Sample s = base_sample(l, layout);
    const std::string where = l.where + " text";
    const nlohmann::json& response = require_key(l.item["text"], "response", where);
    if (response.is_string()) {
      s.references.push_back(response.get<std::string>());
    } else if (response.is_array()) {
      s.references = string_list_field(l.item["text"], "response", where);
    } else {
      throw std::runtime_error(where + ": key 'response' should be a list of reference captions");
    }
    if (s.references.empty()) throw std::runtime_error(where + ": key 'response' holds no reference captions");
    for (size_t k = 0; k < s.references.size(); ++k)
      nonempty(s.references[k], "reference caption " + std::to_string(k), where);
    s.answer = s.references.front();
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Sample> read_dream1k(const TarsierJsonlLayout& layout) {
  std::vector<Sample> out;
  for (const Line& l : read_lines(layout.annotations)) {
    Sample s = base_sample(l, layout);
    const std::string dataset = string_field(l.item, "dataset", l.where);
    const std::string prefix = "DREAM/";
    if (dataset.compare(0, prefix.size(), prefix) != 0 || dataset.size() == prefix.size())
      throw std::runtime_error(l.where + ": key 'dataset' is '" + dataset + "', expected 'DREAM/<subset>'");
    s.subtask = dataset.substr(prefix.size());
    s.answer = nonempty(string_field(l.item["text"], "response", l.where + " text"), "key 'response'", l.where + " text");
    s.references = {s.answer};
    const nlohmann::json& extra = require_key(l.item, "extra_info", l.where);
    if (!extra.is_object()) throw std::runtime_error(l.where + ": key 'extra_info' should be an object");
    const std::string ewhere = l.where + " extra_info";
    s.events = string_list_field(extra, "events", ewhere);
    for (size_t k = 0; k < s.events.size(); ++k) nonempty(s.events[k], "event " + std::to_string(k), ewhere);
    if (extra.contains("duration")) s.duration_s = number_field(extra, "duration", ewhere);
    for (const char* key : {"n_subjects", "n_shots", "n_events"})
      if (extra.contains(key)) s.meta[key] = scalar_text(extra[key]);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ppb::datasets
