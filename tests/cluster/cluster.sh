# Sourced by tests/cluster/run.sh and scale.sh: the parts of a cluster on loopback ports around the published build.
#   source tests/cluster/cluster.sh
#   cluster_prepare                 # installs haproxy, redis-server, postgresql, curl (and wrk with cluster_prepare wrk) when missing
#   cluster_publish                 # the Release build into $cluster_work/publish
#   postgres_start; redis_start; proxy_start API1 API2 API3
#   trap cluster_stop EXIT          # stops whatever was started, by process id, and deletes the temporary folder
# Ports are chosen at random among those nothing listens on; the parts log into $cluster_work.

source tests/reliability/postgres.sh

cluster_work=$(mktemp -d)
redis_pid="" proxy_pid="" redis_port="" proxy_port="" proxy_stats_port=""
chosen_ports=" "

cluster_prepare() {
  local packages=()
  [ -x /usr/sbin/haproxy ] || packages+=(haproxy)
  [ -x /usr/bin/redis-server ] || packages+=(redis-server)
  postgres_find_bin > /dev/null || packages+=(postgresql)
  command -v curl > /dev/null || packages+=(curl)
  for extra in "$@"; do command -v "$extra" > /dev/null || packages+=("$extra"); done
  if [ ${#packages[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${packages[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" > /dev/null
    # The packages start services of their own on their default ports; the runs use their own processes.
    if command -v systemctl > /dev/null && [ -d /run/systemd/system ]; then
      $sudo systemctl stop haproxy redis-server > /dev/null 2>&1 || true
    fi
    if command -v pg_lsclusters > /dev/null; then
      pg_lsclusters --no-header | while read -r version name _ status _; do
        case "$status" in online*) $sudo pg_ctlcluster "$version" "$name" stop ;; esac
      done
    fi
  fi
}

cluster_publish() {
  echo "==> publishing the server (Release) and building the load client"
  # For this machine's runtime, so the build is ReadyToRun as in the container image: a restarted replica is ready sooner.
  local rid=linux-x64
  [ "$(uname -m)" = aarch64 ] && rid=linux-arm64
  dotnet publish src/NewsLens.Api -c Release -r "$rid" --self-contained false -o "$cluster_work/publish" --nologo -v quiet
  dotnet build tests/NewsLens.LoadTest -c Release --nologo -v quiet -o "$cluster_work/load"
}

# A loopback port nothing listens on and this run has not handed out yet.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+)
    case "$chosen_ports" in *" $port "*) continue ;; esac
    if ! (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
      chosen_ports+="$port "
      echo "$port"
      return
    fi
  done
}

# Redis for the rate-limit buckets: loopback only, nothing written to disk.
redis_start() {
  redis_port=$(free_port)
  /usr/bin/redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --daemonize no \
    --dir "$cluster_work" > "$cluster_work/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 100); do
    (exec 3<> "/dev/tcp/127.0.0.1/$redis_port") 2> /dev/null && { echo "==> Redis $(/usr/bin/redis-server --version | awk '{print $3}') on 127.0.0.1:$redis_port"; return 0; }
    sleep 0.05
  done
  echo "redis-server did not start:" >&2
  cat "$cluster_work/redis.log" >&2
  return 1
}

# HAProxy with deploy/haproxy.cfg in front of the given replica addresses (host:port); its log goes to haproxy.log.
proxy_start() {
  proxy_port=$(free_port)
  proxy_stats_port=$(free_port)
  NEWSLENS_PROXY_BIND="127.0.0.1:$proxy_port" NEWSLENS_PROXY_STATS="127.0.0.1:$proxy_stats_port" \
  NEWSLENS_API1="$1" NEWSLENS_API2="$2" NEWSLENS_API3="$3" \
    /usr/sbin/haproxy -db -f deploy/haproxy.cfg > "$cluster_work/haproxy.log" 2>&1 &
  proxy_pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$proxy_stats_port/stats;csv" > /dev/null && {
      echo "==> HAProxy $(/usr/sbin/haproxy -v | awk 'NR==1{print $3}') on 127.0.0.1:$proxy_port (stats on :$proxy_stats_port) in front of $*"
      return 0
    }
    sleep 0.05
  done
  echo "haproxy did not start:" >&2
  cat "$cluster_work/haproxy.log" >&2
  return 1
}

# The replicas' status in HAProxy ("api1 UP, api2 DOWN, …").
proxy_status() {
  curl -sf "http://127.0.0.1:$proxy_stats_port/stats;csv" | awk -F, '$1 == "replicas" && $2 ~ /^api/ {printf "%s%s %s", sep, $2, $18; sep=", "} END {print ""}'
}

stop_pid() {
  if [ -n "$1" ] && kill -0 "$1" 2> /dev/null; then kill "$1" 2> /dev/null || true; wait "$1" 2> /dev/null || true; fi
}

cluster_stop() {
  stop_pid "$proxy_pid"
  stop_pid "$redis_pid"
  # CLUSTER_LOGS=folder keeps the logs of the run (replicas, HAProxy, Redis, PostgreSQL).
  if [ -n "${CLUSTER_LOGS:-}" ]; then
    mkdir -p "$CLUSTER_LOGS"
    cp "$cluster_work"/*.log "$CLUSTER_LOGS"/ 2> /dev/null || true
    [ -n "$postgres_folder" ] && cp "$postgres_folder/server.log" "$CLUSTER_LOGS/postgresql.log" 2> /dev/null || true
  fi
  postgres_stop
  rm -rf "$cluster_work"
}
