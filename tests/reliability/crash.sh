#!/usr/bin/env bash
# Crash consistency (issue 6, suite 2), on SQLite and then on PostgreSQL (issue 13): rounds of start → write load →
# SIGKILL at a random moment → restart, checking after each restart the engine's storage (SQLite's integrity_check,
# amcheck on PostgreSQL's B-tree indexes), readiness, every acknowledged write, and summaries = recount.
#   bash tests/reliability/crash.sh                       # CI: 5 rounds on each engine
#   bash tests/reliability/crash.sh --long                # 20 rounds on each engine
#   bash tests/reliability/crash.sh --engine postgresql   # one engine only: sqlite or postgresql
# On PostgreSQL only the service is killed: the throwaway cluster (postgres.sh) keeps running and the restarted
# service finds the same database. Exits non-zero when either engine fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/ports.sh
source tests/reliability/postgres.sh

rounds=5
engines=(sqlite postgresql)
while [ $# -gt 0 ]; do
  case "$1" in
    --long) rounds=20 ;;
    --engine) engines=("${2:-}"); shift ;;
    *) echo "usage: crash.sh [--long] [--engine sqlite|postgresql]" >&2; exit 2 ;;
  esac
  shift
done
case "${engines[*]}" in sqlite | postgresql | "sqlite postgresql") ;; *) echo "--engine takes sqlite or postgresql" >&2; exit 2 ;; esac

work=$(mktemp -d)
trap 'pkill -KILL -f "$work/publish/NewsLens.Api.dll" 2>/dev/null || true; postgres_stop; rm -rf "$work"' EXIT

echo "==> building the server and the load client"
dotnet publish src/NewsLens.Api -c Release -o "$work/publish" --nologo -v quiet
dotnet build tests/NewsLens.LoadTest -c Release --nologo -v quiet -o "$work/load"

key="crash-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# One engine's rounds; the load client starts, kills and restarts the server itself, with this engine's settings.
run_crash() {
  local engine=$1 database
  if [ "$engine" = postgresql ]; then
    postgres_start || return 1
    database=$NEWSLENS_POSTGRES
  else
    database="$work/crash.db"
  fi

  local port seed=$RANDOM status=0
  port=$(free_port)
  echo "==> $engine: $rounds crash rounds, 8 clients, seed $seed"
  dotnet "$work/load/NewsLens.LoadTest.dll" --base-url "http://127.0.0.1:$port" --api-key "$key" --engine "$engine" --db "$database" \
    --clients 8 --crash-rounds "$rounds" --server-dll "$work/publish/NewsLens.Api.dll" --server-log "$work/server-$engine.log" \
    --seed "$seed" || status=$?
  if [ $status -ne 0 ]; then tail -n 40 "$work/server-$engine.log"; fi
  return $status
}

status=0
summary=""
for engine in "${engines[@]}"; do
  if run_crash "$engine"; then result=passed; else result=FAILED; status=1; fi
  postgres_stop
  summary+="${summary:+, }$engine $result"
done
echo "crash: $summary"
exit $status
