#include "datasets/video_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>

extern "C" {
#include <libavutil/display.h>
}

#include "datasets/ffmpeg_util.h"
#include "datasets/frame_converter.h"
#include "datasets/video_index.h"

namespace fs = std::filesystem;

namespace ppb::datasets {

struct VideoReader::State {
  InputContextPtr format;
  CodecContextPtr codec;
  int stream = -1;
  VideoIndex index;
  std::vector<std::string> folder_files;  // image folders: the files in name order
};

DecodeStrategy decode_strategy_by_name(const std::string& name) {
  if (name == "auto" || name == "automatic") return DecodeStrategy::automatic;
  if (name == "sequential") return DecodeStrategy::sequential;
  if (name == "seek") return DecodeStrategy::seek;
  throw std::runtime_error("unknown decode strategy '" + name + "' (known: auto, sequential, seek)");
}

namespace {

bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp";
}

// Opens one file and its best video stream's decoder.
void open_input(const std::string& path, int threads, InputContextPtr& format, CodecContextPtr& codec, int& stream,
                int64_t max_pixels) {
  AVFormatContext* raw = nullptr;
  check_av(avformat_open_input(&raw, path.c_str(), nullptr, nullptr), "cannot open video", path);
  format.reset(raw);
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
  if (static_cast<int64_t>(par->width) * par->height > max_pixels)
    throw std::runtime_error("picture of " + std::to_string(par->width) + "x" + std::to_string(par->height) +
                             " exceeds the limit of " + std::to_string(max_pixels) + " pixels, " + path);
  codec.reset(avcodec_alloc_context3(dec));
  if (!codec) throw std::runtime_error("cannot allocate decoder, " + path);
  check_av(avcodec_parameters_to_context(codec.get(), par), "bad codec parameters", path);
  codec->thread_count = threads;
  codec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  check_av(avcodec_open2(codec.get(), dec, nullptr), "cannot open decoder", path);
}

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
  open();  // indexing consumed the demuxer; decoding starts from a fresh one
}

VideoReader::~VideoReader() = default;

