// The base folder of ppbench's on-disk caches (frames, judge answers).
#pragma once
#include <string>

namespace ppb {

// $PPBENCH_CACHE_DIR, else $XDG_CACHE_HOME/ppbench, else $HOME/.cache/ppbench, else
// <temp>/ppbench. Only computes the path; creates nothing.
std::string ppbench_cache_dir();

}  // namespace ppb
