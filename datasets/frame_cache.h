// An on-disk cache of decoded, resized frames, so that the methods, budgets and checkpoints of
// one run, and later runs, decode each video once. An entry is keyed by the video's identity
// (size, modification time and a hash of its first MiB), the sampling policy and its parameters,
// the preprocessing geometry and the FFmpeg library versions (a new decoder may change pixels).
// Entries are written to a temporary name and renamed, carry a checksum of their pixels, and a
// corrupt or partial one is removed and rebuilt. Least recently used entries go first once the
// folder exceeds its size cap. Safe to share between threads and between processes.
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace ppb::datasets {

struct FrameCacheOptions {
  std::string dir;                        // cache folder (created when missing)
  int64_t max_bytes = int64_t{20} << 30;  // size cap; the least recently used entries are evicted above it
};

// One cached frame set: the frames and what sampling decided.
struct CachedFrames {
  at::Tensor rgb;                 // uint8 [T, H, W, 3]
  std::vector<int64_t> indices;   // the frame indices the policy picked
  int64_t frames_total = 0;       // frames in the video
  double fps = 0.0;               // its average frame rate
};

struct FrameCacheStats {
  int64_t hits = 0;      // entries served
  int64_t misses = 0;    // keys not present
  int64_t rebuilt = 0;   // entries found corrupt or partial, removed (then a miss)
  int64_t stored = 0;    // entries written
  int64_t evicted = 0;   // entries removed by the size cap
};

// The identity of a video file (or a frame folder): size, modification time and the SHA-256 of
// the first MiB; for a folder, its image names, sizes and times. Throws when `path` is missing.
std::string video_file_identity(const std::string& path);

// The default cache folder: $PPBENCH_CACHE_DIR/frames, else $XDG_CACHE_HOME/ppbench/frames, else
// ~/.cache/ppbench/frames.
std::string default_frame_cache_dir();

class FrameCache {
 public:
  explicit FrameCache(FrameCacheOptions opts);
  // The entry for `key`, or nothing. A corrupt entry is removed and counted in stats().rebuilt.
  std::optional<CachedFrames> load(const std::string& key);
  // Writes the entry (atomically, by rename), then evicts above the size cap.
  void store(const std::string& key, const CachedFrames& frames);
  FrameCacheStats stats() const;
  const std::string& dir() const { return opts_.dir; }
  // Path of the entry file for `key` (for tests and tools).
  std::string entry_path(const std::string& key) const;

 private:
  void evict_locked();
  FrameCacheOptions opts_;
  mutable std::mutex mu_;
  FrameCacheStats stats_;
  int64_t bytes_ = 0;  // estimate of the folder's size, refreshed by a scan when it passes the cap
};

}  // namespace ppb::datasets