void VideoReader::open() {
  open_input(path_, opts_.threads, state_->format, state_->codec, state_->stream, opts_.max_pixels);
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

  FrameConverter conv(geometry, info_.rotation);
  const int coded_w = state_->codec->width, coded_h = state_->codec->height;
  const auto [ow, oh] = conv.output_size(coded_w, coded_h);
  const int64_t T = static_cast<int64_t>(indices.size());
  at::Tensor out = at::empty({T, oh, ow, 3}, at::kByte);  // preallocated: frames are written in place
  uint8_t* base = out.data_ptr<uint8_t>();
  const size_t frame_bytes = static_cast<size_t>(ow) * oh * 3;
  std::map<int64_t, std::vector<size_t>> wanted;  // frame -> output slots
  for (size_t slot = 0; slot < indices.size(); ++slot) wanted[indices[slot]].push_back(slot);
  std::vector<int64_t> targets;
  for (const auto& [k, slots] : wanted) targets.push_back(k);

  const VideoIndex& idx = state_->index;
  const bool by_pts = idx.reliable;
  std::vector<bool> filled(targets.size(), false);
  std::map<int64_t, size_t> target_of_pts;  // wanted pts -> position in targets
  if (by_pts)
    for (size_t i = 0; i < targets.size(); ++i) target_of_pts[idx.pts[targets[i]]] = i;
  size_t remaining = targets.size();
  stats_ = {"sequential", 0, 0, 0};

  auto deliver = [&](const AVFrame* f, size_t t) {
    if (filled[t]) return;
    if (conv.output_size(f->width, f->height) != std::make_pair(ow, oh))
      throw std::runtime_error("picture size changes mid-stream at frame " + std::to_string(targets[t]) + ", " + path_);
    const auto& slots = wanted[targets[t]];
    uint8_t* first = base + slots.front() * frame_bytes;
    conv.convert(f, first);
    for (size_t j = 1; j < slots.size(); ++j) std::memcpy(base + slots[j] * frame_bytes, first, frame_bytes);
    filled[t] = true;
    --remaining;
  };

  DecodeStrategy strategy = by_pts ? opts_.strategy : DecodeStrategy::sequential;
  bool fell_back = false;
  while (true) {  // one pass; a second, sequential one only if a seek missed its frame
    open();
    AVFormatContext* fmt = state_->format.get();
    AVCodecContext* dec = state_->codec.get();
    PacketPtr pkt(av_packet_alloc());
    FramePtr frame(av_frame_alloc());
    int64_t counted = 0;   // output frames so far, when frames are found by counting
    int64_t cur = -1;      // decode-order position of the last packet sent
    bool missed = false;   // a seek landed past a wanted frame
    const int64_t seek_cost = 4 + 2 * opts_.threads;  // in packets: flush, seek and the threads' refill
    size_t next = 0;       // first unfilled target
    size_t seeked_for = SIZE_MAX;  // the target of the last seek: never seek twice for one frame

    auto drain = [&]() {
      while (true) {
        const int r = avcodec_receive_frame(dec, frame.get());
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
        check_av(r, "decode failed near frame " + std::to_string(targets[next < targets.size() ? next : 0]), path_);
        ++stats_.frames_decoded;
        if (by_pts) {
          auto it = target_of_pts.find(frame->pts);
          if (it != target_of_pts.end()) deliver(frame.get(), it->second);
          // A frame later than the next wanted one while that one is still missing: the seek overshot.
          while (next < targets.size() && filled[next]) ++next;
          if (next < targets.size() && frame->pts != AV_NOPTS_VALUE && frame->pts > idx.pts[targets[next]] &&
              idx.frame_of_pts.count(frame->pts))
            missed = true;
        } else {
          auto it = wanted.find(counted);
          if (it != wanted.end()) deliver(frame.get(), std::lower_bound(targets.begin(), targets.end(), counted) - targets.begin());
          ++counted;
        }
        av_frame_unref(frame.get());
      }
    };

    while (remaining > 0 && !missed) {
      while (next < targets.size() && filled[next]) ++next;
      if (strategy != DecodeStrategy::sequential && next < targets.size() && seeked_for != next) {
        const int64_t t = targets[next];
        const int64_t key = idx.key_decode_pos[t], d = idx.decode_pos[t];
        const bool ahead = key > cur;
        const bool worth = strategy == DecodeStrategy::seek || (d - cur) > (d - key) + seek_cost;
        if (ahead && worth && idx.key_seek_ts[t] != INT64_MIN) {
          if (av_seek_frame(fmt, state_->stream, idx.key_seek_ts[t], AVSEEK_FLAG_BACKWARD) < 0) {
            missed = true;  // not seekable: finish with one sequential pass
            break;
          }
          avcodec_flush_buffers(dec);
          ++stats_.seeks;
          seeked_for = next;
          cur = key;
        }
      }
      // Decode up to the next wanted frame's packet (and its reordering delay).
      const int r = av_read_frame(fmt, pkt.get());
      if (r == AVERROR_EOF) break;
      check_av(r, "read failed", path_);
      if (pkt->stream_index != state_->stream) {
        av_packet_unref(pkt.get());
        continue;
      }
      if (by_pts && pkt->pts != AV_NOPTS_VALUE) {
        auto f = idx.frame_of_pts.find(pkt->pts);
        if (f != idx.frame_of_pts.end()) cur = idx.decode_pos[f->second];
        // Unwanted frames that nothing refers to need not be decoded at all.
        const bool want = target_of_pts.count(pkt->pts) > 0;
        dec->skip_frame = (opts_.skip_nonref && !want) ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
      }
      const int s = avcodec_send_packet(dec, pkt.get());
      av_packet_unref(pkt.get());
      ++stats_.packets_sent;
      if (s < 0 && s != AVERROR(EAGAIN) && s != AVERROR_INVALIDDATA)
        check_av(s, "cannot decode packet near frame " + std::to_string(targets[std::min(next, targets.size() - 1)]), path_);
      drain();
    }
    if (remaining > 0 && !missed) {  // the decoder still holds the last frames
      dec->skip_frame = AVDISCARD_DEFAULT;
      avcodec_send_packet(dec, nullptr);
      drain();
    }
    if (remaining == 0) break;
    if (strategy == DecodeStrategy::sequential || fell_back)
      throw std::runtime_error("frame " + std::to_string(targets[next < targets.size() ? next : 0]) +
                               " could not be decoded (" + std::to_string(stats_.frames_decoded) +
                               " pictures came out), " + path_);
    // A seek did not land where the index said: decode the rest in one pass from the start.
    fell_back = true;
    strategy = DecodeStrategy::sequential;
  }
  stats_.strategy = stats_.seeks == 0 ? "sequential" : (fell_back ? "mixed" : "seek");
  return out;
}

}  // namespace ppb::datasets
