# PostgreSQL for the load benchmark, sourced by run.sh: a throwaway cluster in a temp folder on a free loopback
# port. postgres_start sets PG_ADMIN (the superuser's Npgsql connection string, from which the runner creates a
# role and a database per data set); postgres_stop stops the cluster and deletes its folder.

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# initdb and the server refuse to run as root; as any other user they run as that user.
as_cluster_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# The newest installed server's bin folder (initdb is in the server package; the client package has psql only).
postgres_bin() {
  ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 | xargs -r dirname
}

postgres_install() {
  if [ -z "$(postgres_bin)" ]; then
    echo "==> installing postgresql"
    as_root apt-get update -qq >/dev/null && as_root apt-get install -y -qq postgresql >/dev/null
  fi
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+)
    # A refused connection means nobody listens there.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free loopback port found" >&2
  return 1
}

# Tuned for a benchmark on this machine (2 cores shared by PostgreSQL, the service and wrk; 24 GiB), durability as
# in production. docs/benchmarks.md explains each setting.
postgres_settings() {
  cat <<EOF
listen_addresses = '127.0.0.1'
port = $1
unix_socket_directories = '$2'
max_connections = 200
shared_buffers = 2GB
effective_cache_size = 16GB
work_mem = 32MB
maintenance_work_mem = 1GB
wal_buffers = 64MB
max_wal_size = 16GB
checkpoint_timeout = 30min
synchronous_commit = on
fsync = on
full_page_writes = on
jit = off
max_parallel_workers_per_gather = 0
random_page_cost = 1.1
log_min_messages = warning
EOF
}

postgres_start() {
  local bin port
  bin=$(postgres_bin)
  PG_ROOT=$(mktemp -d -t newslens-bench-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_ROOT"
  as_cluster_owner "$bin/initdb" -D "$PG_ROOT/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  port=$(free_port)
  postgres_settings "$port" "$PG_ROOT" >> "$PG_ROOT/data/postgresql.conf"
  as_cluster_owner "$bin/pg_ctl" -D "$PG_ROOT/data" -l "$PG_ROOT/server.log" -w -t 60 start >/dev/null
  PG_ADMIN="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "==> PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($PG_ROOT)"
}

postgres_stop() {
  [ -n "${PG_ROOT:-}" ] || return 0
  # Immediate: the cluster is thrown away, so nothing needs a shutdown checkpoint.
  as_cluster_owner "$(postgres_bin)/pg_ctl" -D "$PG_ROOT/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_ROOT"
  PG_ROOT=""
}
