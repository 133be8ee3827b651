#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback for the tests: Debian's package (installed when missing), a fresh
# data directory, trust authentication on 127.0.0.1 only, a fixed port.
#   tests/sh/postgres.sh start   prints the URL for LEAKHOUND_TEST_POSTGRES (a server already running
#                                on the port is reused)
#   tests/sh/postgres.sh stop    stops it and removes the data directory
set -euo pipefail
PORT="${LEAKHOUND_PG_PORT:-54329}"
DIR="${LEAKHOUND_PG_DIR:-/tmp/leakhound-pg-$PORT}"

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

# Run as the unprivileged `postgres` user when we are root (initdb and postgres refuse root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if ! bindir >/dev/null; then
      echo "installing PostgreSQL from Debian's packages" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      # The server without the package's own cluster (postinst would create and start one).
      mkdir -p /etc/postgresql-common
      echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
      apt-get install -y -qq --no-install-recommends postgresql >&2
    fi
    BIN=$(bindir)
    # Already running here (an earlier `start`): reused, so that two test runs do not stop each
    # other's server; the tests make a fresh database each.
    if [ -f "$DIR/data/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      echo "postgres://postgres@127.0.0.1:$PORT/postgres"
      exit 0
    fi
    "$0" stop >/dev/null 2>&1 || true
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
    as_pg "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 60 \
      -o "-h 127.0.0.1 -p $PORT -k $DIR -c max_connections=200 -c fsync=${LEAKHOUND_PG_FSYNC:-off}" start >&2
    echo "postgres://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    BIN=$(bindir) || exit 0
    if [ -d "$DIR/data" ]; then
      as_pg "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >&2 || true
    fi
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
