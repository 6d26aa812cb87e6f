#!/usr/bin/env bash
# The NewsLens load benchmark (issues 5 and 13): publishes the Release server, generates the databases through the
# API, drives every scenario with wrk on each storage engine, runs the BenchmarkDotNet micro-benchmarks and writes
# the report.
#   bash tests/load/run.sh                     # full run on SQLite and PostgreSQL: writes docs/benchmark-report.md
#   bash tests/load/run.sh --quick             # CI smoke run on SQLite (small databases, short runs); fails only on errors
#   bash tests/load/run.sh --quick --engine both
#   --engine sqlite|postgresql|both            # default: both for a full run, sqlite for --quick
# --quick runs SQLite only because .ci/run must stay near 3 minutes: the publish and build take about a minute, one
# engine's quick run about two (most of it the server's JIT warm-up before the ratio rounds), so both engines would
# take about five. .ci/run's load and crash runs already exercise PostgreSQL.
# PostgreSQL runs on a throwaway cluster (tests/load/postgres.sh); the script installs wrk and PostgreSQL with
# apt-get when they are missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/load/postgres.sh

quick=""
engine=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick="--quick" ;;
    --engine) engine="${2:-}"; shift ;;
    *) echo "usage: $0 [--quick] [--engine sqlite|postgresql|both]" >&2; exit 2 ;;
  esac
  shift
done
[ -z "$engine" ] && engine=$([ -n "$quick" ] && echo sqlite || echo both)
case "$engine" in
  sqlite|postgresql|both) ;;
  *) echo "--engine must be sqlite, postgresql or both" >&2; exit 2 ;;
esac
report=$([ -z "$quick" ] && echo docs/benchmark-report.md || true)

if ! command -v wrk >/dev/null 2>&1; then
  echo "==> installing wrk"
  as_root apt-get update -qq >/dev/null && as_root apt-get install -y -qq wrk >/dev/null
fi

work=$(mktemp -d)
cleanup() {
  pkill -KILL -f "$work/publish/NewsLens.Api.dll" 2>/dev/null || true
  postgres_stop
  # NEWSLENS_BENCH_KEEP=1 keeps the generated SQLite databases (e.g. for `NewsLens.Benchmarks micro`).
  if [ "${NEWSLENS_BENCH_KEEP:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

args=(run --engine "$engine" --lua "$PWD/tests/load" --work "$work/data")
if [ "$engine" != sqlite ]; then
  postgres_install
  postgres_start
  args+=(--postgres "$PG_ADMIN")
fi

echo "==> publishing the server (Release) and building the benchmark runner"
# For this machine's runtime, so the build is ReadyToRun as in the container image (start-to-ready is measured).
dotnet publish src/NewsLens.Api -c Release -r linux-x64 --self-contained false -o "$work/publish" --nologo -v quiet
dotnet build tests/NewsLens.Benchmarks -c Release --nologo -v quiet -o "$work/bench"

args+=(--server-dll "$work/publish/NewsLens.Api.dll")
[ -n "$quick" ] && args+=("$quick")
[ -n "$report" ] && args+=(--report "$PWD/$report")
dotnet "$work/bench/NewsLens.Benchmarks.dll" "${args[@]}"
