// One benchmark item as the readers produce it, before any protocol is applied.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "datasets/frame_sampling.h"

namespace ppb::datasets {

struct Sample {
  std::string id;                        // unique within its task, e.g. "color/0003" or an upstream question id
  std::string subtask;                   // the upstream sub-task the benchmark averages over, may be empty
  std::string video;                     // path of the video file (or of a frame folder)
  std::string question;                  // question text as the annotation gives it
  std::vector<std::string> candidates;   // answer options, in annotation order; empty for open-ended QA
  std::string answer;                    // the correct candidate's text, or the reference answer (open-ended)
  std::vector<std::string> references;   // captions: every reference text (answer is the first); empty otherwise
  std::vector<std::string> events;       // DREAM-1K: the reference's key events, the judge's recall side; empty otherwise
  std::optional<TimeBounds> bounds;      // [start, end] seconds for bounded items
  std::string question_2;                // VCG consistency's second phrasing; empty otherwise
  int answer_index = -1;                 // position of the answer among candidates; -1 for open-ended
  std::string subtitles;                 // path of a subtitle file (.srt or LongVideoBench .json); empty when none
  double subtitle_offset = 0.0;          // seconds subtracted from cue times (LVB's starting_timestamp_for_subtitles)
  double folder_fps = 0.0;               // frame rate of a frame-folder video; 0 when `video` is a file
  double duration_s = 0.0;               // the video's duration in seconds as the annotation states it; 0 when not given
  std::map<std::string, std::string> meta;  // upstream categories: duration, domain, task_type, question_id ...
};

}  // namespace ppb::datasets
