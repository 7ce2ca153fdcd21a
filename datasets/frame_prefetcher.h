// Decodes the next samples' frames on other threads while the model works on the current one:
// a bounded window of `depth` requests ahead of the consumer, taken strictly in order. The
// consumer learns how long it actually waited, which is the decode time a sample record shows.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "datasets/frame_loader.h"

namespace ppb::datasets {

class FramePrefetcher {
 public:
  // `depth` requests are loaded ahead (one thread each); 0 loads on the caller's thread in take().
  // `cache` may be null and must outlive the prefetcher.
  FramePrefetcher(std::vector<FrameRequest> requests, int depth, FrameCache* cache);
  ~FramePrefetcher();
  FramePrefetcher(const FramePrefetcher&) = delete;
  FramePrefetcher& operator=(const FramePrefetcher&) = delete;

  size_t size() const { return requests_.size(); }
  // The frames of request i; calls must go 0, 1, 2, ... Rethrows the error that loading raised.
  // `waited_ms` receives how long this call blocked.
  LoadedFrames take(size_t i, double& waited_ms);

 private:
  struct Result {
    LoadedFrames frames;
    std::exception_ptr error;
  };
  void work();
  std::vector<FrameRequest> requests_;
  size_t depth_;
  FrameCache* cache_;
  std::mutex mu_;
  std::condition_variable wake_workers_, wake_consumer_;
  size_t next_ = 0;      // next request to start
  size_t taken_ = 0;     // requests handed to the consumer
  bool stopping_ = false;
  std::map<size_t, Result> ready_;
  std::vector<std::thread> threads_;
};

}  // namespace ppb::datasets
