// A cheap check that a sample's video can be used: it exists, is not empty, FFmpeg opens it and
// its video stream yields a first picture (a frame folder: it holds images). Used by
// `ppbench data check` before a long run, so that missing or broken files show up at once.
#pragma once
#include <string>
#include <vector>

namespace ppb::datasets {

enum class VideoProblem {
  none,        // usable
  missing,     // no such file or folder
  empty,       // a file of 0 bytes
  unreadable,  // FFmpeg cannot open it, or no picture decodes; a frame folder without images
};
// "ok", "missing", "empty" or "unreadable".
const char* video_problem_name(VideoProblem p);

struct VideoProbe {
  VideoProblem problem = VideoProblem::none;  // what is wrong, if anything
  std::string cause;                          // FFmpeg's or the file system's words for it
};

// Opens `path` and decodes at most its first picture (never the whole stream).
VideoProbe probe_video(const std::string& path);

// Probes every path on `threads` threads (0: one per hardware thread); result i is for paths[i].
std::vector<VideoProbe> probe_videos(const std::vector<std::string>& paths, int threads);

}  // namespace ppb::datasets
