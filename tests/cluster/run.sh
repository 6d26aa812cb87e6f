#!/usr/bin/env bash
# Replicas behind HAProxy (issue 14), with real components on loopback ports: a throwaway PostgreSQL cluster
# (tests/reliability/postgres.sh), redis-server for the rate-limit buckets, three replicas of the published Release
# build (Production, Storage:Engine=postgresql, RateLimiting:Redis) and HAProxy with deploy/haproxy.cfg in front,
# checking /health/ready. tests/NewsLens.LoadTest --replicas starts the replicas, keeps 8 clients of mixed load on
# the proxy, and checks and prints:
#   the freshness window between replicas (p50/p99/max; fails past 1 s) and equal ETag/Last-Modified from each;
#   kill -9 of one replica (failed requests counted); a rolling restart with SIGTERM (0 failed requests);
#   PostgreSQL restarted (pg_ctl restart -m fast: 503 while down, no 500, recovery without restarting replicas);
#   every acknowledged write present, every replica's coverage of every story = a recount from the links;
#   each replica's /metrics (and the proxy hiding it); one key's burst over the replicas gets one bucket (Redis).
#   bash tests/cluster/run.sh              # CI: about 3 minutes on 2 cores
#   CLUSTER_SECONDS=60 bash tests/cluster/run.sh   # a longer steady stretch (more freshness samples)
#   CLUSTER_LOGS=/tmp/cluster-logs bash tests/cluster/run.sh   # keep the logs of the replicas, HAProxy, Redis, PostgreSQL
# Installs haproxy, redis-server and postgresql (Debian packages) when missing; stops everything it started and
# deletes its temporary folder however it ends. Exits non-zero when a promise broke.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source tests/cluster/cluster.sh

started=$SECONDS
load_pid=""
cleanup() {
  # The load client runs in a session of its own, with the replicas it started: end them all, by that id.
  if [ -n "$load_pid" ] && kill -0 "$load_pid" 2> /dev/null; then kill -KILL -- "-$load_pid" 2> /dev/null || true; fi
  cluster_stop
}
trap cleanup EXIT

cluster_prepare
cluster_publish
postgres_start
redis_start

api=() replicas=()
for _ in 1 2 3; do
  port=$(free_port)
  api+=("127.0.0.1:$port")
  replicas+=("http://127.0.0.1:$port")
done
proxy_start "${api[@]}"

key="cluster-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
owner=""
[ "$(id -u)" -eq 0 ] && owner="runuser -u postgres --"
restart_postgres="$owner $postgres_bin/pg_ctl -D $postgres_folder/data -l $postgres_folder/server.log -m fast -w -t 60 restart > /dev/null"

echo "==> 3 replicas, 8 clients of mixed load through HAProxy"
status=0
setsid dotnet "$cluster_work/load/NewsLens.LoadTest.dll" --base-url "http://127.0.0.1:$proxy_port" --api-key "$key" \
  --engine postgresql --db "$NEWSLENS_POSTGRES" --clients 8 --seconds "${CLUSTER_SECONDS:-20}" \
  --server-dll "$cluster_work/publish/NewsLens.Api.dll" --server-log "$cluster_work/replicas.log" \
  --replicas "$(IFS=,; echo "${replicas[*]}")" --proxy-stats "http://127.0.0.1:$proxy_stats_port/stats;csv" \
  --redis "127.0.0.1:$redis_port" --postgres-restart "$restart_postgres" &
load_pid=$!
wait "$load_pid" || status=$?
load_pid=""

if [ $status -ne 0 ]; then
  echo "--- last lines of the replicas' log"
  grep -v -e "\"LogLevel\":\"Information\"" -e "HealthChecks.DefaultHealthCheckService" "$cluster_work/replicas.log" | tail -n 30 || true
  echo "--- last lines of HAProxy's log (failed and abnormal requests only)"
  tail -n 30 "$cluster_work/haproxy.log" || true
fi
echo "cluster: $([ $status -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - started)) s"
exit $status
