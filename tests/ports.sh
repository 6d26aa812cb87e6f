# Sourced by the scripts that start servers on loopback ports: a free port, and stopping the server they started.
# A loopback port below the kernel's ephemeral range (32768 and up, where outgoing connections take their local
# ports, so a random port there can be taken by the time a server binds it) that nothing listens on.
free_port() {
  local candidate
  while :; do
    candidate=$((20000 + RANDOM % 12000))
    (exec 3<> "/dev/tcp/127.0.0.1/$candidate") 2> /dev/null || { echo "$candidate"; return; }
  done
}

# Stops the server whose pid is in $server_pid, if it still runs, and forgets it.
stop_server() {
  if [ -n "${server_pid:-}" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

# Waits up to 10 s for the server started as $server_pid to answer /health/ready at $1; prints its log $2 and fails
# when it exits or does not get ready.
wait_ready() {
  for _ in $(seq 1 100); do
    if curl -sf "$1/health/ready" > /dev/null; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then cat "$2"; echo "the server exited" >&2; return 1; fi
    sleep 0.1
  done
  curl -sf "$1/health/ready" > /dev/null || { cat "$2"; echo "the server is not ready" >&2; return 1; }
}
