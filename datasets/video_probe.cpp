#include "datasets/video_probe.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "datasets/data_paths.h"
#include "datasets/ffmpeg_util.h"

namespace fs = std::filesystem;

namespace ppb::datasets {
namespace {

// Decodes packets of the chosen stream until the first picture comes out; a decoder may hold a
// few packets back (B-frames, VP8's lag), hence the packet budget rather than one packet.
bool decodes_a_picture(AVFormatContext* fmt, AVCodecContext* codec, int stream) {
  PacketPtr pkt(av_packet_alloc());
  FramePtr frame(av_frame_alloc());
  int sent = 0;
  while (sent < 256) {
    const int r = av_read_frame(fmt, pkt.get());
    if (r < 0) break;
    if (pkt->stream_index != stream) {
      av_packet_unref(pkt.get());
      continue;
    }
    const int s = avcodec_send_packet(codec, pkt.get());
    av_packet_unref(pkt.get());
    ++sent;
    if (s < 0 && s != AVERROR(EAGAIN)) continue;  // a damaged packet; the next may decode
    if (avcodec_receive_frame(codec, frame.get()) == 0) return true;
  }
  avcodec_send_packet(codec, nullptr);  // drain what the decoder holds
  return avcodec_receive_frame(codec, frame.get()) == 0;
}

}  // namespace

const char* video_problem_name(VideoProblem p) {
  switch (p) {
    case VideoProblem::none: return "ok";
    case VideoProblem::missing: return "missing";
    case VideoProblem::empty: return "empty";
    case VideoProblem::unreadable: return "unreadable";
  }
  return "?";
}

VideoProbe probe_video(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) return {VideoProblem::missing, "no such file"};
  if (ec) return {VideoProblem::unreadable, ec.message()};  // e.g. permission denied on a parent folder
  if (fs::is_directory(st)) {
    // The error-code overloads throughout: this runs on worker threads, where an exception would end the process.
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code e2;
      if (it->is_regular_file(e2) && is_image_file(it->path())) return {};
    }
    if (ec) return {VideoProblem::unreadable, "cannot list the frame folder: " + ec.message()};
    return {VideoProblem::unreadable, "frame folder holds no images"};
  }
  const auto size = fs::file_size(path, ec);
  if (ec) return {VideoProblem::unreadable, ec.message()};
  if (size == 0) return {VideoProblem::empty, "file is empty (0 bytes)"};
  quiet_ffmpeg_logs();
  try {
    InputContextPtr fmt;
    CodecContextPtr codec;
    int stream = -1;
    open_input(path, 1, fmt, codec, stream, 40'000'000);
    if (!decodes_a_picture(fmt.get(), codec.get(), stream))
      return {VideoProblem::unreadable, "no picture decodes from the video stream"};
  } catch (const std::exception& e) {
    return {VideoProblem::unreadable, e.what()};
  }
  return {};
}

std::vector<VideoProbe> probe_videos(const std::vector<std::string>& paths, int threads) {
  std::vector<VideoProbe> out(paths.size());
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::max(1, std::min<int>(threads, static_cast<int>(paths.size())));
  quiet_ffmpeg_logs();  // once, before the workers start
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < paths.size(); i = next++) {
      try {
        out[i] = probe_video(paths[i]);
      } catch (const std::exception& e) {  // e.g. out of memory: recorded, never the end of the process
        out[i] = {VideoProblem::unreadable, e.what()};
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return out;
}

}  // namespace ppb::datasets
