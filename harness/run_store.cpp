#include "harness/run_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ppb::harness {

RunStore::RunStore(const std::string& run_dir) : path_(run_dir + "/samples.jsonl") {
  reports::LoadedRecords loaded = reports::load_records(path_);
  torn_ = loaded.torn_tail;
  for (const auto& r : loaded.records) keys_.insert(record_key(r));
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open " + path_ + ": " + std::strerror(errno));
  if (::ftruncate(fd_, static_cast<off_t>(loaded.valid_bytes)) != 0 ||
      ::lseek(fd_, 0, SEEK_END) < 0)
    throw std::runtime_error("cannot cut the torn tail of " + path_ + ": " + std::strerror(errno));
}

RunStore::~RunStore() {
  if (fd_ >= 0) ::close(fd_);
}

void RunStore::append(const nlohmann::json& record) {
  const std::string line = record.dump() + "\n";
  size_t written = 0;
  while (written < line.size()) {
    ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot append to " + path_ + ": " + std::strerror(errno));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd_) != 0) throw std::runtime_error("fsync failed on " + path_ + ": " + std::strerror(errno));
  keys_.insert(record_key(record));
}

}  // namespace ppb::harness
