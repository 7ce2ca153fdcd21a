#include "datasets/mvbench_reader.h"

#include <stdexcept>

#include "datasets/annotation_json.h"
#include "datasets/data_paths.h"

namespace ppb::datasets {

std::vector<Sample> read_mvbench_json(const std::string& json_dir, const std::string& video_root,
                                      const MvbenchTask& task) {
  const std::string json_path = confined_item_path(json_dir, task.name + ".json", "MVBench task '" + task.name + "'");
  const nlohmann::json items = read_annotation_array(json_path);
  const std::string task_dir = confined_path(video_root, task.folder, "MVBench task '" + task.name + "' folder");
  std::vector<Sample> out;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& e = items[i];
    Sample s;
    s.id = indexed_id(task.name, i);  // unique within the file by construction
    const std::string where = item_where(json_path, i, s.id);
    s.subtask = task.name;
    read_text_answer_item(e, task_dir, where, s);
    // Bounds are taken as given: segment_midpoint clamps them to the video, as the reference
    // sampler's index arithmetic does, rather than failing the whole task for one odd item.
    if (task.bounded) s.bounds = TimeBounds{number_field(e, "start", where), number_field(e, "end", where)};
    s.folder_fps = task.frames_fps;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ppb::datasets
