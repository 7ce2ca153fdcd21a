// FFmpeg library versions, for the provenance block of reports. Free of FFmpeg headers.
#pragma once
#include <string>

namespace ppb::datasets {

// e.g. "libavformat 59.27.100, libavcodec 59.37.100, libswscale 6.7.100, libavutil 57.28.100 (5.1.x)"
std::string ffmpeg_versions();

}  // namespace ppb::datasets
