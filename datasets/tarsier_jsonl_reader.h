// Reader for Tarsier's unified JSONL annotations (bytedance/tarsier data/annotations/*.jsonl),
// the layout its caption benchmarks and DREAM-1K come in: one JSON object per line,
//   {idx, dataset, text: {prompt, response[, question]}, video_file, vid[, extra_info]}.
// Caption files (MSVD-Caption, MSR-VTT-Caption) hold a list of reference captions in
// text.response; DREAM-1K holds one reference description there and its key events in
// extra_info.events.
#pragma once
#include <string>
#include <vector>

#include "datasets/sample.h"

namespace ppb::datasets {

struct TarsierJsonlLayout {
  std::string annotations;              // path of the .jsonl file
  std::string video_dir;                // folder holding the videos, named <vid><ext>
  std::vector<std::string> extensions;  // tried in order; the first when none exists
};

// Caption samples in file order. id = vid (unique in the file); references = text.response (a
// non-empty list of non-empty strings; a single string counts as a list of one); answer = the
// first reference; question = text.question when the line has one. The video is <vid><ext> in
// video_dir: `video_file` is upstream's placeholder until its fill-in script runs, so it is
// kept in meta only. meta: idx, dataset, video_file (when filled in).
std::vector<Sample> read_tarsier_captions(const TarsierJsonlLayout& layout);

// DREAM-1K samples in file order. id = vid; subtask = the part of `dataset` after "DREAM/"
// (movie_animation, movie_live_action, shorts, stock, youtube: the subsets Tarsier averages
// over); answer = references[0] = text.response (one non-empty string); events =
// extra_info.events (may be empty: Tarsier then judges the reference text as one event);
// duration_s = extra_info.duration. meta: idx, dataset, n_subjects, n_shots, n_events.
std::vector<Sample> read_dream1k(const TarsierJsonlLayout& layout);

}  // namespace ppb::datasets
