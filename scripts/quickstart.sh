#!/usr/bin/env bash
# First run on a fresh machine: install, transcribe a sample recording on the embedded default
# (SQLite + a local broker, no Docker, no GPU), create the first admin with a random password
# (printed once), then serve the dashboard until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/tingshuo process tests/data/librispeech_1995-1837-0001.wav --wait
.venv/bin/tingshuo show 1
if ! .venv/bin/tingshuo users list | grep -q .; then
    .venv/bin/tingshuo users create admin --admin --generate-password
fi
exec .venv/bin/tingshuo up
