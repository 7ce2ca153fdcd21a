#include "datasets/mlvu_reader.h"

#include <stdexcept>

#include "datasets/annotation_json.h"
#include "datasets/data_paths.h"

namespace ppb::datasets {

std::vector<Sample> read_mlvu_task(const std::string& json_dir, const std::string& video_root, const MlvuTask& task) {
  const std::string json_path = confined_item_path(json_dir, task.file, "MLVU task '" + task.name + "' file");
  const std::string task_dir = confined_path(video_root, task.folder, "MLVU task '" + task.name + "' folder");
  const nlohmann::json items = read_annotation_array(json_path);
  std::vector<Sample> out;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& e = items[i];
    Sample s;
    s.id = indexed_id(task.name, i);  // unique within the file by construction
    const std::string where = item_where(json_path, i, s.id);
    s.subtask = task.name;
    read_text_answer_item(e, task_dir, where, s);
    s.duration_s = optional_number_field(e, "duration", where, 0.0);
    for (const char* key : {"duration", "question_type"})
      if (e.contains(key)) s.meta[key] = scalar_text(e[key]);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ppb::datasets
