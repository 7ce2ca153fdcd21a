#include "datasets/frame_cache.h"

#include "common/cache_dir.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/sha256.h"

namespace fs = std::filesystem;

namespace ppb::datasets {
namespace {

// Entry file: magic, little-endian header length, JSON header, raw uint8 pixels.
constexpr char kMagic[8] = {'P', 'P', 'B', 'F', 'R', 'M', '1', '\n'};
constexpr const char* kExt = ".ppbf";

// A fast checksum of the pixels (four independent multiply-xorshift lanes): catches truncation
// and bit rot without costing a cryptographic hash per cache hit.
uint64_t pixel_checksum(const uint8_t* p, size_t n) {
  constexpr uint64_t k = 0x9e3779b97f4a7c15ULL;
  uint64_t h[4] = {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL, 0x082efa98ec4e6c89ULL};
  size_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int l = 0; l < 4; ++l) {
      uint64_t w;
      std::memcpy(&w, p + i + 8 * l, 8);
      h[l] = (h[l] ^ w) * k;
      h[l] ^= h[l] >> 29;
    }
  uint64_t tail = n;
  for (; i < n; ++i) tail = (tail ^ p[i]) * k;
  uint64_t out = tail;
  for (int l = 0; l < 4; ++l) out = ((out ^ h[l]) * k) ^ (out >> 31);
  return out;
}

std::string hex64(uint64_t v) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

int64_t file_time_ns(const fs::path& p) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(fs::last_write_time(p).time_since_epoch()).count();
}

struct EntryFile {
  fs::path path;
  fs::file_time_type used;
  int64_t bytes;
};

std::vector<EntryFile> scan_entries(const fs::path& dir) {
  std::vector<EntryFile> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    if (it->path().extension() != kExt || !it->is_regular_file(e2)) continue;
    const auto size = it->file_size(e2);
    const auto t = it->last_write_time(e2);
    if (!e2) out.push_back({it->path(), t, static_cast<int64_t>(size)});
  }
  return out;
}

}  // namespace

std::string video_file_identity(const std::string& path) {
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) {
    std::vector<std::string> lines;
    for (const auto& e : fs::directory_iterator(p))
      if (e.is_regular_file())
        lines.push_back(e.path().filename().string() + " " + std::to_string(e.file_size()) + " " +
                        std::to_string(file_time_ns(e.path())));
    std::sort(lines.begin(), lines.end());
    Sha256 h;
    for (const auto& l : lines) h.update(l + "\n");
    return "folder:" + h.hex_digest();
  }
  if (!fs::is_regular_file(p, ec)) throw std::runtime_error("no such file, " + path);
  const auto size = fs::file_size(p);
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read, " + path);
  std::vector<char> head(std::min<uintmax_t>(size, 1 << 20));
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  Sha256 h;
  h.update(head.data(), static_cast<size_t>(in.gcount()));
  return "file:" + std::to_string(size) + ":" + std::to_string(file_time_ns(p)) + ":" + h.hex_digest();
}

std::string default_frame_cache_dir() { return (fs::path(ppbench_cache_dir()) / "frames").string(); }

