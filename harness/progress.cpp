#include "harness/progress.h"

#include <unistd.h>

#include <cstdio>

namespace ppb::harness {

namespace {
std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}
}  // namespace

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)), total_(total), tty_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void Progress::advance(int64_t n) {
  done_ += n;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if ((tty_ && since >= 0.2) || since >= 5.0 || done_ == total_) draw(false);
}

void Progress::draw(bool final) {
  last_draw_ = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(last_draw_ - start_).count();
  const double rate = elapsed > 0 ? done_ / elapsed : 0.0;
  const double left = rate > 0 ? (total_ - done_) / rate : 0.0;
  std::fprintf(stderr, "%s[%s] %lld/%lld samples  %.2f/s  elapsed %s  left %s%s", tty_ ? "\r" : "", label_.c_str(),
               static_cast<long long>(done_), static_cast<long long>(total_), rate, clock_text(elapsed).c_str(),
               clock_text(left).c_str(), (tty_ && !final) ? "   " : "\n");
  std::fflush(stderr);
}

void Progress::finish() {
  if (tty_ || done_ != total_) draw(true);  // otherwise advance() already printed the final count
}

}  // namespace ppb::harness
