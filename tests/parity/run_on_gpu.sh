#!/usr/bin/env bash
# The model library on a GPU machine that has PyTorch (with its LibTorch and CMake files),
# nvcc and Hugging Face transformers but no package registry: builds model/ in the
# PPB_MODEL_ONLY configuration against that LibTorch, writes transformers references, and runs
# ppb_parity on the CPU and the GPU (docs/parity.md). Carried beside the tree:
#   .carry/debs/  Debian 12's libpcre2-dev, libsentencepiece-dev, nlohmann-json3-dev and the
#                 libraries they need (apt-get download ...), unpacked here into /tmp
#   .carry/tiny_qwen/  a tiny PPLLaVA checkpoint with a Qwen2 LLM
#                      (ppbench model init-tiny --llm qwen2 --out .carry/tiny_qwen)
# Logs go to $OUT when it is set.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/ppb_parity_out}
mkdir -p "$out"
deps=/tmp/ppb_deps
mkdir -p $deps
for f in .carry/debs/*.deb; do dpkg -x "$f" $deps; done
lib=$deps/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$lib:${LD_LIBRARY_PATH:-}
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
python3 -c 'import torch, transformers; print("torch", torch.__version__, "cuda", torch.version.cuda,
  torch.cuda.get_device_name(0), "transformers", transformers.__version__)'
nproc
# No pkg-config there: CMakeLists.txt finds SentencePiece and PCRE2 by header and library name.
cmake -S . -B /tmp/ppb_build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPPB_MODEL_ONLY=ON \
  -DCMAKE_PREFIX_PATH="$torch_prefix;$deps/usr" \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$lib" -DCMAKE_SHARED_LINKER_FLAGS="-Wl,-rpath-link,$lib" \
  > "$out/configure.log" 2>&1 || { tail -40 "$out/configure.log"; exit 1; }
grep -E "Found Torch|CUDA|cuDNN|Could NOT" "$out/configure.log" | head -20 || true
cmake --build /tmp/ppb_build -j "$(nproc)" --target ppb_parity ppb_spm > "$out/build.log" 2>&1 ||
  { grep -E "error|Error" "$out/build.log" | head -40; exit 1; }
echo "build ok: $(grep -c 'warning:' "$out/build.log") compiler warnings"
PYTHONUNBUFFERED=1 python3 tests/parity/make_reference.py /tmp/ppb_ref 2>&1 | tail -5
# The Qwen2 tiny checkpoint: its tokenizer is ppbench's own BPE. Debian's libsentencepiece, carried
# onto that machine, crashed when called (docs/parity.md), so the LLaMA tiny model stays on the CPU.
/tmp/ppb_build/ppb_parity /tmp/ppb_ref .carry/tiny_qwen 2>&1 | tee "$out/parity.txt"
