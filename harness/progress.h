// A progress line on stderr: items done, rate and time left. Redrawn in place on a terminal,
// printed every few seconds otherwise (logs, CI).
#pragma once
#include <chrono>
#include <string>

namespace ppb::harness {

class Progress {
 public:
  Progress(std::string label, int64_t total);
  // Marks `n` more items done and redraws when due.
  void advance(int64_t n = 1);
  // Prints the final line.
  void finish();

 private:
  void draw(bool final);
  std::string label_;
  int64_t total_ = 0, done_ = 0;
  bool tty_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace ppb::harness
