#!/usr/bin/env bash
# Crash consistency (issue 6, suite 2): rounds of start → write load → SIGKILL at a random moment → restart,
# checking after each restart integrity_check, readiness, every acknowledged write, and summaries = recount.
#   bash tests/reliability/crash.sh          # CI: 5 rounds
#   bash tests/reliability/crash.sh --long   # 20 rounds
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

rounds=5
[ "${1:-}" = "--long" ] && rounds=20
work=$(mktemp -d)
trap 'pkill -KILL -f "$work/publish/NewsLens.Api.dll" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "==> building the server and the load client"
dotnet publish src/NewsLens.Api -c Release -o "$work/publish" --nologo -v quiet
dotnet build tests/NewsLens.LoadTest -c Release --nologo -v quiet -o "$work/load"

port=$((20000 + RANDOM % 20000))
key="crash-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "==> $rounds crash rounds, 8 clients"
dotnet "$work/load/NewsLens.LoadTest.dll" --base-url "http://127.0.0.1:$port" --api-key "$key" --db "$work/crash.db" \
  --clients 8 --crash-rounds "$rounds" --server-dll "$work/publish/NewsLens.Api.dll" --seed "$RANDOM"
