#!/usr/bin/env bash
# A throw-away PostgreSQL server for the test suite, from Debian's packages.
#
#   scripts/test-postgres.sh start   installs postgresql when missing, creates a data directory
#                                    under ${TMPDIR:-/tmp}, starts the server on a free port of
#                                    127.0.0.1, and prints its URL (TEST_DATABASE_URL) and DIR
#   scripts/test-postgres.sh stop DIR  stops the server of that data directory and removes it
#
# The server listens on loopback only, trusts local connections (it holds nothing but test
# data) and is never the machine's own cluster: nothing outside DIR is touched.
set -euo pipefail

find_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/pg_ctl" && -x "$dir/initdb" ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# The server refuses to run as root: it runs as the package's postgres user then.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin
  if ! bin=$(find_bin); then
    echo "test-postgres: installing Debian's postgresql package" >&2
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends postgresql >&2
    bin=$(find_bin)
  fi
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/aws-audit-bot-pg.XXXXXX")
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U audit --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    as_owner "$bin/initdb" -D "$dir/data" -U audit --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  # A free port: ask the kernel for one, then hand it to the server (a race with another process is retried).
  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
      echo "postgres://audit@127.0.0.1:$port/postgres $dir"
      return 0
    fi
  done
  cat "$dir/server.log" >&2
  exit 1
}

stop() {
  local dir=$1 bin
  [[ -d "$dir/data" ]] || return 0
  bin=$(find_bin)
  as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop "${2:?the data directory start printed}" ;;
*)
  echo "usage: $0 start | stop DIR" >&2
  exit 2
  ;;
esac
