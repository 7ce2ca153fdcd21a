// The packet index of a video stream, from one demuxing pass (no decoding): every frame's
// presentation timestamp, its position in decode order and the keyframe to start decoding it
// from. It makes frame k (k-th in presentation order) addressable by timestamp, so that a seek
// lands exactly and the decoder can skip what no wanted frame depends on. Internal to datasets/.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "datasets/ffmpeg_util.h"

namespace ppb::datasets {

struct VideoIndex {
  // Presentation order: frame k has timestamp pts[k] (stream time base).
  std::vector<int64_t> pts;
  // Decode-order position of frame k's packet.
  std::vector<int64_t> decode_pos;
  // For frame k: the decode-order position and seek timestamp of the keyframe to start from
  // (the last keyframe at or before it in presentation order).
  // key_pts is the keyframe's presentation timestamp; key_seek_ts = min(pts, dts), which never
  // lands past the keyframe whichever timestamp a demuxer seeks by. INT64_MIN: no keyframe before.
  std::vector<int64_t> key_decode_pos;
  std::vector<int64_t> key_pts;
  std::vector<int64_t> key_seek_ts;
  // pts -> presentation index.
  std::unordered_map<int64_t, int64_t> frame_of_pts;
  // False when some packet lacks a timestamp or two share one: frames are then found by
  // counting decoder output in one sequential pass, and nothing is skipped.
  bool reliable = true;
  int64_t packets = 0;  // video packets in decode order (including ones marked for discard)
  int64_t frames() const { return static_cast<int64_t>(pts.size()); }
};

// Reads every packet of `stream` from the current position of `fmt` (which it consumes).
VideoIndex build_video_index(AVFormatContext* fmt, int stream);

}  // namespace ppb::datasets
