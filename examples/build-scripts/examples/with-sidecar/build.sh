#!/usr/bin/env bash
# A build that needs a service: the redis sidecar declared in aftomato.yaml listens on
# localhost:6379. Wait for it (bash's /dev/tcp, no client needed), then talk to it.
set -euo pipefail

host=127.0.0.1
port=6379
wait_seconds="${SIDECAR_WAIT_SECONDS:-60}"

for ((waited = 0; ; waited++)); do
  if exec 3<>"/dev/tcp/$host/$port"; then
    break
  fi 2>/dev/null
  if ((waited >= wait_seconds)); then
    echo "redis did not answer on $host:$port within $wait_seconds s" >&2
    exit 1
  fi
  sleep 1
done

printf 'PING\r\n' >&3
read -r reply <&3
exec 3>&-
echo "redis answered: ${reply%$'\r'}"
[[ "${reply%$'\r'}" == "+PONG" ]]
