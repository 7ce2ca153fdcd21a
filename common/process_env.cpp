#include "common/process_env.h"

#include <unistd.h>

#include <cstdlib>

namespace ppb {

void restart_with_passive_openmp(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (::setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // execv returns only on failure: the program goes on with the default policy.
}

}  // namespace ppb
