// Reader for Video-MME as a JSON export of its HF table (lmms-lab/Video-MME, config videomme):
// an array of {videoID, duration, domain, sub_category, question_id, task_type, question,
// options ["A. text", ...], answer "A"}. Videos are data/<videoID>.mp4, subtitles
// subtitle/<videoID>.srt (not every video has one).
#pragma once
#include <string>
#include <vector>

#include "datasets/sample.h"

namespace ppb::datasets {

struct VideoMmeLayout {
  std::string annotations;   // path of the JSON export
  std::string video_dir;     // folder of <videoID>.mp4
  std::string subtitle_dir;  // folder of <videoID>.srt
};

// Multiple-choice samples in file order: id = question_id, subtask = duration (short, medium,
// long), candidates = the option texts without their "A. " labels, answer_index from the letter,
// subtitles set only when the .srt exists, meta {duration, domain, sub_category, task_type,
// question_id, video_id when given}.
std::vector<Sample> read_videomme(const VideoMmeLayout& layout);

}  // namespace ppb::datasets
