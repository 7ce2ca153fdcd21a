#include "datasets/egoschema_reader.h"

#include <stdexcept>

#include "datasets/annotation_json.h"
#include "datasets/data_paths.h"

namespace ppb::datasets {

std::vector<Sample> read_egoschema_subset(const EgoSchemaLayout& layout) {
  const nlohmann::json questions = read_annotation_array(layout.questions);
  const nlohmann::json answers = read_annotation_object(layout.answers);
  for (auto it = answers.begin(); it != answers.end(); ++it)
    if (!it.value().is_number_integer() || it.value().get<long long>() < 0 || it.value().get<long long>() > 4)
      throw std::runtime_error(layout.answers + " item '" + it.key() + "': the answer should be an integer 0..4");

  std::vector<Sample> out;
  IdPositions seen("q_uid");
  for (size_t i = 0; i < questions.size(); ++i) {
    const auto& q = questions[i];
    const std::string uid = id_field(q, "q_uid", item_where(layout.questions, i));
    const std::string where = item_where(layout.questions, i, uid);
    seen.add(uid, where);
    auto a = answers.find(uid);
    if (a == answers.end()) continue;  // not in the subset
    Sample s;
    s.id = uid;
    s.question = string_field(q, "question", where);
    for (int k = 0; k < 5; ++k) {
      const std::string key = "option " + std::to_string(k);
      s.candidates.push_back(string_field(q, key.c_str(), where));
    }
    s.answer_index = a->get<int>();
    s.answer = s.candidates[static_cast<size_t>(s.answer_index)];
    s.meta["q_uid"] = uid;
    s.video = find_video(layout.video_dir, uid, layout.extensions, where);
    out.push_back(std::move(s));
  }
  for (auto it = answers.begin(); it != answers.end(); ++it)
    if (!seen.contains(it.key()))
      throw std::runtime_error(layout.answers + " item '" + it.key() + "': q_uid has no question in " +
                               layout.questions);
  return out;
}

}  // namespace ppb::datasets
