# Sourced by the reliability scripts: a throwaway PostgreSQL cluster for a run on the postgresql engine.
#   source tests/reliability/postgres.sh
#   postgres_start                 # exports NEWSLENS_POSTGRES (the service's Npgsql connection string)
#   trap postgres_stop EXIT        # or call it from the script's own cleanup
# The cluster lives in a temporary folder, listens on a free loopback port only, and is stopped and deleted by
# postgres_stop. A role owns the one database, as docs/operations.md asks of a real deployment. When the server
# binaries are missing, the Debian package postgresql is installed (nothing more: its own cluster stays stopped).

postgres_folder=""
postgres_bin=""

# Commands as the cluster's owner: initdb refuses root, so a root run uses the postgres user the package made.
postgres_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_find_bin() {
  local bin
  for bin in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    if [ -x "$bin/postgres" ] && [ -x "$bin/initdb" ] && [ -x "$bin/psql" ]; then echo "$bin"; return 0; fi
  done
  return 1
}

postgres_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "==> installing the Debian package postgresql (the server binaries for the postgresql run)"
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql > /dev/null || return 1
  # The package may create and start its system cluster; the runs use their own, so stop it again.
  if command -v pg_lsclusters > /dev/null; then
    pg_lsclusters --no-header | while read -r version name _ status _; do
      case "$status" in online*) $sudo pg_ctlcluster "$version" "$name" stop ;; esac
    done
  fi
}

postgres_start() {
  postgres_bin=$(postgres_find_bin) || { postgres_install && postgres_bin=$(postgres_find_bin); } || {
    echo "postgres.sh: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin, and installing them failed" >&2
    return 1
  }

  postgres_folder=$(mktemp -d)
  # initdb wants its data folder's parent writable by the owner; the socket folder is this one too.
  [ "$(id -u)" -eq 0 ] && chown postgres "$postgres_folder"
  # Only the superuser may use the socket without a password; the service logs in over TCP with its own.
  postgres_as_owner "$postgres_bin/initdb" -D "$postgres_folder/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 --no-sync > "$postgres_folder/initdb.log" 2>&1 || {
    cat "$postgres_folder/initdb.log" >&2
    return 1
  }

  # A port chosen at random can be taken by the time the server binds it: then try another.
  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+)
    # fsync off: the cluster is thrown away, and the runs kill the service, never PostgreSQL.
    if postgres_as_owner "$postgres_bin/pg_ctl" -D "$postgres_folder/data" -l "$postgres_folder/server.log" -w -t 60 start \
        -o "-p $port -k $postgres_folder -c listen_addresses=127.0.0.1 -c fsync=off" > /dev/null; then
      break
    fi
    if [ "$attempt" -eq 5 ]; then tail -n 20 "$postgres_folder/server.log" >&2; return 1; fi
  done

  local password
  password=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  postgres_as_owner "$postgres_bin/psql" -h "$postgres_folder" -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE newslens LOGIN PASSWORD '$password'" \
    -c "CREATE DATABASE newslens OWNER newslens ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8' TEMPLATE template0" > /dev/null || return 1
  # amcheck is not a trusted extension: the superuser installs it, and lets the service's role check its own indexes.
  postgres_as_owner "$postgres_bin/psql" -h "$postgres_folder" -p "$port" -U postgres -d newslens -qAt -v ON_ERROR_STOP=1 \
    -c "CREATE EXTENSION amcheck" \
    -c "GRANT EXECUTE ON FUNCTION bt_index_check(regclass, boolean) TO newslens" > /dev/null || return 1

  export NEWSLENS_POSTGRES="Host=127.0.0.1;Port=$port;Database=newslens;Username=newslens;Password=$password"
  echo "==> PostgreSQL $("$postgres_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, database newslens owned by newslens ($postgres_folder)"
}

postgres_stop() {
  if [ -n "$postgres_folder" ] && [ -d "$postgres_folder" ]; then
    if [ -f "$postgres_folder/data/postmaster.pid" ]; then
      postgres_as_owner "$postgres_bin/pg_ctl" -D "$postgres_folder/data" -m immediate -w stop > /dev/null 2>&1 || true
    fi
    rm -rf "$postgres_folder"
  fi
  postgres_folder=""
}
