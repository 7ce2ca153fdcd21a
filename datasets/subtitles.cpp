#include "datasets/subtitles.h"

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "datasets/annotation_json.h"

namespace ppb::datasets {
namespace {

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!std::isdigit(c)) return false;
  return true;
}

// "[H]H:MM:SS,mmm", "HH:MM:SS.xx" or "MM:SS.xx" -> seconds; false when malformed (seconds, and the
// minutes of an hours form, must be below 60).
bool parse_clock(const std::string& text, double& seconds) {
  const std::string s = trim(text);
  std::vector<std::string> parts;
  std::string cur;
  for (char c : s) {
    if (c == ':') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  if (parts.size() < 2 || parts.size() > 3) return false;
  std::string sec = parts.back(), frac;
  if (auto p = sec.find_first_of(",."); p != std::string::npos) {
    frac = sec.substr(p + 1);
    sec = sec.substr(0, p);
    if (!all_digits(frac)) return false;
  }
  if (!all_digits(sec) || std::stod(sec) >= 60) return false;
  if (parts.size() == 3 && (!all_digits(parts[1]) || std::stod(parts[1]) >= 60)) return false;
  double total = 0;
  for (size_t k = 0; k + 1 < parts.size(); ++k) {
    if (!all_digits(parts[k])) return false;
    total = total * 60 + std::stod(parts[k]);
  }
  total = total * 60 + std::stod(sec);
  if (!frac.empty()) total += std::stod("0." + frac);
  seconds = total;
  return true;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open subtitle file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double cue_time(const nlohmann::json& v, const char* key, const std::string& where) {
  if (v.is_number()) return v.get<double>();
  double t = 0;
  if (v.is_string() && parse_clock(v.get<std::string>(), t)) return t;
  throw std::runtime_error(where + ": key '" + key + "' should be seconds or HH:MM:SS.xx");
}

}  // namespace

std::vector<SubtitleCue> parse_srt(const std::string& raw, const std::string& where) {
  std::string text = raw;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  std::vector<std::string> lines;
  std::string cur;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      lines.push_back(cur);
      cur.clear();
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  for (size_t k = 0; k < lines.size(); ++k)
    if (const size_t bad = invalid_utf8_offset(lines[k]); bad != std::string::npos)
      throw std::runtime_error(where + " line " + std::to_string(k + 1) + ", column " + std::to_string(bad + 1) +
                               ": text is not valid UTF-8");

  std::vector<SubtitleCue> cues;
  size_t i = 0;
  while (i < lines.size()) {
    if (trim(lines[i]).empty()) {
      ++i;
      continue;
    }
    // A block opens with its cue number (some files leave it out); the timing line must follow.
    if (all_digits(trim(lines[i]))) {
      ++i;
      if (i >= lines.size())
        throw std::runtime_error(where + " line " + std::to_string(i) + ": cue number without a timing line");
    }
    const std::string& timing = lines[i];
    const size_t arrow = timing.find("-->");
    SubtitleCue cue;
    std::string end_part = arrow == std::string::npos ? "" : trim(timing.substr(arrow + 3));
    end_part = end_part.substr(0, end_part.find(' '));  // drop positioning after the end time
    if (arrow == std::string::npos || !parse_clock(timing.substr(0, arrow), cue.start_s) ||
        !parse_clock(end_part, cue.end_s))
      throw std::runtime_error(where + " line " + std::to_string(i + 1) +
                               ": expected 'HH:MM:SS,mmm --> HH:MM:SS,mmm', got '" + timing + "'");
    if (cue.end_s < cue.start_s)  // such a cue would never be shown: dropped without a word
      throw std::runtime_error(where + " line " + std::to_string(i + 1) + ": the cue ends before it starts: '" + timing +
                               "'");
    ++i;
    std::string body;
    while (i < lines.size() && !trim(lines[i]).empty()) {
      body += (body.empty() ? "" : "\n") + lines[i];
      ++i;
    }
    cue.text = body;
    cues.push_back(std::move(cue));
  }
  return cues;
}

std::vector<SubtitleCue> read_srt(const std::string& path) { return parse_srt(read_text(path), path); }

std::vector<SubtitleCue> parse_lvb_subtitles(const nlohmann::json& cues, const std::string& where, double offset_s,
                                             double null_end_s) {
  if (!cues.is_array()) throw std::runtime_error(where + ": expected a JSON array of cues");
  std::vector<SubtitleCue> out;
  for (size_t i = 0; i < cues.size(); ++i) {
    const auto& c = cues[i];
    const std::string at = where + " cue " + std::to_string(i);
    if (!c.is_object()) throw std::runtime_error(at + ": expected a JSON object");
    SubtitleCue cue;
    nlohmann::json start, end;
    const char* text_key = nullptr;
    if (c.contains("timestamp")) {
      const auto& ts = c["timestamp"];
      if (!ts.is_array() || ts.size() != 2) throw std::runtime_error(at + ": key 'timestamp' should be [start, end]");
      start = ts[0];
      end = ts[1];
      text_key = "text";
    } else if (c.contains("start")) {
      start = c["start"];
      end = c.contains("end") ? c["end"] : nlohmann::json();
      text_key = "line";
    } else {
      throw std::runtime_error(at + ": missing key 'timestamp' (or 'start')");
    }
    if (!c.contains(text_key) || !c[text_key].is_string())
      throw std::runtime_error(at + ": missing string key '" + text_key + "'");
    cue.text = string_field(c, text_key, at);
    cue.start_s = cue_time(start, "start", at) - offset_s;
    cue.end_s = (end.is_null() ? null_end_s : cue_time(end, "end", at)) - offset_s;
    out.push_back(std::move(cue));
  }
  return out;
}

std::vector<SubtitleCue> read_lvb_subtitles(const std::string& path, double offset_s, double null_end_s) {
  return parse_lvb_subtitles(read_annotation_json(path), path, offset_s, null_end_s);
}

std::vector<SubtitleCue> read_subtitles(const std::string& path, double offset_s, double null_end_s) {
  const bool srt = path.size() >= 4 && (path.compare(path.size() - 4, 4, ".srt") == 0 ||
                                        path.compare(path.size() - 4, 4, ".SRT") == 0);
  if (!srt) return read_lvb_subtitles(path, offset_s, null_end_s);
  auto cues = read_srt(path);
  for (auto& c : cues) {
    c.start_s -= offset_s;
    c.end_s -= offset_s;
  }
  return cues;
}

std::vector<std::string> cues_at_frames(const std::vector<SubtitleCue>& cues, const std::vector<double>& frame_times) {
  std::vector<std::string> out;
  for (const auto& c : cues)
    for (double t : frame_times)
      if (t >= c.start_s && t < c.end_s) {
        out.push_back(c.text);
        break;
      }
  return out;
}

}  // namespace ppb::datasets
