// Reader for LongVideoBench's lvb_val.json: an array of {video_id, id, video_path,
// subtitle_path, correct_choice, question, candidates, duration, duration_group,
// question_category, starting_timestamp_for_subtitles, ...}. Video paths are relative to the
// videos folder, subtitle paths (JSON cue lists) to the subtitles folder.
#pragma once
#include <string>
#include <vector>

#include "datasets/sample.h"

namespace ppb::datasets {

struct LongVideoBenchLayout {
  std::string annotations;   // path of lvb_val.json
  std::string video_dir;     // folder the video_path values are relative to
  std::string subtitle_dir;  // folder the subtitle_path values are relative to
};

// Multiple-choice samples in file order: id = id, answer_index = correct_choice, subtask =
// duration_group, subtitles and subtitle_offset from subtitle_path and
// starting_timestamp_for_subtitles, meta {video_id, duration, duration_group,
// question_category, topic_category, level} for the keys present.
std::vector<Sample> read_longvideobench(const LongVideoBenchLayout& layout);

}  // namespace ppb::datasets
