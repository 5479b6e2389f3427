#!/usr/bin/env bash
# Fault test: stop PostgreSQL abruptly (pg_ctl stop -m immediate) under load; every answer during
# the outage must be Docket's 503 page and never a traceback or a 500; start PostgreSQL again and
# Docket must recover by itself within 5 s; then every accepted write is checked and the trail verified.
#
#   scripts/faults/db_outage.sh [--users 20] [--outage 15] [--recover 5] [--keep]
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -x .venv/bin/python ]] || bin/setup
exec .venv/bin/python scripts/faults/db_outage.py "$@"
