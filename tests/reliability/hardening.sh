#!/usr/bin/env bash
# Hardening checks against the published server in Production (issue 11), each printing what it measured:
#   1. settings: started from another working folder, the server reads the appsettings.json beside it (JSON logs);
#      an API key in the query string is refused and never logged; CR/LF from a path never starts a log line;
#   2. memory: three 95 MiB single-line NDJSON bodies and three 95 MiB single-string JSON bodies at once are
#      refused as bad rows while the server's RSS stays under 300 MB, and RSS falls back afterwards;
#   3. the write turn: while a slow upload (10 KB/s) and a 1,000,000-row dry run are under way, other writes succeed.
#   bash tests/reliability/hardening.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/ports.sh
root=$(pwd)

work=$(mktemp -d)
server_pid=""
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }

echo "==> publishing the server"
dotnet publish src/NewsLens.Api -c Release -o "$work/publish" --nologo -v quiet

port=$(free_port)
base="http://127.0.0.1:$port"
key="hardening-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$work/elsewhere"
# Started from another folder, with no settings in the environment but the database, a key and the address.
(cd "$work/elsewhere" && ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$base" \
  ConnectionStrings__NewsLens="Data Source=$work/hardening.db" RateLimiting__Enabled=false \
  Auth__Keys__0__Name=hardening Auth__Keys__0__Sha256="$(printf %s "$key" | sha256sum | cut -d' ' -f1)" \
  exec dotnet "$work/publish/NewsLens.Api.dll" > "$work/server.log" 2>&1) &
server_pid=$!
for _ in $(seq 1 150); do curl -sf "$base/health/ready" > /dev/null && break; sleep 0.1; done
curl -sf "$base/health/ready" > /dev/null || { cat "$work/server.log"; echo "FAIL: the server did not start"; exit 1; }

rss_mb() { awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$server_pid/status"; }

echo "==> 1. settings and logs"
first=$(head -c 1 "$work/server.log")
if [ "$first" = "{" ]; then pass "started from another folder, the server logs JSON as its appsettings.json says"; else fail "the log is not JSON: appsettings.json beside the server was not read ($(head -n 1 "$work/server.log"))"; fi
secret="nlk_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
status=$(curl -s -o /dev/null -w '%{http_code}' "$base/v1/outlets?api_key=$secret")
if [ "$status" = 400 ]; then pass "?api_key= is a 400"; else fail "?api_key= answered $status"; fi
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-Api-Key: wrong" -H 'Content-Type: application/json' -d '{}' "$base/v1/stories/%0D%0AINJECTED%20LINE")
sleep 0.5
if grep -q "$secret" "$work/server.log"; then fail "the query-string key reached the log"; else pass "the query-string key is not in the log"; fi
if grep -q '^INJECTED' "$work/server.log"; then fail "a CR/LF from the path started a log line"; else pass "no log line starts with text from a path (answer $status)"; fi
if grep -q 'INJECTED' "$work/server.log"; then pass "the path was logged as an escaped JSON value"; fi

echo "==> 2. memory under 95 MiB single-row bodies (3 NDJSON lines, 3 JSON strings, at once)"
size=$((95 * 1024 * 1024))
{ printf '{"url":"https://a.example/'; head -c "$size" /dev/zero | tr '\0' 'a'; printf '"}\n'; } > "$work/line.ndjson"
{ printf '["'; head -c "$size" /dev/zero | tr '\0' 'a'; printf '"]'; } > "$work/string.json"
before=$(rss_mb)
peak=$before
for i in 1 2 3; do
  curl -s -o "$work/nd$i.out" -w '%{http_code}\n' -X POST -T "$work/line.ndjson" -H 'Content-Type: application/x-ndjson' -H "X-Api-Key: $key" "$base/v1/articles/import" > "$work/nd$i.status" &
  pids+=($!)
  curl -s -o "$work/js$i.out" -w '%{http_code}\n' -X POST -T "$work/string.json" -H 'Content-Type: application/json' -H "X-Api-Key: $key" "$base/v1/outlets/import" > "$work/js$i.status" &
  pids+=($!)
done
while pgrep -P $$ curl > /dev/null; do
  now=$(rss_mb); [ "$now" -gt "$peak" ] && peak=$now
  sleep 0.1
done
wait "${pids[@]}" 2>/dev/null || true
pids=()
codes=$(cat "$work"/nd*.status "$work"/js*.status | sort | uniq -c | tr -s ' ' | tr '\n' ';')
sleep 5
after=$(rss_mb)
echo "   RSS before $before MB, peak $peak MB, 5 s after $after MB; answers: $codes"
if [ "$(cat "$work"/nd*.status "$work"/js*.status | grep -vc '^422$' || true)" = 0 ]; then pass "all six bodies were refused with 422"; else fail "not every body was a 422: $codes"; fi
if grep -q 'Imports:MaxRowBytes' "$work/nd1.out" && grep -q 'Imports:MaxRowBytes' "$work/js1.out"; then pass "the bad row names the row limit"; else fail "the 422 does not name the row limit: $(head -c 300 "$work/nd1.out")"; fi
if [ "$peak" -lt 300 ]; then pass "peak RSS $peak MB < 300 MB"; else fail "peak RSS $peak MB >= 300 MB"; fi
if [ "$after" -le $((before + 50)) ]; then pass "RSS 5 s later, $after MB, is within 50 MB of before ($before MB)"; else fail "RSS stayed up after the bodies: $after MB against $before MB before"; fi
rm -f "$work/line.ndjson" "$work/string.json"

echo "==> 3. other writers while a slow upload and a 1,000,000-row dry run are under way"
domain="slow-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n').example"
curl -sf -X POST -H "X-Api-Key: $key" -H 'Content-Type: application/json' -d "{\"name\":\"Slow\",\"domain\":\"$domain\",\"bias\":\"center\"}" "$base/v1/outlets" > /dev/null
for i in $(seq 1 1500); do printf '{"url":"https://%s/slow/%d","title":"Slow upload %d","publishedAt":"2025-03-01T10:00:00Z"}\n' "$domain" "$i" "$i"; done > "$work/slow.ndjson"
{ echo "name,domain,bias"; seq 1 1000000 | awk '{ printf "Outlet %d,dry%d.example,center\n", $1, $1 }'; } > "$work/dry.csv"
slow_started=$(date +%s.%N)
curl -s -o "$work/slow.out" -w '%{http_code}\n' --limit-rate 10K -X POST -T "$work/slow.ndjson" -H 'Content-Type: application/x-ndjson' -H "X-Api-Key: $key" "$base/v1/articles/import" > "$work/slow.status" &
pids+=($!)
slow_pid=$!
curl -s -o "$work/dry.out" -w '%{http_code} %{time_total}\n' -X POST -T "$work/dry.csv" -H 'Content-Type: text/csv' -H "X-Api-Key: $key" "$base/v1/outlets/import?dryRun=true" > "$work/dry.status" &
pids+=($!)
dry_pid=$!
sleep 1
writes=0 ok=0 slowest=0
while kill -0 "$slow_pid" 2>/dev/null || kill -0 "$dry_pid" 2>/dev/null; do
  result=$(curl -s -o /dev/null -m 15 -w '%{http_code} %{time_total}' -X POST -H "X-Api-Key: $key" -H 'Content-Type: application/json' -d '{"title":"Written meanwhile"}' "$base/v1/stories")
  writes=$((writes + 1))
  [ "${result%% *}" = 201 ] && ok=$((ok + 1))
  slowest=$(echo "$slowest ${result##* }" | awk '{ print ($2 > $1) ? $2 : $1 }')
  sleep 0.25
done
wait "${pids[@]}" 2>/dev/null || true
pids=()
slow_seconds=$(echo "$(date +%s.%N) $slow_started" | awk '{ printf "%.1f", $1 - $2 }')
echo "   slow upload: $(cat "$work/slow.status") after $slow_seconds s; dry run: $(cat "$work/dry.status") ($(head -c 120 "$work/dry.out"))"
echo "   other writes meanwhile: $ok of $writes answered 201; slowest ${slowest} s"
if [ "$(cat "$work/slow.status")" = 200 ] && [ "${slow_seconds%.*}" -ge 10 ]; then pass "the slow upload took $slow_seconds s and was imported"; else fail "the slow upload: $(cat "$work/slow.status") in $slow_seconds s: $(head -c 300 "$work/slow.out")"; fi
if [ "$(cut -d' ' -f1 "$work/dry.status")" = 200 ] && grep -q '"created":1000000' "$work/dry.out"; then pass "the dry run counted 1,000,000 outlets"; else fail "the dry run: $(cat "$work/dry.status") $(head -c 300 "$work/dry.out")"; fi
if [ "$writes" -ge 5 ] && [ "$ok" = "$writes" ]; then pass "every other write succeeded meanwhile ($ok of $writes, slowest $slowest s)"; else fail "only $ok of $writes other writes succeeded"; fi

echo
if [ "$failures" -gt 0 ]; then
  echo "hardening: $failures check(s) failed"; tail -n 20 "$work/server.log"; exit 1
fi
echo "hardening: every check passed"
