#!/usr/bin/env bash
# Fault test: kill -9 gunicorn's master and workers 10 times in the middle of writes, restart it,
# then check every accepted write is stored, no transition is half-written, and the trail verifies.
#
#   scripts/faults/kill_app.sh [--cycles 10] [--users 16] [--workers 4] [--keep]
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -x .venv/bin/python ]] || bin/setup
exec .venv/bin/python scripts/faults/kill_app.py "$@"
