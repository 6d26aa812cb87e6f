# Sourced by the scripts that start servers on loopback ports.
# A loopback port below the kernel's ephemeral range (32768 and up, where outgoing connections take their local
# ports, so a random port there can be taken by the time a server binds it) that nothing listens on.
free_port() {
  local candidate
  while :; do
    candidate=$((20000 + RANDOM % 12000))
    (exec 3<> "/dev/tcp/127.0.0.1/$candidate") 2> /dev/null || { echo "$candidate"; return; }
  done
}
