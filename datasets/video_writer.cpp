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
  // Lossless image codecs keep RGB (and any size, 1x1 included); GIF takes palette indices; the others YUV 4:2:0.
  const bool rgb = o.codec == "png";
  const bool gif = o.codec == "gif";
  c->pix_fmt = rgb ? AV_PIX_FMT_RGB24 : gif ? AV_PIX_FMT_PAL8 : AV_PIX_FMT_YUV420P;
  if (o.codec == "mjpeg") c->color_range = AVCOL_RANGE_JPEG;  // baseline JPEG holds full-range YUV
  c->gop_size = o.gop;
  const bool intra_only = rgb || gif || o.codec == "mjpeg";  // image codecs refuse B-frames
  c->max_b_frames = intra_only ? 0 : o.max_b_frames;
  c->bit_rate = o.bit_rate;
  c->thread_count = 1;  // one thread: the same input gives the same bytes
  c->flags |= AV_CODEC_FLAG_BITEXACT;
  if (raw->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary* enc_opts = nullptr;
  if (o.codec == "libx264") av_dict_set(&enc_opts, "x264-params", "scenecut=0:threads=1", 0);  // GOPs exactly as asked
  if (o.codec == "libvpx" || o.codec == "libvpx-vp9") {  // fast settings; one thread keeps the bytes fixed
    av_dict_set(&enc_opts, "deadline", "good", 0);
    av_dict_set(&enc_opts, "cpu-used", "5", 0);
  }
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
  // Image-sequence muxers (a path like DIR/%05d.jpg) open one file per frame themselves.
  if (!(raw->oformat->flags & AVFMT_NOFILE))
    check_av(avio_open(&raw->pb, path.c_str(), AVIO_FLAG_WRITE), "cannot open for writing", path);
  check_av(avformat_write_header(raw, nullptr), "cannot write the container header", path);
  s_->frame.reset(av_frame_alloc());
  s_->frame->format = c->pix_fmt;
  s_->frame->width = c->width;
  s_->frame->height = c->height;
  check_av(av_frame_get_buffer(s_->frame.get(), 0), "cannot allocate a frame", path);
  s_->packet.reset(av_packet_alloc());
  if (gif) return;  // write_rgb maps pixels to the palette itself
  s_->sws.reset(sws_getContext(o.width, o.height, AV_PIX_FMT_RGB24, o.width, o.height, c->pix_fmt,
                               SWS_BICUBIC | SWS_BITEXACT | SWS_ACCURATE_RND, nullptr, nullptr, nullptr));
  if (!s_->sws) throw std::runtime_error("cannot create the RGB to YUV converter, " + path);
  if (c->color_range == AVCOL_RANGE_JPEG) {
    const int* coefs = sws_getCoefficients(SWS_CS_DEFAULT);
    sws_setColorspaceDetails(s_->sws.get(), coefs, 1, coefs, 1, 0, 1 << 16, 1 << 16);
  }
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
// A fixed 6x6x6 colour cube: each channel rounds to the nearest of 0, 51, ..., 255. Fixed, so the
// bytes do not depend on a palette search; the unused entries stay transparent, which the GIF
// encoder uses for pixels that did not change.
void fill_palette_frame(const uint8_t* rgb, int width, int height, AVFrame* frame) {
  auto* palette = reinterpret_cast<uint32_t*>(frame->data[1]);
  for (int i = 0; i < 256; ++i) palette[i] = 0;
  for (int r = 0; r < 6; ++r)
    for (int g = 0; g < 6; ++g)
      for (int b = 0; b < 6; ++b)
        palette[r * 36 + g * 6 + b] = 0xFF000000u | (uint32_t(r * 51) << 16) | (uint32_t(g * 51) << 8) | uint32_t(b * 51);
  auto level = [](uint8_t v) { return (v * 5 + 127) / 255; };
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const uint8_t* p = rgb + (static_cast<size_t>(y) * width + x) * 3;
      frame->data[0][static_cast<size_t>(y) * frame->linesize[0] + x] =
          static_cast<uint8_t>(level(p[0]) * 36 + level(p[1]) * 6 + level(p[2]));
    }
}

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
  if (s_->sws) {
    const uint8_t* src[4] = {rgb, nullptr, nullptr, nullptr};
    int src_stride[4] = {s_->opts.width * 3, 0, 0, 0};
    sws_scale(s_->sws.get(), src, src_stride, 0, s_->opts.height, s_->frame->data, s_->frame->linesize);
  } else {
    fill_palette_frame(rgb, s_->opts.width, s_->opts.height, s_->frame.get());
  }
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
