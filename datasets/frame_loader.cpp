#include "datasets/frame_loader.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "datasets/ffmpeg_info.h"

namespace ppb::datasets {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

std::string geometry_name(const FrameGeometry& g) {
  std::string s = resize_mode_name(g.mode);
  if (g.mode != ResizeMode::native) s += "@" + std::to_string(g.size);
  if (g.mode == ResizeMode::pad_to_square)
    s += "/pad" + std::to_string(g.pad_rgb[0]) + "," + std::to_string(g.pad_rgb[1]) + "," + std::to_string(g.pad_rgb[2]);
  return s;
}

std::string frame_cache_key(const FrameRequest& r) {
  // Only the parameters the policy reads enter the key, so that e.g. a new run seed does not
  // invalidate segment_midpoint entries.
  nlohmann::json k{{"version", 1},
                   {"video", video_file_identity(r.video)},
                   {"policy", r.policy},
                   {"count", r.count},
                   {"geometry", geometry_name(r.geometry)},
                   {"ffmpeg", ffmpeg_versions()}};
  if (r.bounds) k["bounds"] = {r.bounds->start, r.bounds->end};
  if (r.policy == "fps") k["rate"] = r.rate;
  if (r.policy == "random_segment") k["seed"] = r.seed;
  if (k["video"].get<std::string>().rfind("folder:", 0) == 0) k["folder_fps"] = r.decode.folder_fps;
  return sha256_hex(k.dump());
}

LoadedFrames load_frames(const FrameRequest& r, FrameCache* cache) {
  const auto t0 = Clock::now();
  LoadedFrames out;
  std::string key;
  if (cache) {
    key = frame_cache_key(r);
    if (auto hit = cache->load(key)) {
      out.rgb = std::move(hit->rgb);
      out.indices = std::move(hit->indices);
      out.frames_total = hit->frames_total;
      out.fps = hit->fps;
      out.cache = "hit";
      out.work_ms = ms_since(t0);
      return out;
    }
    out.cache = "miss";
  }
  VideoReader reader(r.video, r.decode);
  SamplingRequest s;
  s.frames_total = reader.info().frames_total;
  s.fps = reader.info().fps;
  s.count = r.count;
  s.bounds = r.bounds;
  s.first_index = reader.info().first_index;
  s.rate = r.rate;
  s.seed = r.seed;
  out.indices = sample_frames(r.policy, s);
  out.frames_total = s.frames_total;
  out.fps = s.fps;
  out.rgb = reader.read_frames(out.indices, r.geometry);
  out.decode = reader.stats();
  if (cache) {
    try {
      cache->store(key, {out.rgb, out.indices, out.frames_total, out.fps});
    } catch (const std::exception& e) {
      out.cache_error = e.what();  // the frames are good; the record says the cache could not keep them
    }
  }
  out.work_ms = ms_since(t0);
  return out;
}

}  // namespace ppb::datasets
