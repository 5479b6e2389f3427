#!/usr/bin/env bash
# The whole benchmark in one command: generate the data sets at two scales, then measure.
#
#   bench/run.sh                 # SQLite: 1x and 10x (about 5 minutes in all on 2 cores)
#   bench/run.sh --quick         # SQLite: 0.1x and 1x
#   bench/run.sh --postgres      # a throw-away PostgreSQL server (like .ci/run), 1x and 10x
#   BENCH_SCALES=1,10 bench/run.sh --duration 10 ...   # other bench/run.py options pass through
#
# Needs wrk (apt-get install wrk). Writes bench/results/results.json and results.md.
# Ends with the deadline-day workload (bench/load.py, 60 s; --deadline-seconds N, --skip deadline).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[[ -x $PY ]] || { echo "No .venv: run bin/setup first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
# The profiler for --profile (the bench extra of pyproject.toml).
$PY -c "import pyinstrument" 2>/dev/null || $PY -m pip install --quiet -e ".[bench]"

scales=${BENCH_SCALES:-1,10}
args=()
postgres=0
for arg in "$@"; do
  case $arg in
    --quick) scales=0.1,1 ;;
    --postgres) postgres=1; args+=("$arg") ;;
    *) args+=("$arg") ;;
  esac
done

mkdir -p bench/data bench/results  # a fresh clone has neither
if (( ! postgres )); then
  IFS=, read -ra list <<< "$scales"
  for s in "${list[@]}"; do
    echo "=== Generating the ${s}x data set (SQLite)"
    start=$(date +%s)
    $PY bench/generate.py --scale "$s" --database-url "sqlite:///$PWD/bench/data/docket-${s}x.db" >/dev/null
    echo "    done in $(( $(date +%s) - start )) s"
  done
fi
echo "=== Measuring"
exec $PY bench/run.py --scales "$scales" "${args[@]}"
