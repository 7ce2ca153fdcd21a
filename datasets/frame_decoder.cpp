#include "datasets/frame_decoder.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "datasets/ffmpeg_util.h"
#include "datasets/frame_converter.h"

namespace ppb::datasets {

void decode_frames(const DecodeJob& job, const std::vector<int64_t>& targets, int codec_threads, DecodeStats& stats,
                   bool& seek_by_pts) {
  if (targets.empty()) return;
  const VideoIndex& idx = *job.index;
  const std::string& path = job.path;
  const bool by_pts = idx.reliable;
  FrameConverter conv(job.geometry, job.rotation);
  const size_t frame_bytes = static_cast<size_t>(job.out_w) * job.out_h * 3;
  std::vector<bool> filled(targets.size(), false);
  std::map<int64_t, size_t> target_of_pts;  // wanted pts -> position in targets
  if (by_pts)
    for (size_t i = 0; i < targets.size(); ++i) target_of_pts[idx.pts[targets[i]]] = i;
  size_t remaining = targets.size();
  int64_t last_pos = -1;  // decode position of the last packet a wanted frame needs
  if (by_pts)
    for (int64_t t : targets) last_pos = std::max(last_pos, idx.decode_pos[t]);

  auto deliver = [&](const AVFrame* f, size_t t) {
    if (filled[t]) return;
    if (conv.output_size(f->width, f->height) != std::make_pair(job.out_w, job.out_h))
      throw std::runtime_error("picture size changes mid-stream at frame " + std::to_string(targets[t]) + ", " + path);
    const auto& slots = job.wanted->at(targets[t]);
    uint8_t* first = job.out + slots.front() * frame_bytes;
    conv.convert(f, first);
    for (size_t j = 1; j < slots.size(); ++j) std::memcpy(job.out + slots[j] * frame_bytes, first, frame_bytes);
    filled[t] = true;
    --remaining;
  };

  DecodeStrategy strategy = by_pts ? job.opts.strategy : DecodeStrategy::sequential;
  bool fell_back = false;
  while (true) {  // one pass; a second, sequential one only if a seek missed its frame
    InputContextPtr format;
    CodecContextPtr codec;
    int stream = -1;
    open_input(path, codec_threads, format, codec, stream, job.opts.max_pixels);
    AVFormatContext* fmt = format.get();
    AVCodecContext* dec = codec.get();
    PacketPtr pkt(av_packet_alloc());
    FramePtr frame(av_frame_alloc());
    int64_t counted = 0;   // output frames so far, when frames are found by counting
    int64_t cur = -1;      // decode-order position of the last packet sent
    bool missed = false;   // a seek landed past a wanted frame
    const int64_t seek_cost = 4 + 2 * codec_threads;  // in packets: flush, seek and the threads' refill
    size_t next = 0;       // first unfilled target
    size_t seeked_for = SIZE_MAX;  // the target of the last seek: never seek twice for one frame

    auto drain = [&]() {
      while (true) {
        const int r = avcodec_receive_frame(dec, frame.get());
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
        check_av(r, "decode failed near frame " + std::to_string(targets[next < targets.size() ? next : 0]), path);
        ++stats.frames_decoded;
        if (by_pts) {
          auto it = target_of_pts.find(frame->pts);
          if (it != target_of_pts.end()) deliver(frame.get(), it->second);
          // A frame later than the next wanted one while that one is still missing: the seek overshot.
          while (next < targets.size() && filled[next]) ++next;
          if (next < targets.size() && frame->pts != AV_NOPTS_VALUE && frame->pts > idx.pts[targets[next]] &&
              idx.frame_of_pts.count(frame->pts))
            missed = true;
        } else {
          auto it = std::lower_bound(targets.begin(), targets.end(), counted);
          if (it != targets.end() && *it == counted) deliver(frame.get(), static_cast<size_t>(it - targets.begin()));
          ++counted;
        }
        av_frame_unref(frame.get());
      }
    };

    bool holding = false;  // pkt holds the packet read after a seek, not yet sent
    // Seeks to the keyframe of frame t; false when the stream cannot seek. Demuxers disagree on
    // what a seek timestamp means (MP4 matches presentation times, others decode times): the
    // keyframe's own pts is tried first, and if that lands past the keyframe the conservative
    // min(pts, dts) is used from then on. Landing early only costs decoding.
    auto seek_to_key = [&](int64_t t) {
      const int64_t key = idx.key_decode_pos[t];
      for (int attempt = 0; attempt < 2; ++attempt) {
        const bool by_key_pts = seek_by_pts && attempt == 0;
        const int64_t ts = by_key_pts ? idx.key_pts[t] : idx.key_seek_ts[t];
        if (av_seek_frame(fmt, stream, ts, AVSEEK_FLAG_BACKWARD) < 0) return false;
        avcodec_flush_buffers(dec);
        ++stats.seeks;
        holding = false;
        int r;
        while ((r = av_read_frame(fmt, pkt.get())) >= 0 && pkt->stream_index != stream) av_packet_unref(pkt.get());
        if (r < 0) return true;  // nothing after the seek point: the frame check below reports it
        holding = true;
        auto f = pkt->pts == AV_NOPTS_VALUE ? idx.frame_of_pts.end() : idx.frame_of_pts.find(pkt->pts);
        const bool overshot = f != idx.frame_of_pts.end() && idx.decode_pos[f->second] > key;
        if (!overshot || !by_key_pts) return true;
        seek_by_pts = false;
        av_packet_unref(pkt.get());
        holding = false;
      }
      return true;
    };

    while (remaining > 0 && !missed) {
      while (next < targets.size() && filled[next]) ++next;
      if (strategy != DecodeStrategy::sequential && next < targets.size() && seeked_for != next) {
        const int64_t t = targets[next];
        const int64_t key = idx.key_decode_pos[t], d = idx.decode_pos[t];
        const bool ahead = key > cur;
        const bool worth = strategy == DecodeStrategy::seek || (d - cur) > (d - key) + seek_cost;
        if (ahead && worth && idx.key_seek_ts[t] != INT64_MIN) {
          if (!seek_to_key(t)) {
            missed = true;  // not seekable: finish with one sequential pass
            break;
          }
          seeked_for = next;
          cur = key;
        }
      }
      // Decode up to the next wanted frame's packet (and its reordering delay).
      if (!holding) {
        const int r = av_read_frame(fmt, pkt.get());
        if (r == AVERROR_EOF) break;
        check_av(r, "read failed", path);
        if (pkt->stream_index != stream) {
          av_packet_unref(pkt.get());
          continue;
        }
      }
      holding = false;
      if (by_pts && pkt->pts != AV_NOPTS_VALUE) {
        auto f = idx.frame_of_pts.find(pkt->pts);
        if (f != idx.frame_of_pts.end()) cur = idx.decode_pos[f->second];
        // Unwanted frames that nothing refers to need not be decoded at all.
        const bool want = target_of_pts.count(pkt->pts) > 0;
        dec->skip_frame = (job.opts.skip_nonref && !want) ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
      }
      const int s = avcodec_send_packet(dec, pkt.get());
      av_packet_unref(pkt.get());
      ++stats.packets_sent;
      if (s < 0 && s != AVERROR(EAGAIN) && s != AVERROR_INVALIDDATA)
        check_av(s, "cannot decode packet near frame " + std::to_string(targets[std::min(next, targets.size() - 1)]), path);
      drain();
      // Once the last packet a wanted frame needs is in, only the decoder's reordering delay
      // remains: flush rather than read on.
      if (by_pts && strategy != DecodeStrategy::sequential && cur >= last_pos) break;
    }
    if (remaining > 0 && !missed) {  // the decoder still holds the last frames
      dec->skip_frame = AVDISCARD_DEFAULT;
      avcodec_send_packet(dec, nullptr);
      drain();
    }
    if (remaining == 0) break;
    if (strategy == DecodeStrategy::sequential || fell_back)
      throw std::runtime_error("frame " + std::to_string(targets[next < targets.size() ? next : 0]) +
                               " could not be decoded (" + std::to_string(stats.frames_decoded) +
                               " pictures came out), " + path);
    // A seek did not land where the index said: decode the rest in one pass from the start.
    fell_back = true;
    strategy = DecodeStrategy::sequential;
  }
  if (fell_back) stats.strategy = "mixed";
}

std::vector<std::vector<int64_t>> split_by_keyframes(const VideoIndex& idx, const std::vector<int64_t>& targets,
                                                     int parts) {
  // Runs of targets that share a keyframe stay together: splitting one would decode its prefix twice.
  struct Run {
    size_t begin, end;
    int64_t cost;
  };
  std::vector<Run> runs;
  for (size_t i = 0; i < targets.size();) {
    size_t j = i;
    while (j < targets.size() && idx.key_decode_pos[targets[j]] == idx.key_decode_pos[targets[i]]) ++j;
    runs.push_back({i, j, idx.decode_pos[targets[j - 1]] - idx.key_decode_pos[targets[i]] + 1});
    i = j;
  }
  parts = std::max(1, std::min<int>(parts, static_cast<int>(runs.size())));
  int64_t total = 0;
  for (const auto& r : runs) total += std::max<int64_t>(1, r.cost);
  std::vector<std::vector<int64_t>> out(1);
  int64_t acc = 0;
  for (size_t r = 0; r < runs.size(); ++r) {
    // Start a new part once this one holds its share, while runs remain for the parts left.
    const int64_t share = total * static_cast<int64_t>(out.size()) / parts;
    if (!out.back().empty() && acc >= share && static_cast<int>(out.size()) < parts) out.emplace_back();
    out.back().insert(out.back().end(), targets.begin() + runs[r].begin, targets.begin() + runs[r].end);
    acc += std::max<int64_t>(1, runs[r].cost);
  }
  return out;
}

}  // namespace ppb::datasets
