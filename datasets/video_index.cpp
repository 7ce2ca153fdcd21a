#include "datasets/video_index.h"

#include <algorithm>
#include <numeric>

namespace ppb::datasets {

VideoIndex build_video_index(AVFormatContext* fmt, int stream) {
  struct Entry {
    int64_t pts, dts, pos;
    bool key;
  };
  std::vector<Entry> entries;
  VideoIndex idx;
  PacketPtr pkt(av_packet_alloc());
  while (av_read_frame(fmt, pkt.get()) >= 0) {
    if (pkt->stream_index == stream) {
      const int64_t pos = idx.packets++;
      // Packets marked for discard (before an edit list's start) are decoded for reference but never shown.
      if (!(pkt->flags & AV_PKT_FLAG_DISCARD)) {
        if (pkt->pts == AV_NOPTS_VALUE) idx.reliable = false;
        entries.push_back({pkt->pts, pkt->dts, pos, (pkt->flags & AV_PKT_FLAG_KEY) != 0});
      }
    }
    av_packet_unref(pkt.get());
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.pts < b.pts; });
  int64_t key_pos = -1, key_ts = 0, key_pts = 0;
  for (size_t k = 0; k < entries.size(); ++k) {
    const Entry& e = entries[k];
    if (k > 0 && e.pts == entries[k - 1].pts) idx.reliable = false;
    if (e.key) {
      key_pos = e.pos;
      key_pts = e.pts;
      key_ts = e.dts == AV_NOPTS_VALUE ? e.pts : std::min(e.pts, e.dts);  // never past the keyframe when seeking back
    }
    idx.pts.push_back(e.pts);
    idx.decode_pos.push_back(e.pos);
    // Frames before the first keyframe (an open start) can only be reached from the beginning.
    idx.key_decode_pos.push_back(key_pos < 0 ? 0 : key_pos);
    idx.key_pts.push_back(key_pos < 0 ? INT64_MIN : key_pts);
    idx.key_seek_ts.push_back(key_pos < 0 ? INT64_MIN : key_ts);
    idx.frame_of_pts[e.pts] = static_cast<int64_t>(k);
  }
  if (entries.empty()) idx.reliable = false;
  return idx;
}

}  // namespace ppb::datasets
