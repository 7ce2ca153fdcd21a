#include "datasets/gpt_qa_reader.h"

#include <map>
#include <stdexcept>

#include "datasets/annotation_json.h"
#include "datasets/data_paths.h"

namespace ppb::datasets {

std::vector<Sample> read_gpt_qa(const GptQaLayout& layout) {
  const nlohmann::json questions = read_annotation_array(layout.questions);
  const nlohmann::json answers = read_annotation_array(layout.answers);

  std::map<std::string, size_t> answer_of;  // question_id -> item in test_a.json
  std::vector<std::string> answer_text;     // per item of test_a.json
  IdPositions answer_ids("question_id");
  for (size_t i = 0; i < answers.size(); ++i) {
    const std::string qid = id_field(answers[i], "question_id", item_where(layout.answers, i));
    const std::string where = item_where(layout.answers, i, qid);
    answer_ids.add(qid, where);  // a second answer for one question
    answer_text.push_back(scalar_field(answers[i], "answer", where));
    answer_of.emplace(qid, i);
  }

  std::vector<Sample> out;
  IdPositions question_ids("question_id");
  for (size_t i = 0; i < questions.size(); ++i) {
    const auto& q = questions[i];
    Sample s;
    s.id = id_field(q, "question_id", item_where(layout.questions, i));
    const std::string where = item_where(layout.questions, i, s.id);
    question_ids.add(s.id, where);
    const std::string video_name = id_field(q, "video_name", where);
    s.question = string_field(q, "question", where);
    auto it = answer_of.find(s.id);
    if (it == answer_of.end())
      throw std::runtime_error(where + ": question_id '" + s.id + "' has no answer in " + layout.answers);
    const auto& a = answers[it->second];
    s.answer = answer_text[it->second];
    if (a.contains("type")) s.meta["type"] = scalar_text(a["type"]);
    s.meta["question_id"] = s.id;
    s.meta["video_name"] = video_name;
    s.video = find_video(layout.video_dir, layout.video_prefix + video_name, layout.extensions, where);
    out.push_back(std::move(s));
  }
  for (size_t i = 0; i < answers.size(); ++i) {
    const std::string qid = id_field(answers[i], "question_id", item_where(layout.answers, i));
    if (!question_ids.contains(qid))
      throw std::runtime_error(item_where(layout.answers, i, qid) + ": question_id '" + qid + "' has no question in " +
                               layout.questions);
  }
  return out;
}

}  // namespace ppb::datasets
