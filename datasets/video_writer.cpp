#include "datasets/video_writer.h"

#include <stdexcept>

#include "datasets/ffmpeg_util.h"

extern "C" {
#include <libavutil/display.h>
}

namespace ppb::datasets {

struct VideoWriter::State {
  OutputContextPtr format;
  CodecContextPtr codec;
  AVStream* stream = nullptr;
  FramePtr frame;
  PacketPtr packet;
  SwsPtr sws;
  VideoWriterOptions opts;
  int64_t next_pts = 0;
};

VideoWriter::VideoWriter(const std::string& path, const VideoWriterOptions& o) : s_(std::make_unique<State>()), path_(path) {
  s_->opts = o;
  AVFormatContext* raw = nullptr;
  check_av(avformat_alloc_output_context2(&raw, nullptr, nullptr, path.c_str()), "cannot create an output for", path);
  s_->format.reset(raw);
  raw->flags |= AVFMT_FLAG_BITEXACT;  // no library version strings or times in the file
  const AVCodec* enc = avcodec_find_encoder_by_name(o.codec.c_str());
  if (!enc) throw std::runtime_error("FFmpeg has no encoder '" + o.codec + "', " + path);
  s_->stream = avformat_new_stream(raw, nullptr);
  s_->codec.reset(avcodec_alloc_context3(enc));
  AVCodecContext* c = s_->codec.get();
  c->width = o.width;
  c->height = o.height;
  c->time_base = AVRational{1, o.fps};
  c->framerate = AVRational{o.fps, 1};
  // Lossless image codecs keep RGB (and any size, 1x1 included); the others take YUV 4:2:0.
  const bool rgb = o.codec == "png";
  c->pix_fmt = rgb ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_YUV420P;
  c->gop_size = o.gop;
  c->max_b_frames = o.max_b_frames;
  c->bit_rate = o.bit_rate;
  c->thread_count = 1;  // one thread: the same input gives the same bytes
  c->flags |= AV_CODEC_FLAG_BITEXACT;
  if (raw->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary* enc_opts = nullptr;
  if (o.codec == "libx264") av_dict_set(&enc_opts, "x264-params", "scenecut=0:threads=1", 0);  // GOPs exactly as asked
  const int opened = avcodec_open2(c, enc, &enc_opts);
  av_dict_free(&enc_opts);
  check_av(opened, "cannot open the encoder " + o.codec, path);
  check_av(avcodec_parameters_from_context(s_->stream->codecpar, c), "cannot set stream parameters", path);
  s_->stream->time_base = c->time_base;
  if (o.rotation != 0) {
    uint8_t* side = av_stream_new_side_data(s_->stream, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t));
    if (!side) throw std::runtime_error("cannot store the rotation, " + path);
    // MP4 writes the matrix for the stored picture; read back, it asks for this clockwise turn.
    av_display_rotation_set(reinterpret_cast<int32_t*>(side), o.rotation);
  }
  check_av(avio_open(&raw->pb, path.c_str(), AVIO_FLAG_WRITE), "cannot open for writing", path);
  check_av(avformat_write_header(raw, nullptr), "cannot write the container header", path);
  s_->frame.reset(av_frame_alloc());
  s_->frame->format = c->pix_fmt;
  s_->frame->width = c->width;
  s_->frame->height = c->height;
  check_av(av_frame_get_buffer(s_->frame.get(), 0), "cannot allocate a frame", path);
  s_->packet.reset(av_packet_alloc());
  s_->sws.reset(sws_getContext(o.width, o.height, AV_PIX_FMT_RGB24, o.width, o.height, c->pix_fmt,
                               SWS_BICUBIC | SWS_BITEXACT | SWS_ACCURATE_RND, nullptr, nullptr, nullptr));
  if (!s_->sws) throw std::runtime_error("cannot create the RGB to YUV converter, " + path);
}

VideoWriter::~VideoWriter() {
  if (!finished_) {
    try {
      finish();
    } catch (...) {
      // A destructor must not throw; the file is left incomplete, which a reader reports.
    }
  }
}

namespace {
void drain_packets(AVCodecContext* c, AVFormatContext* f, AVStream* st, AVPacket* p, const std::string& path,
                   bool variable_rate) {
  while (true) {
    int r = avcodec_receive_packet(c, p);
    if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
    check_av(r, "encode failed", path);
    // Some encoders leave durations unset; the MP4 muxer's edit list then ends before the last
    // frame, and demuxers drop it. Each frame lasts until the next one's timestamp.
    if (p->duration <= 0 && p->pts != AV_NOPTS_VALUE) p->duration = variable_rate ? 1 + (p->pts % 3) : 1;
    av_packet_rescale_ts(p, c->time_base, st->time_base);
    p->stream_index = st->index;
    check_av(av_interleaved_write_frame(f, p), "cannot write a packet", path);
  }
}
}  // namespace

void VideoWriter::write_rgb(const uint8_t* rgb) {
  check_av(av_frame_make_writable(s_->frame.get()), "frame not writable", path_);
  const uint8_t* src[4] = {rgb, nullptr, nullptr, nullptr};
  int src_stride[4] = {s_->opts.width * 3, 0, 0, 0};
  sws_scale(s_->sws.get(), src, src_stride, 0, s_->opts.height, s_->frame->data, s_->frame->linesize);
  s_->frame->pts = s_->next_pts;
  s_->next_pts += s_->opts.variable_rate ? 1 + (s_->next_pts % 3) : 1;
  check_av(avcodec_send_frame(s_->codec.get(), s_->frame.get()), "cannot encode a frame", path_);
  drain_packets(s_->codec.get(), s_->format.get(), s_->stream, s_->packet.get(), path_, s_->opts.variable_rate);
}

void VideoWriter::finish() {
  if (finished_) return;
  finished_ = true;
  check_av(avcodec_send_frame(s_->codec.get(), nullptr), "cannot flush the encoder", path_);
  drain_packets(s_->codec.get(), s_->format.get(), s_->stream, s_->packet.get(), path_, s_->opts.variable_rate);
  check_av(av_write_trailer(s_->format.get()), "cannot write the container trailer", path_);
}

}  // namespace ppb::datasets
