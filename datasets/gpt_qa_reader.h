// Reader for the "GPT zero-shot QA" packaging of MSVD-QA, MSRVTT-QA, TGIF-QA and ActivityNet-QA:
// test_q.json holds [{video_name, question, question_id}] and test_a.json [{answer, type?,
// question_id}]. The two files are joined by question_id, never by position.
#pragma once
#include <string>
#include <vector>

#include "datasets/sample.h"

namespace ppb::datasets {

struct GptQaLayout {
  std::string questions;                // path of test_q.json
  std::string answers;                  // path of test_a.json
  std::string video_dir;                // folder holding the videos
  std::string video_prefix;             // put before video_name in file names ("v_" for ActivityNet-QA)
  std::vector<std::string> extensions;  // tried in order; the first when none exists
};

// One open-ended sample per question, in test_q.json order, with id = question_id and
// meta {question_id, video_name, type (when the answer gives one)}. A question without an
// answer, an answer without a question or a repeated question_id is an error naming the id.
std::vector<Sample> read_gpt_qa(const GptQaLayout& layout);

}  // namespace ppb::datasets
