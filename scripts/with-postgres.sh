#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server: initdb in a temporary directory as the
# `postgres` user (PostgreSQL refuses to run as root), listen on 127.0.0.1 on a free port, export
# DATABASE_URL, run the command, then stop the server and remove everything.
#   scripts/with-postgres.sh .venv/bin/pytest -q
set -euo pipefail

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

PGBIN=$(find_bin || true)
if [ -z "$PGBIN" ]; then
  echo "PostgreSQL not found; installing it from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postgresql >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; }
  PGBIN=$(find_bin)
fi
id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

PGROOT=$(mktemp -d /tmp/druginfo-pg.XXXXXX)
chown postgres "$PGROOT"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  as_postgres "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PGROOT"
}
trap cleanup EXIT

as_postgres "$PGBIN/initdb" -D "$PGROOT/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$PGBIN/pg_ctl" -D "$PGROOT/data" -w -l "$PGROOT/server.log" \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGROOT -c fsync=off -c synchronous_commit=off" start >/dev/null
as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres druginfo

export DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/druginfo"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
"$@"
