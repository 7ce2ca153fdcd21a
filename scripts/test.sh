#!/usr/bin/env bash
# Set up, build, then run every test through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure --timeout 1200 "$@"
