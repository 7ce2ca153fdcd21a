#include "datasets/frame_prefetcher.h"

#include <chrono>
#include <stdexcept>
#include <string>

namespace ppb::datasets {

FramePrefetcher::FramePrefetcher(std::vector<FrameRequest> requests, int depth, FrameCache* cache)
    : requests_(std::move(requests)), depth_(depth > 0 ? static_cast<size_t>(depth) : 0), cache_(cache) {
  if (depth < 0) throw std::runtime_error("prefetch depth must not be negative");
  const size_t n = std::min(depth_, requests_.size());
  for (size_t t = 0; t < n; ++t) threads_.emplace_back([this] { work(); });
}

FramePrefetcher::~FramePrefetcher() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
  }
  wake_workers_.notify_all();
  for (auto& t : threads_) t.join();
}

void FramePrefetcher::work() {
  while (true) {
    size_t i;
    {
      std::unique_lock<std::mutex> g(mu_);
      // The window: while the consumer works on request taken_-1, requests up to taken_+depth-1 may load.
      wake_workers_.wait(g, [&] { return stopping_ || (next_ < requests_.size() && next_ < taken_ + depth_); });
      if (stopping_ || next_ >= requests_.size()) return;
      i = next_++;
    }
    Result r;
    try {
      r.frames = load_frames(requests_[i], cache_);
    } catch (...) {
      r.error = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> g(mu_);
      ready_.emplace(i, std::move(r));
    }
    wake_consumer_.notify_all();
  }
}

LoadedFrames FramePrefetcher::take(size_t i, double& waited_ms) {
  const auto t0 = std::chrono::steady_clock::now();
  auto waited = [&] {
    waited_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  if (i != taken_ || i >= requests_.size())
    throw std::logic_error("prefetcher: request " + std::to_string(i) + " taken out of order");
  if (threads_.empty()) {  // no prefetching: load here
    ++taken_;
    LoadedFrames f = load_frames(requests_[i], cache_);
    waited();
    return f;
  }
  Result r;
  {
    std::unique_lock<std::mutex> g(mu_);
    wake_consumer_.wait(g, [&] { return ready_.count(i) > 0; });
    r = std::move(ready_.at(i));
    ready_.erase(i);
    ++taken_;
  }
  wake_workers_.notify_all();
  waited();
  if (r.error) std::rethrow_exception(r.error);
  return std::move(r.frames);
}

}  // namespace ppb::datasets
