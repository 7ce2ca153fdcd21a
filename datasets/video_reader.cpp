#include "datasets/video_reader.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>

#include "datasets/ffmpeg_util.h"

namespace ppb::datasets {

struct VideoReader::State {
  InputContextPtr format;
  CodecContextPtr codec;
  int stream = -1;
};

VideoReader::VideoReader(const std::string& path, int decode_threads) : path_(path), threads_(decode_threads) {
  quiet_ffmpeg_logs();
  open();
  AVStream* st = state_->format->streams[state_->stream];
  info_.width = state_->codec->width;
  info_.height = state_->codec->height;
  info_.codec = state_->codec->codec->name;
  AVRational rate = av_guess_frame_rate(state_->format.get(), st, nullptr);
  info_.fps = rate.den > 0 ? av_q2d(rate) : 0.0;
  info_.frames_total = st->nb_frames;
  if (info_.frames_total <= 0) {
    // Containers such as WebM and MKV carry no frame count: count the stream's packets, then rewind by reopening.
    PacketPtr pkt(av_packet_alloc());
    int64_t n = 0;
    while (av_read_frame(state_->format.get(), pkt.get()) >= 0) {
      if (pkt->stream_index == state_->stream) ++n;
      av_packet_unref(pkt.get());
    }
    info_.frames_total = n;
    info_.frames_counted = true;
    open();
  }
  if (info_.frames_total <= 0) throw std::runtime_error("video has no frames, " + path_);
}

VideoReader::~VideoReader() = default;

void VideoReader::open() {
  auto s = std::make_unique<State>();
  AVFormatContext* raw = nullptr;
  check_av(avformat_open_input(&raw, path_.c_str(), nullptr, nullptr), "cannot open video", path_);
  s->format.reset(raw);
  check_av(avformat_find_stream_info(raw, nullptr), "cannot read stream info", path_);
  const AVCodec* dec = nullptr;
  s->stream = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, &dec, 0);
  check_av(s->stream, "no decodable video stream", path_);
  s->codec.reset(avcodec_alloc_context3(dec));
  if (!s->codec) throw std::runtime_error("cannot allocate decoder, " + path_);
  check_av(avcodec_parameters_to_context(s->codec.get(), raw->streams[s->stream]->codecpar), "bad codec parameters",
           path_);
  s->codec->thread_count = threads_;
  check_av(avcodec_open2(s->codec.get(), dec, nullptr), "cannot open decoder", path_);
  state_ = std::move(s);
}

at::Tensor VideoReader::read_frames(const std::vector<int64_t>& indices, int size) {
  if (indices.empty()) throw std::runtime_error("no frame indices requested, " + path_);
  for (int64_t i : indices)
    if (i < 0) throw std::runtime_error("negative frame index " + std::to_string(i) + ", " + path_);
  // Each wanted index maps to the output slots that take it (an index may repeat).
  std::map<int64_t, std::vector<size_t>> wanted;
  for (size_t slot = 0; slot < indices.size(); ++slot) wanted[indices[slot]].push_back(slot);
  const int64_t T = static_cast<int64_t>(indices.size());
  at::Tensor out = at::empty({T, size, size, 3}, at::kByte);
  uint8_t* base = out.data_ptr<uint8_t>();
  const size_t frame_bytes = static_cast<size_t>(size) * size * 3;

  open();  // always decode from the first frame so that counting is exact
  AVFormatContext* fmt = state_->format.get();
  AVCodecContext* dec = state_->codec.get();
  PacketPtr pkt(av_packet_alloc());
  FramePtr frame(av_frame_alloc());
  SwsContext* sws = nullptr;
  SwsPtr sws_owner;
  int64_t k = 0;  // presentation-order index of the next decoded frame
  auto it = wanted.begin();

  auto take = [&](AVFrame* f) {
    if (it == wanted.end() || k != it->first) return;
    sws = sws_getCachedContext(sws, f->width, f->height, static_cast<AVPixelFormat>(f->format), size, size,
                               AV_PIX_FMT_RGB24, SWS_BICUBIC, nullptr, nullptr, nullptr);
    if (sws_owner.get() != sws) {
      sws_owner.release();
      sws_owner.reset(sws);
    }
    if (!sws) throw std::runtime_error("cannot create the colour converter, " + path_);
    uint8_t* first_slot = base + it->second.front() * frame_bytes;
    uint8_t* dst[4] = {first_slot, nullptr, nullptr, nullptr};
    int dst_stride[4] = {size * 3, 0, 0, 0};
    sws_scale(sws, f->data, f->linesize, 0, f->height, dst, dst_stride);
    for (size_t j = 1; j < it->second.size(); ++j)
      std::memcpy(base + it->second[j] * frame_bytes, first_slot, frame_bytes);
    ++it;
  };
  auto drain = [&]() {
    while (true) {
      int r = avcodec_receive_frame(dec, frame.get());
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
      check_av(r, "decode failed at frame " + std::to_string(k), path_);
      take(frame.get());
      ++k;
      av_frame_unref(frame.get());
    }
  };
  while (it != wanted.end()) {
    int r = av_read_frame(fmt, pkt.get());
    if (r == AVERROR_EOF) break;
    check_av(r, "read failed", path_);
    if (pkt->stream_index == state_->stream) {
      int s = avcodec_send_packet(dec, pkt.get());
      av_packet_unref(pkt.get());
      if (s < 0 && s != AVERROR(EAGAIN)) check_av(s, "cannot decode packet near frame " + std::to_string(k), path_);
      drain();
    } else {
      av_packet_unref(pkt.get());
    }
  }
  if (it != wanted.end()) {  // flush the frames the decoder still holds
    avcodec_send_packet(dec, nullptr);
    drain();
  }
  if (it != wanted.end())
    throw std::runtime_error("frame " + std::to_string(it->first) + " requested but only " + std::to_string(k) +
                             " frames decode, " + path_);
  return out;
}

}  // namespace ppb::datasets
