#include "common/cache_dir.h"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace ppb {

std::string ppbench_cache_dir() {
  if (const char* d = std::getenv("PPBENCH_CACHE_DIR"); d && *d) return fs::path(d).string();
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return (fs::path(d) / "ppbench").string();
  if (const char* d = std::getenv("HOME"); d && *d) return (fs::path(d) / ".cache" / "ppbench").string();
  return (fs::temp_directory_path() / "ppbench").string();
}

}  // namespace ppb
