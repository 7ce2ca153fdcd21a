#include "datasets/ffmpeg_util.h"

#include <cstdlib>
#include <stdexcept>

#include "datasets/ffmpeg_info.h"

namespace ppb::datasets {

std::string av_error_text(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

void quiet_ffmpeg_logs() {
  static const bool once = [] {
    const char* env = std::getenv("PPBENCH_FFMPEG_LOG");
    if (!(env && *env && std::string(env) != "0")) av_log_set_level(AV_LOG_FATAL);
    return true;
  }();
  (void)once;
}

void check_av(int code, const std::string& what, const std::string& where) {
  if (code < 0) throw std::runtime_error(what + ", " + where + ": " + av_error_text(code));
}

void open_input(const std::string& path, int threads, InputContextPtr& format, CodecContextPtr& codec, int& stream,
                int64_t max_pixels) {
  AVFormatContext* raw = nullptr;
  check_av(avformat_open_input(&raw, path.c_str(), nullptr, nullptr), "cannot open video", path);
  format.reset(raw);
  // A header's picture size is checked before stream probing, which may decode (and allocate) a
  // picture of that size.
  auto check_size = [&](const AVCodecParameters* par) {
    if (static_cast<int64_t>(par->width) * par->height > max_pixels)
      throw std::runtime_error("picture of " + std::to_string(par->width) + "x" + std::to_string(par->height) +
                               " exceeds the limit of " + std::to_string(max_pixels) + " pixels, " + path);
  };
  for (unsigned i = 0; i < raw->nb_streams; ++i)
    if (raw->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) check_size(raw->streams[i]->codecpar);
  check_av(avformat_find_stream_info(raw, nullptr), "cannot read stream info", path);
  const AVCodec* dec = nullptr;
  stream = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, &dec, 0);
  if (stream == AVERROR_STREAM_NOT_FOUND) throw std::runtime_error("no video stream (audio only?), " + path);
  if (stream == AVERROR_DECODER_NOT_FOUND || !dec) {
    const int any = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    const char* name = any >= 0 ? avcodec_get_name(raw->streams[any]->codecpar->codec_id) : "?";
    throw std::runtime_error(std::string("unsupported video codec '") + name + "' (FFmpeg has no decoder), " + path);
  }
  check_av(stream, "no decodable video stream", path);
  const AVCodecParameters* par = raw->streams[stream]->codecpar;
  if (par->width <= 0 || par->height <= 0) throw std::runtime_error("video stream has no picture size, " + path);
  check_size(par);
  codec.reset(avcodec_alloc_context3(dec));
  if (!codec) throw std::runtime_error("cannot allocate decoder, " + path);
  check_av(avcodec_parameters_to_context(codec.get(), par), "bad codec parameters", path);
  codec->thread_count = threads;
  codec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  check_av(avcodec_open2(codec.get(), dec, nullptr), "cannot open decoder", path);
}

namespace {
std::string version_text(unsigned v) {
  return std::to_string(AV_VERSION_MAJOR(v)) + "." + std::to_string(AV_VERSION_MINOR(v)) + "." +
         std::to_string(AV_VERSION_MICRO(v));
}
}  // namespace

std::string ffmpeg_versions() {
  return "libavformat " + version_text(avformat_version()) + ", libavcodec " + version_text(avcodec_version()) +
         ", libswscale " + version_text(swscale_version()) + ", libavutil " + version_text(avutil_version()) + " (" +
         av_version_info() + ")";
}

}  // namespace ppb::datasets
