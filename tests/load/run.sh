#!/usr/bin/env bash
# The NewsLens load benchmark (issue 5): publishes the Release server, generates the databases through the
# API, drives every scenario with wrk, runs the BenchmarkDotNet micro-benchmarks and writes the report.
#   bash tests/load/run.sh            # full run (about 15 minutes): writes docs/benchmark-report.md
#   bash tests/load/run.sh --quick    # CI smoke run (under 3 minutes): small database, short runs; fails only on errors
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

quick=""
report="docs/benchmark-report.md"
if [ "${1:-}" = "--quick" ]; then
  quick="--quick"
  report=""
fi

if ! command -v wrk >/dev/null 2>&1; then
  echo "==> installing wrk"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq wrk >/dev/null
fi

work=$(mktemp -d)
# NEWSLENS_BENCH_KEEP=1 keeps the generated databases (e.g. for `NewsLens.Benchmarks micro`).
trap 'pkill -KILL -f "$work/publish/NewsLens.Api.dll" 2>/dev/null || true; [ "${NEWSLENS_BENCH_KEEP:-}" = 1 ] && echo "kept $work" || rm -rf "$work"' EXIT

echo "==> publishing the server (Release) and building the benchmark runner"
# For this machine's runtime, so the build is ReadyToRun as in the container image (start-to-ready is measured).
dotnet publish src/NewsLens.Api -c Release -r linux-x64 --self-contained false -o "$work/publish" --nologo -v quiet
dotnet build tests/NewsLens.Benchmarks -c Release --nologo -v quiet -o "$work/bench"

args=(run --server-dll "$work/publish/NewsLens.Api.dll" --lua "$PWD/tests/load" --work "$work/data")
[ -n "$quick" ] && args+=("$quick")
[ -n "$report" ] && mkdir -p "$(dirname "$report")" && args+=(--report "$PWD/$report")
dotnet "$work/bench/NewsLens.Benchmarks.dll" "${args[@]}"
