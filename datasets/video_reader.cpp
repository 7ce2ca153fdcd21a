#include "datasets/video_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <thread>

extern "C" {
#include <libavutil/display.h>
}

#include "datasets/data_paths.h"
#include "datasets/ffmpeg_util.h"
#include "datasets/frame_converter.h"
#include "datasets/frame_decoder.h"
#include "datasets/video_index.h"

namespace fs = std::filesystem;

namespace ppb::datasets {

struct VideoReader::State {
  InputContextPtr format;
  CodecContextPtr codec;
  int stream = -1;
  VideoIndex index;
  std::vector<std::string> folder_files;  // image folders: the files in name order
  bool seek_by_pts = true;  // seeks with the keyframe's pts land on it (see seek_to_key)
};

DecodeStrategy decode_strategy_by_name(const std::string& name) {
  if (name == "auto" || name == "automatic") return DecodeStrategy::automatic;
  if (name == "sequential") return DecodeStrategy::sequential;
  if (name == "seek") return DecodeStrategy::seek;
  throw std::runtime_error("unknown decode strategy '" + name + "' (known: auto, sequential, seek)");
}

namespace {


int display_rotation(const AVStream* st) {
  const uint8_t* m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, nullptr);
  if (!m) return 0;
  const double ccw = av_display_rotation_get(reinterpret_cast<const int32_t*>(m));
  if (std::isnan(ccw)) return 0;
  int cw = static_cast<int>(std::lround(-ccw)) % 360;
  if (cw < 0) cw += 360;
  return (cw + 45) / 90 * 90 % 360;  // the nearest quarter turn
}

}  // namespace

VideoReader::VideoReader(const std::string& path, DecodeOptions opts) : path_(path), opts_(opts) {
  quiet_ffmpeg_logs();
  state_ = std::make_unique<State>();
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path))
      if (e.is_regular_file() && is_image_file(e.path())) state_->folder_files.push_back(e.path().string());
    std::sort(state_->folder_files.begin(), state_->folder_files.end());
    if (state_->folder_files.empty()) throw std::runtime_error("image folder holds no images, " + path);
    InputContextPtr fmt;
    CodecContextPtr codec;
    int stream = -1;
    open_input(state_->folder_files.front(), 1, fmt, codec, stream, opts_.max_pixels);
    info_.frame_folder = true;
    info_.container = "folder";
    info_.codec = codec->codec->name;
    info_.width = codec->width;
    info_.height = codec->height;
    info_.frames_total = static_cast<int64_t>(state_->folder_files.size());
    info_.first_index = 1;
    info_.fps = opts_.folder_fps;
    info_.duration = info_.frames_total / info_.fps;
    return;
  }
  if (!fs::exists(path, ec)) throw std::runtime_error("no such file, " + path);
  if (fs::file_size(path, ec) == 0) throw std::runtime_error("file is empty (0 bytes), " + path);
  open();
  state_->index = build_video_index(state_->format.get(), state_->stream);
  AVStream* st = state_->format->streams[state_->stream];
  info_.container = state_->format->iformat->name;
  info_.codec = state_->codec->codec->name;
  info_.rotation = display_rotation(st);
  const bool turned = info_.rotation == 90 || info_.rotation == 270;
  info_.width = turned ? state_->codec->height : state_->codec->width;
  info_.height = turned ? state_->codec->width : state_->codec->height;
  info_.frames_total = state_->index.frames();
  if (info_.frames_total == 0) throw std::runtime_error("video stream has no frames, " + path);
  if (state_->format->duration > 0) info_.duration = state_->format->duration / static_cast<double>(AV_TIME_BASE);
  const auto& pts = state_->index.pts;
  if (info_.duration <= 0 && state_->index.reliable && pts.size() > 1)
    info_.duration = (pts.back() - pts.front()) * av_q2d(st->time_base) * pts.size() / (pts.size() - 1);
  AVRational rate = av_guess_frame_rate(state_->format.get(), st, nullptr);
  info_.fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0.0;
  if (info_.fps <= 0 && info_.duration > 0) info_.fps = info_.frames_total / info_.duration;
  state_->format.reset();  // indexing consumed the demuxer; each decoding pass opens its own
}

VideoReader::~VideoReader() = default;

void VideoReader::open() {
  // One thread: this decoder only describes the stream; decoding passes make their own.
  open_input(path_, 1, state_->format, state_->codec, state_->stream, opts_.max_pixels);
}

at::Tensor VideoReader::read_frames(const std::vector<int64_t>& indices, int size) {
  FrameGeometry g;
  g.mode = ResizeMode::squash;
  g.size = size;
  return read_frames(indices, g);
}

