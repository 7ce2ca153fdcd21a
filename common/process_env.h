// The process environment LibTorch's thread pools need, set before they exist.
#pragma once

namespace ppb {

// LibTorch's OpenMP pool spins after each parallel region while OpenBLAS's own threads wait for
// the same cores; on a small machine the two fight (decoding a token took five times longer in
// docs/PERFORMANCE.md's measurements). OpenMP reads OMP_WAIT_POLICY once, when it is loaded, so
// when the variable is unset this sets it to PASSIVE and starts the program again in place
// (execv of /proc/self/exe with the same arguments). A value the user set is left alone. Returns
// only when no restart was needed or it failed.
void restart_with_passive_openmp(char** argv);

}  // namespace ppb
