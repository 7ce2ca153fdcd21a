// RAII owners for FFmpeg objects and error text. Included only by datasets/ sources.
#pragma once
#include <memory>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

namespace ppb::datasets {

struct InputContextDeleter { void operator()(AVFormatContext* c) const { avformat_close_input(&c); } };
struct OutputContextDeleter {
  void operator()(AVFormatContext* c) const {
    if (c->pb && !(c->oformat->flags & AVFMT_NOFILE)) avio_closep(&c->pb);
    avformat_free_context(c);
  }
};
struct CodecContextDeleter { void operator()(AVCodecContext* c) const { avcodec_free_context(&c); } };
struct FrameDeleter { void operator()(AVFrame* f) const { av_frame_free(&f); } };
struct PacketDeleter { void operator()(AVPacket* p) const { av_packet_free(&p); } };
struct SwsDeleter { void operator()(SwsContext* s) const { sws_freeContext(s); } };

using InputContextPtr = std::unique_ptr<AVFormatContext, InputContextDeleter>;
using OutputContextPtr = std::unique_ptr<AVFormatContext, OutputContextDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;

// FFmpeg prints its own complaints about bad input to stderr; ppbench reports them in its errors
// instead. Set PPBENCH_FFMPEG_LOG=1 to see FFmpeg's messages.
void quiet_ffmpeg_logs();
// FFmpeg's text for an error code.
std::string av_error_text(int code);
// Throws "<what>, <where>: <FFmpeg error>" when code < 0.
void check_av(int code, const std::string& what, const std::string& where);

// Opens one file and its best video stream's decoder with `threads` decoder threads. Throws,
// naming the path, when the file cannot be opened, has no video stream, no decoder for it, no
// picture size, or more than `max_pixels` pixels per picture.
void open_input(const std::string& path, int threads, InputContextPtr& format, CodecContextPtr& codec, int& stream,
                int64_t max_pixels);

}  // namespace ppb::datasets
