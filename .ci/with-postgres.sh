#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster, then removes it.
#
#   bash .ci/with-postgres.sh npx vitest run tests/server
#
# The cluster lives in a fresh mktemp directory, listens on 127.0.0.1 on a
# free port (from 55432 up) with trust authentication, and has a database
# gocua_test. The command sees TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/gocua_test.
# PostgreSQL refuses to run as root, so as root the cluster runs as the
# `postgres` system user; as any other user it runs as that user.
# The cluster is stopped and its directory deleted on every exit path.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
if [[ ! -x "$PG_BIN/initdb" ]]; then
  echo "with-postgres: no PostgreSQL binaries in $PG_BIN (set PG_BIN)" >&2
  exit 2
fi
if [[ $# -eq 0 ]]; then
  echo "usage: $0 command [args...]" >&2
  exit 2
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/gocua-pg.XXXXXX")"
if [[ "$(id -u)" -eq 0 ]]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "with-postgres: running as root but there is no 'postgres' user" >&2
    rm -rf "$WORK"
    exit 2
  fi
  chown postgres: "$WORK"
  AS_PG=(runuser -u postgres --)
else
  AS_PG=()
fi

DATA="$WORK/data"
SOCK="$WORK"
LOG="$WORK/postgres.log"

cleanup() {
  local status=$?
  if [[ -f "$DATA/postmaster.pid" ]]; then
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 \
      || "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
PORT="${PG_PORT:-55432}"
while port_in_use "$PORT"; do
  PORT=$((PORT + 1))
  if [[ $PORT -gt 55999 ]]; then echo "with-postgres: no free port" >&2; exit 2; fi
done

"${AS_PG[@]}" "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; exit 1; }
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
  -o "-p $PORT -k $SOCK -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
  || { cat "$LOG" >&2; exit 1; }
"${AS_PG[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres gocua_test

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/gocua_test"
echo "with-postgres: PostgreSQL 15 on 127.0.0.1:$PORT (TEST_DATABASE_URL set)" >&2
"$@"