at::Tensor VideoReader::read_folder(const std::vector<int64_t>& indices, const FrameGeometry& geometry) {
  FrameConverter conv(geometry, 0);
  const auto [ow, oh] = conv.output_size(info_.width, info_.height);
  at::Tensor out = at::empty({static_cast<int64_t>(indices.size()), oh, ow, 3}, at::kByte);
  const size_t frame_bytes = static_cast<size_t>(ow) * oh * 3;
  stats_ = {"sequential", 0, 0, 0};
  for (size_t slot = 0; slot < indices.size(); ++slot) {
    const std::string& file = state_->folder_files[indices[slot] - info_.first_index];
    InputContextPtr fmt;
    CodecContextPtr codec;
    int stream = -1;
    open_input(file, 1, fmt, codec, stream, opts_.max_pixels);
    PacketPtr pkt(av_packet_alloc());
    FramePtr frame(av_frame_alloc());
    bool got = false;
    while (!got && av_read_frame(fmt.get(), pkt.get()) >= 0) {
      if (pkt->stream_index == stream) {
        check_av(avcodec_send_packet(codec.get(), pkt.get()), "cannot decode image", file);
        ++stats_.packets_sent;
        got = avcodec_receive_frame(codec.get(), frame.get()) >= 0;
      }
      av_packet_unref(pkt.get());
    }
    if (!got) {
      avcodec_send_packet(codec.get(), nullptr);
      got = avcodec_receive_frame(codec.get(), frame.get()) >= 0;
    }
    if (!got) throw std::runtime_error("image decodes to nothing, " + file);
    if (conv.output_size(frame->width, frame->height) != std::make_pair(ow, oh))
      throw std::runtime_error("image size differs from the folder's first image, " + file);
    conv.convert(frame.get(), out.data_ptr<uint8_t>() + slot * frame_bytes);
    ++stats_.frames_decoded;
  }
  return out;
}

at::Tensor VideoReader::read_frames(const std::vector<int64_t>& indices, const FrameGeometry& geometry) {
  if (indices.empty()) throw std::runtime_error("no frame indices requested, " + path_);
  for (int64_t i : indices)
    if (i < info_.first_index || i >= info_.first_index + info_.frames_total)
      throw std::runtime_error("frame " + std::to_string(i) + " requested but the video has " +
                               std::to_string(info_.frames_total) + " frames, " + path_);
  if (info_.frame_folder) return read_folder(indices, geometry);

  const FrameConverter sizing(geometry, info_.rotation);
  const auto [ow, oh] = sizing.output_size(state_->codec->width, state_->codec->height);
  at::Tensor out = at::empty({static_cast<int64_t>(indices.size()), oh, ow, 3}, at::kByte);  // written in place
  std::map<int64_t, std::vector<size_t>> wanted;  // frame -> output slots
  for (size_t slot = 0; slot < indices.size(); ++slot) wanted[indices[slot]].push_back(slot);
  std::vector<int64_t> targets;
  for (const auto& [k, slots] : wanted) targets.push_back(k);

  DecodeJob job{path_, &state_->index, geometry, info_.rotation, ow, oh, out.data_ptr<uint8_t>(), &wanted, opts_};
  // With several threads, wanted frames under different keyframes are decoded by independent
  // decoders at once: that scales with cores, where frame threading inside one decoder stalls
  // on references. A single keyframe interval uses frame threading instead.
  std::vector<std::vector<int64_t>> parts{targets};
  if (opts_.threads > 1 && state_->index.reliable && opts_.strategy != DecodeStrategy::sequential)
    parts = split_by_keyframes(state_->index, targets, opts_.threads);
  stats_ = {"sequential", 0, 0, 0};
  if (parts.size() == 1) {
    decode_frames(job, targets, opts_.threads, stats_, state_->seek_by_pts);
  } else {
    std::vector<DecodeStats> part_stats(parts.size());
    std::vector<std::exception_ptr> errors(parts.size());
    std::vector<char> by_pts(parts.size(), state_->seek_by_pts);
    std::vector<std::thread> pool;
    for (size_t p = 0; p < parts.size(); ++p)
      pool.emplace_back([&, p] {
        try {
          bool flag = by_pts[p];
          decode_frames(job, parts[p], 1, part_stats[p], flag);
          by_pts[p] = flag;
        } catch (...) {
          errors[p] = std::current_exception();
        }
      });
    for (auto& t : pool) t.join();
    for (size_t p = 0; p < parts.size(); ++p) {
      if (errors[p]) std::rethrow_exception(errors[p]);
      stats_.seeks += part_stats[p].seeks;
      stats_.packets_sent += part_stats[p].packets_sent;
      stats_.frames_decoded += part_stats[p].frames_decoded;
      if (part_stats[p].strategy == "mixed") stats_.strategy = "mixed";
      state_->seek_by_pts = state_->seek_by_pts && by_pts[p];
    }
  }
  if (stats_.strategy != "mixed") stats_.strategy = stats_.seeks == 0 ? "sequential" : "seek";
  return out;
}

}  // namespace ppb::datasets
