// Reader for EgoSchema's 500-question subset: questions.json holds [{q_uid, question,
// "option 0" .. "option 4"}] for all 5,031 questions and subset_answers.json {q_uid: 0..4} the
// answers of the subset. Videos are <q_uid>.mp4.
#pragma once
#include <string>
#include <vector>

#include "datasets/sample.h"

namespace ppb::datasets {

struct EgoSchemaLayout {
  std::string questions;                // path of questions.json
  std::string answers;                  // path of subset_answers.json
  std::string video_dir;                // folder of the clips
  std::vector<std::string> extensions;  // tried in order (".mp4"); the first when none exists
};

// The questions that have an answer, in questions.json order: id = q_uid, five candidates,
// answer_index from subset_answers.json. An answer for an unknown q_uid is an error naming it.
std::vector<Sample> read_egoschema_subset(const EgoSchemaLayout& layout);

}  // namespace ppb::datasets
