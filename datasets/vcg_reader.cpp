#include "datasets/vcg_reader.h"

#include <map>
#include <stdexcept>

#include "datasets/annotation_json.h"
#include "datasets/data_paths.h"

namespace ppb::datasets {

std::vector<Sample> read_vcg_qa(const VcgLayout& layout) {
  const bool consistency = layout.dimension == "consistency";
  if (!consistency && layout.dimension != "generic" && layout.dimension != "temporal")
    throw std::runtime_error(layout.annotations + ": unknown VCG dimension '" + layout.dimension +
                             "' (known: generic, temporal, consistency)");
  const nlohmann::json items = read_annotation_array(layout.annotations);
  std::map<std::string, int> occurrences;
  IdPositions ids("sample id");  // "<video_name>_<k>" cannot repeat, but a repeat would merge two results
  std::vector<Sample> out;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& e = items[i];
    const std::string video_name = id_field(e, "video_name", item_where(layout.annotations, i));
    Sample s;
    s.id = video_name + "_" + std::to_string(occurrences[video_name]++);
    const std::string where = item_where(layout.annotations, i, s.id);
    ids.add(s.id, where);
    s.subtask = layout.dimension;
    if (consistency) {
      s.question = string_field(e, "Q1", where);
      s.question_2 = string_field(e, "Q2", where);
    } else {
      s.question = string_field(e, "Q", where);
    }
    s.answer = string_field(e, "A", where);
    s.meta["video_name"] = video_name;
    s.video = find_video(layout.video_dir, video_name, layout.extensions, where);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ppb::datasets
