#!/usr/bin/env bash
# Coverage throughput through HAProxy with 1, 2 and 3 replicas (issue 14), on the components of run.sh: a throwaway
# PostgreSQL cluster, Redis for the rate-limit buckets, the published Release build, deploy/haproxy.cfg. Seeds 40
# outlets, 300 stories and 3,000 linked articles through the API, then for each replica count drives single-story
# coverage reads of random stories (tests/load/coverage.lua) with wrk through the proxy and prints req/s and latency.
#   bash tests/cluster/scale.sh                      # 15 s per replica count, 32 connections
#   SCALE_SECONDS=30 SCALE_CONNECTIONS=64 bash tests/cluster/scale.sh
#   SCALE_LIMITS=off bash tests/cluster/scale.sh     # without rate limiting (no Redis round trip per request)
# Not part of CI. On a 2-core machine wrk, HAProxy, PostgreSQL and the replicas share the two cores, so more replicas
# add no capacity: the figures show the per-replica overhead, not how the service scales on more machines.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/cluster/cluster.sh

seconds=${SCALE_SECONDS:-15}
connections=${SCALE_CONNECTIONS:-32}
limits=${SCALE_LIMITS:-redis}
replica_pids=()
cleanup() {
  # SIGKILL: nothing is in flight any more, and SIGTERM would wait out each replica's drain delay.
  for pid in "${replica_pids[@]}"; do kill -KILL "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; done
  cluster_stop
}
trap cleanup EXIT

cluster_prepare wrk
cluster_publish
postgres_start
redis_start

key="scale-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
api=()
for i in 1 2 3; do
  port=$(free_port)
  api+=("127.0.0.1:$port")
  rate_limits=(RateLimiting__Enabled=false)
  # Three pools within PostgreSQL's max_connections (100): at Npgsql's default of 100 each, the third replica's
  # connections were refused ("too many clients") and its reads answered 503.
  # A bucket no run empties: the figures include each request's round trip to Redis, as in production.
  [ "$limits" = redis ] && rate_limits=(RateLimiting__Redis="127.0.0.1:$redis_port" RateLimiting__TokenLimit=100000000 RateLimiting__TokensPerPeriod=100000000)
  env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" \
    Storage__Engine=postgresql ConnectionStrings__NewsLens="$NEWSLENS_POSTGRES;Maximum Pool Size=30" \
    Auth__Keys__0__Name=scale Auth__Keys__0__Sha256="$(printf %s "$key" | sha256sum | cut -d' ' -f1)" \
    "${rate_limits[@]}" Logging__LogLevel__Default=Warning \
    dotnet "$cluster_work/publish/NewsLens.Api.dll" > "$cluster_work/api$i.log" 2>&1 &
  replica_pids+=($!)
  ready=""
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && ready=1 && break; sleep 0.1; done
  [ -n "$ready" ] || { echo "replica api$i was not ready within 60 s" >&2; tail -n 20 "$cluster_work/api$i.log" >&2; exit 1; }
done
echo "==> 3 replicas ready (rate limits: $limits)"

# The data set, through the first replica.
first="http://127.0.0.1:${api[0]#*:}"
post() { curl -sf -X POST -H "X-Api-Key: $key" -H 'Content-Type: application/json' --data-binary "$2" "$first$1"; }
outlets=() leans=(left center right lean_left lean_right)
for i in $(seq 1 40); do
  outlets+=("$(post /v1/outlets "{\"name\":\"Scale outlet $i\",\"domain\":\"scale$i.example\",\"bias\":\"${leans[$((i % 5))]}\"}" | sed -E 's/.*"id":([0-9]+).*/\1/')")
done
stories=()
for i in $(seq 1 300); do
  stories+=("$(post /v1/stories "{\"title\":\"Scale story $i\"}" | sed -E 's/.*"id":([0-9]+).*/\1/')")
done
printf '%s\n' "${stories[@]}" > "$cluster_work/ids"
for i in $(seq 1 3000); do
  [ "$i" -eq 1 ] && printf '[' || printf ','
  printf '%s' "{\"url\":\"https://scale$((i % 40 + 1)).example/a/$i\",\"title\":\"Scale article $i\",\"publishedAt\":\"2025-04-04T04:04:04Z\",\"outletId\":${outlets[$((i % 40))]},\"storyIds\":[${stories[$((i % 300))]}]}"
done > "$cluster_work/import.json"
echo ']' >> "$cluster_work/import.json"
post /v1/articles/import "@$cluster_work/import.json" > /dev/null
echo "==> seeded 40 outlets, 300 stories, 3,000 linked articles"

dead=$(free_port)
results=()
for n in 1 2 3; do
  servers=("${api[@]:0:n}")
  while [ ${#servers[@]} -lt 3 ]; do servers+=("127.0.0.1:$dead"); done
  proxy_start "${servers[@]}" > /dev/null
  # The proxy counts a server as up until its checks fail: wait until only the running replicas are UP.
  for _ in $(seq 1 100); do
    [ "$(proxy_status | grep -o ' UP' | wc -l)" -eq "$n" ] && break
    sleep 0.1
  done
  echo "==> $n replica(s): $(proxy_status)"
  export LUA_DIR="$PWD/tests/load" IDS_FILE="$cluster_work/ids" EXPECT_STATUS=200
  wrk -t2 -c"$connections" -d3s -s tests/load/coverage.lua "http://127.0.0.1:$proxy_port" > /dev/null
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s tests/load/coverage.lua "http://127.0.0.1:$proxy_port")
  json=$(echo "$out" | grep WRK_JSON | sed 's/^WRK_JSON //')
  num() { echo "$json" | grep -oE "\"$1\":[0-9.]+" | cut -d: -f2; }
  rps=$(awk -v r="$(num requests)" -v d="$(num durationUs)" 'BEGIN {printf "%.0f", r / (d / 1e6)}')
  errors=$(($(num connectErrors) + $(num readErrors) + $(num writeErrors) + $(num timeouts) + $(num unexpected)))
  line=$(printf '%d replica(s): %6s req/s, p50 %5.1f ms, p99 %6.1f ms, errors %d' "$n" "$rps" \
    "$(awk -v u="$(num p50Us)" 'BEGIN {print u / 1000}')" "$(awk -v u="$(num p99Us)" 'BEGIN {print u / 1000}')" "$errors")
  echo "    $line"
  results+=("$line")
  stop_pid "$proxy_pid"
  proxy_pid=""
done

echo
echo "coverage reads through HAProxy, wrk -t2 -c$connections, ${seconds} s each, rate limits: $limits, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg):"
printf '  %s\n' "${results[@]}"