FrameCache::FrameCache(FrameCacheOptions opts) : opts_(std::move(opts)) {
  if (opts_.dir.empty()) throw std::runtime_error("frame cache: no folder given");
  if (opts_.max_bytes <= 0) throw std::runtime_error("frame cache: the size cap must be positive");
  std::error_code ec;
  fs::create_directories(opts_.dir, ec);
  if (ec) throw std::runtime_error("frame cache: cannot create " + opts_.dir + ": " + ec.message());
  // Temporary files left by a killed writer are removed once they are an hour old.
  const auto stale = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (fs::directory_iterator it(opts_.dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    if (it->path().filename().string().find(".tmp.") != std::string::npos && it->last_write_time(e2) < stale && !e2)
      fs::remove(it->path(), e2);
  }
  for (const auto& e : scan_entries(opts_.dir)) bytes_ += e.bytes;
}

std::string FrameCache::entry_path(const std::string& key) const {
  return (fs::path(opts_.dir) / (key + kExt)).string();
}

std::optional<CachedFrames> FrameCache::load(const std::string& key) {
  const std::string path = entry_path(key);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::lock_guard<std::mutex> g(mu_);
    ++stats_.misses;
    return std::nullopt;
  }
  auto corrupt = [&]() -> std::optional<CachedFrames> {
    in.close();
    std::error_code ec;
    fs::remove(path, ec);
    std::lock_guard<std::mutex> g(mu_);
    ++stats_.rebuilt;
    ++stats_.misses;
    return std::nullopt;
  };
  std::error_code ec;
  const auto size = static_cast<int64_t>(fs::file_size(path, ec));
  char magic[8];
  uint8_t len_bytes[8];
  if (ec || !in.read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0 ||
      !in.read(reinterpret_cast<char*>(len_bytes), 8))
    return corrupt();
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; --i) hlen = (hlen << 8) | len_bytes[i];
  if (hlen > static_cast<uint64_t>(size) - 16) return corrupt();
  std::string header(hlen, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(hlen))) return corrupt();
  CachedFrames out;
  std::string checksum;
  try {
    const auto h = nlohmann::json::parse(header);
    if (h.at("key").get<std::string>() != key) return corrupt();
    const auto shape = h.at("shape").get<std::vector<int64_t>>();
    if (shape.size() != 4 || shape[3] != 3) return corrupt();
    int64_t payload = 1;
    for (int64_t d : shape) {
      if (d <= 0) return corrupt();
      payload *= d;
    }
    if (payload != size - 16 - static_cast<int64_t>(hlen)) return corrupt();
    out.indices = h.at("indices").get<std::vector<int64_t>>();
    if (static_cast<int64_t>(out.indices.size()) != shape[0]) return corrupt();
    out.frames_total = h.at("frames_total").get<int64_t>();
    out.fps = h.at("fps").get<double>();
    checksum = h.at("checksum").get<std::string>();
    out.rgb = at::empty(shape, at::kByte);
  } catch (const nlohmann::json::exception&) {
    return corrupt();
  }
  const size_t n = static_cast<size_t>(out.rgb.numel());
  if (!in.read(reinterpret_cast<char*>(out.rgb.data_ptr<uint8_t>()), static_cast<std::streamsize>(n)) ||
      hex64(pixel_checksum(out.rgb.data_ptr<uint8_t>(), n)) != checksum)
    return corrupt();
  in.close();
  fs::last_write_time(path, fs::file_time_type::clock::now(), ec);  // recency for the size cap
  std::lock_guard<std::mutex> g(mu_);
  ++stats_.hits;
  return out;
}

void FrameCache::store(const std::string& key, const CachedFrames& f) {
  if (f.rgb.scalar_type() != at::kByte || f.rgb.dim() != 4 || f.rgb.size(3) != 3)
    throw std::runtime_error("frame cache: frames must be uint8 [T, H, W, 3]");
  const at::Tensor rgb = f.rgb.contiguous();
  const size_t n = static_cast<size_t>(rgb.numel());
  const nlohmann::json h{{"format", "ppbench-frames"},
                         {"key", key},
                         {"shape", rgb.sizes().vec()},
                         {"indices", f.indices},
                         {"frames_total", f.frames_total},
                         {"fps", f.fps},
                         {"checksum", hex64(pixel_checksum(rgb.data_ptr<uint8_t>(), n))}};
  const std::string header = h.dump();
  // A name no other writer uses: this process, and a counter within it.
  static std::atomic<uint64_t> serial{0};
  const std::string final_path = entry_path(key);
  const std::string tmp = final_path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(serial++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("frame cache: cannot write " + tmp);
    out.write(kMagic, 8);
    uint64_t len = header.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((len >> (8 * i)) & 0xff));
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(rgb.data_ptr<uint8_t>()), static_cast<std::streamsize>(n));
    if (!out.flush()) {
      out.close();
      std::error_code ec;
      fs::remove(tmp, ec);
      throw std::runtime_error("frame cache: cannot write " + tmp + " (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, final_path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error("frame cache: cannot rename into " + final_path + ": " + ec.message());
  }
  std::lock_guard<std::mutex> g(mu_);
  ++stats_.stored;
  bytes_ += static_cast<int64_t>(16 + header.size() + n);
  if (bytes_ > opts_.max_bytes) evict_locked();
}

void FrameCache::evict_locked() {
  // Rescan: other processes share the folder. Evict down to 90% of the cap so that eviction does
  // not run on every store once the cache is full.
  auto entries = scan_entries(opts_.dir);
  std::sort(entries.begin(), entries.end(), [](const EntryFile& a, const EntryFile& b) { return a.used < b.used; });
  int64_t total = 0;
  for (const auto& e : entries) total += e.bytes;
  const int64_t target = opts_.max_bytes / 10 * 9;
  for (const auto& e : entries) {
    if (total <= target) break;
    std::error_code ec;
    if (fs::remove(e.path, ec)) {
      total -= e.bytes;
      ++stats_.evicted;
    }
  }
  bytes_ = total;
}

FrameCacheStats FrameCache::stats() const {
  std::lock_guard<std::mutex> g(mu_);
  return stats_;
}

}  // namespace ppb::datasets
