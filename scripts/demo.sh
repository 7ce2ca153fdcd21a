#!/usr/bin/env bash
# The main job on its built-in default: set up, build, then `ppbench demo` (extra arguments are passed on).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec "${BUILD_DIR:-build}/ppbench" demo "$@"
