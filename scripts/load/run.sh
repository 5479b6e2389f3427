#!/usr/bin/env bash
# Load test: 50 simulated people doing the real mix for 60 s against gunicorn (4 workers) and a
# throw-away PostgreSQL server, all on 127.0.0.1; then every accepted write is checked in the
# database and `flask trail verify` is run. Exits 0 only when there was no 5xx and every check held.
#
#   scripts/load/run.sh [--users 50] [--duration 60] [--workers 4] [--think 0.2,1.0] [--keep]
#
# Needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin, as .ci/run installs them).
# When run as root, the server runs as the postgres user.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -x .venv/bin/python ]] || bin/setup
exec .venv/bin/python scripts/load/driver.py "$@"
