// Subtitle cues from the two upstream formats: SubRip (.srt, Video-MME) and LongVideoBench's JSON
// cue lists. Prompts that interleave subtitles pick cues by the sampled frames' timestamps.
#pragma once
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppb::datasets {

struct SubtitleCue {
  double start_s = 0.0;  // seconds from the start of the video
  double end_s = 0.0;    // seconds, exclusive; +infinity when the source leaves the end open
  std::string text;      // the cue's lines joined with "\n"
};

// SubRip text: blocks of a cue number, "HH:MM:SS,mmm --> HH:MM:SS,mmm" and one or more text lines,
// separated by blank lines. A UTF-8 BOM and CRLF line ends are accepted; `where` names the source
// in errors, which also give the line number.
std::vector<SubtitleCue> parse_srt(const std::string& text, const std::string& where);
std::vector<SubtitleCue> read_srt(const std::string& path);

// LongVideoBench's cue list: [{timestamp: [start, end], text}] or [{start: "HH:MM:SS.xx", end,
// line}]. `offset_s` (starting_timestamp_for_subtitles) is subtracted from every time; a null end
// is first replaced by `null_end_s` (the reference uses the video's duration), then offset too.
std::vector<SubtitleCue> parse_lvb_subtitles(const nlohmann::json& cues, const std::string& where, double offset_s = 0.0,
                                             double null_end_s = std::numeric_limits<double>::infinity());
std::vector<SubtitleCue> read_lvb_subtitles(const std::string& path, double offset_s = 0.0,
                                            double null_end_s = std::numeric_limits<double>::infinity());

// Either format, by the file's extension (.srt, else JSON); `null_end_s` as above.
std::vector<SubtitleCue> read_subtitles(const std::string& path, double offset_s = 0.0,
                                        double null_end_s = std::numeric_limits<double>::infinity());

// The texts of the cues whose [start, end) holds at least one of `frame_times` (seconds), in cue
// order, each cue once (two cues with the same text both count): Video-MME's
// subtitles-at-the-sampled-frames rule, which deduplicates cue indices.
std::vector<std::string> cues_at_frames(const std::vector<SubtitleCue>& cues, const std::vector<double>& frame_times);

}  // namespace ppb::datasets
