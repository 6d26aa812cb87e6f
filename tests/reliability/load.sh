#!/usr/bin/env bash
# Concurrent load against the published server on a file database (issue 6, suite 1).
#   bash tests/reliability/load.sh            # CI: 16 clients for 20 s
#   bash tests/reliability/load.sh --long     # 16 clients for 10 minutes
# Starts the server on a loopback port with a temporary database (rate limiting off: the clients are
# trusted load), runs tests/NewsLens.LoadTest, and stops the server by its process id, also on failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

seconds=20
[ "${1:-}" = "--long" ] && seconds=600
clients=${LOAD_CLIENTS:-16}

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))
key="load-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

echo "==> building the server and the load client"
dotnet publish src/NewsLens.Api -c Release -o "$work/publish" --nologo -v quiet
dotnet build tests/NewsLens.LoadTest -c Release --nologo -v quiet -o "$work/load"

ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" \
ConnectionStrings__NewsLens="Data Source=$work/load.db" \
Auth__Keys__0__Name=load Auth__Keys__0__Sha256="$(printf %s "$key" | sha256sum | cut -d' ' -f1)" \
RateLimiting__Enabled=false Logging__LogLevel__Default=Warning \
  dotnet "$work/publish/NewsLens.Api.dll" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && break; sleep 0.1; done

echo "==> $clients clients for $seconds s"
status=0
dotnet "$work/load/NewsLens.LoadTest.dll" --base-url "http://127.0.0.1:$port" --api-key "$key" --db "$work/load.db" \
  --clients "$clients" --seconds "$seconds" || status=$?
if [ $status -ne 0 ]; then tail -n 40 "$work/server.log"; fi
exit $status
