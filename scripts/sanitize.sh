#!/usr/bin/env bash
# The datasets module's tests (CTest label `datasets`: decoding, sampling, frame cache, bad
# input) under AddressSanitizer and UndefinedBehaviorSanitizer, in build-asan/. Run after
# scripts/setup.sh has installed the packages.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${ASAN_BUILD_DIR:-build-asan}
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPPB_SANITIZE=ON
fi
cmake --build "$dir" -j "${JOBS:-2}" --target ppb_datasets_tests
cd "$dir"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  ctest --output-on-failure -L datasets
