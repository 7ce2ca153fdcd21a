#include "datasets/videomme_reader.h"

#include <filesystem>
#include <stdexcept>

#include "datasets/annotation_json.h"
#include "datasets/data_paths.h"

namespace ppb::datasets {
namespace {

// "B. text" -> "text"; the label must be the option's own letter.
std::string option_text(const std::string& option, size_t position, const std::string& where) {
  const char letter = static_cast<char>('A' + position);
  if (option.size() < 2 || option[0] != letter || option[1] != '.')
    throw std::runtime_error(where + ": key 'options': option " + std::to_string(position) + " '" + option +
                             "' does not start with '" + letter + ".'");
  size_t k = 2;
  while (k < option.size() && option[k] == ' ') ++k;
  return option.substr(k);
}

}  // namespace

std::vector<Sample> read_videomme(const VideoMmeLayout& layout) {
  const nlohmann::json items = read_annotation_array(layout.annotations);
  std::vector<Sample> out;
  IdPositions ids("question_id");
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& e = items[i];
    Sample s;
    s.id = id_field(e, "question_id", item_where(layout.annotations, i));
    const std::string where = item_where(layout.annotations, i, s.id);
    ids.add(s.id, where);
    const std::string video_id = id_field(e, "videoID", where);
    s.question = string_field(e, "question", where);
    const auto options = string_list_field(e, "options", where);
    if (options.size() < 2 || options.size() > 26)
      throw std::runtime_error(where + ": key 'options': expected 2 to 26 options");
    for (size_t k = 0; k < options.size(); ++k) s.candidates.push_back(option_text(options[k], k, where));
    const std::string letter = string_field(e, "answer", where);
    if (letter.size() != 1 || letter[0] < 'A' || letter[0] >= static_cast<char>('A' + options.size()))
      throw std::runtime_error(where + ": key 'answer': '" + letter + "' is not the letter of an option");
    s.answer_index = letter[0] - 'A';
    s.answer = s.candidates[static_cast<size_t>(s.answer_index)];
    for (const char* key : {"duration", "domain", "sub_category", "task_type"})
      s.meta[key] = string_field(e, key, where);
    s.meta["question_id"] = s.id;
    if (e.contains("video_id")) s.meta["video_id"] = scalar_text(e["video_id"]);
    s.subtask = s.meta["duration"];
    s.video = confined_path(layout.video_dir, video_id + ".mp4", where);
    const std::string srt = confined_path(layout.subtitle_dir, video_id + ".srt", where);
    std::error_code ec;
    if (std::filesystem::is_regular_file(srt, ec)) s.subtitles = srt;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ppb::datasets
