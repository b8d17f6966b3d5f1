#!/usr/bin/env bash
# The test command: installs what is missing, starts PostgreSQL and Redis, runs every test.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -m "not slow"` while developing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --services
bash scripts/services.sh
exec .venv/bin/python -m pytest "$@"
