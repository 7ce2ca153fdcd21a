#include "datasets/longvideobench_reader.h"

#include <stdexcept>

#include "datasets/annotation_json.h"
#include "datasets/data_paths.h"

namespace ppb::datasets {

std::vector<Sample> read_longvideobench(const LongVideoBenchLayout& layout) {
  const nlohmann::json items = read_annotation_array(layout.annotations);
  std::vector<Sample> out;
  IdPositions ids("id");
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& e = items[i];
    Sample s;
    s.id = id_field(e, "id", item_where(layout.annotations, i));
    const std::string where = item_where(layout.annotations, i, s.id);
    ids.add(s.id, where);
    s.video = confined_item_path(layout.video_dir, string_field(e, "video_path", where), where);
    s.question = string_field(e, "question", where);
    s.candidates = string_list_field(e, "candidates", where);
    const long long choice = integer_field(e, "correct_choice", where);
    if (choice < 0 || choice >= static_cast<long long>(s.candidates.size()))
      throw std::runtime_error(where + ": key 'correct_choice': " + std::to_string(choice) + " is not a candidate index");
    s.answer_index = static_cast<int>(choice);
    s.answer = s.candidates[static_cast<size_t>(choice)];
    if (e.contains("subtitle_path") && !e["subtitle_path"].is_null()) {
      const std::string sub = string_field(e, "subtitle_path", where);
      if (!sub.empty()) s.subtitles = confined_item_path(layout.subtitle_dir, sub, where);
    }
    if (e.contains("starting_timestamp_for_subtitles") && !e["starting_timestamp_for_subtitles"].is_null())
      s.subtitle_offset = number_field(e, "starting_timestamp_for_subtitles", where);
    s.duration_s = optional_number_field(e, "duration", where, 0.0);
    for (const char* key : {"video_id", "duration", "duration_group", "question_category", "topic_category", "level"})
      if (e.contains(key)) s.meta[key] = scalar_text(e[key]);
    s.subtask = s.meta.count("duration_group") ? s.meta["duration_group"] : "";
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ppb::datasets
