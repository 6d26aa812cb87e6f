#!/usr/bin/env bash
# Concurrent load against the published server (issue 6, suite 1), on SQLite and then on PostgreSQL (issue 13).
#   bash tests/reliability/load.sh                       # CI: 16 clients for 20 s on each engine
#   bash tests/reliability/load.sh --long                # 16 clients for 10 minutes on each engine
#   bash tests/reliability/load.sh --engine postgresql   # one engine only: sqlite or postgresql
# For each engine, starts the server on a loopback port with a temporary database (a SQLite file, or a database in
# a throwaway PostgreSQL cluster: postgres.sh), rate limiting off (the clients are trusted load), runs
# tests/NewsLens.LoadTest, and stops the server by its process id, also on failure. Exits non-zero when either
# engine fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/ports.sh
source tests/reliability/postgres.sh

seconds=20
engines=(sqlite postgresql)
while [ $# -gt 0 ]; do
  case "$1" in
    --long) seconds=600 ;;
    --engine) engines=("${2:-}"); shift ;;
    *) echo "usage: load.sh [--long] [--engine sqlite|postgresql]" >&2; exit 2 ;;
  esac
  shift
done
case "${engines[*]}" in sqlite | postgresql | "sqlite postgresql") ;; *) echo "--engine takes sqlite or postgresql" >&2; exit 2 ;; esac
clients=${LOAD_CLIENTS:-16}

work=$(mktemp -d)
server_pid=""
cleanup() {
  stop_server
  postgres_stop
  rm -rf "$work"
}
trap cleanup EXIT

key="load-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

echo "==> building the server and the load client"
dotnet publish src/NewsLens.Api -c Release -o "$work/publish" --nologo -v quiet
dotnet build tests/NewsLens.LoadTest -c Release --nologo -v quiet -o "$work/load"

# One engine's run: its own server and database, the load, the checks. The loop below stops both, however it ends.
run_load() {
  local engine=$1 connection database
  if [ "$engine" = postgresql ]; then
    postgres_start || return 1
    connection=$NEWSLENS_POSTGRES database=$NEWSLENS_POSTGRES
  else
    connection="Data Source=$work/load.db" database="$work/load.db"
  fi

  local port
  port=$(free_port)
  ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" \
  Storage__Engine="$engine" ConnectionStrings__NewsLens="$connection" \
  Auth__Keys__0__Name=load Auth__Keys__0__Sha256="$(printf %s "$key" | sha256sum | cut -d' ' -f1)" \
  RateLimiting__Enabled=false Logging__LogLevel__Default=Warning \
    dotnet "$work/publish/NewsLens.Api.dll" > "$work/server-$engine.log" 2>&1 &
  server_pid=$!
  local ready=""
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && ready=1 && break; sleep 0.1; done
  if [ -z "$ready" ]; then
    echo "load ($engine): the server was not ready within 30 s"
    tail -n 40 "$work/server-$engine.log"
    return 1
  fi

  echo "==> $engine: $clients clients for $seconds s"
  local status=0
  dotnet "$work/load/NewsLens.LoadTest.dll" --base-url "http://127.0.0.1:$port" --api-key "$key" --engine "$engine" --db "$database" \
    --clients "$clients" --seconds "$seconds" || status=$?
  if [ $status -ne 0 ]; then tail -n 40 "$work/server-$engine.log"; fi
  return $status
}

status=0
summary=""
for engine in "${engines[@]}"; do
  if run_load "$engine"; then result=passed; else result=FAILED; status=1; fi
  stop_server
  postgres_stop
  summary+="${summary:+, }$engine $result"
done
echo "load: $summary"
exit $status
