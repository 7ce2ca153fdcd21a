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
