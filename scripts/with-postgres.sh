#!/usr/bin/env bash
# Runs a command with a private, throw-away PostgreSQL 15 listening on 127.0.0.1 only, and
# removes it afterwards whatever happens. Exports PGHOST, PGPORT, PGUSER, PGDATABASE and
# P88_TEST_POSTGRES=1 for the command, and P88_TEST_PG_RESTART: a shell command that restarts this
# server (pg_ctl restart -m fast), for tests of a database that restarts under p88. As root, the
# server runs as the postgres user.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] || { echo "with-postgres: no PostgreSQL server binaries in $PGBIN (install postgresql-15)" >&2; exit 1; }

# A free port, chosen by the kernel.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
root=$(mktemp -d /tmp/p88-pg.XXXXXX)
as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$root"
  as=(runuser -u postgres --)
fi
cleanup() {
  "${as[@]}" "$PGBIN/pg_ctl" -D "$root/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$root"
}
trap cleanup EXIT INT TERM

"${as[@]}" "$PGBIN/initdb" -D "$root/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null
"${as[@]}" "$PGBIN/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 30 \
  -o "-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_preload_libraries=pg_stat_statements" \
  start >/dev/null || { cat "$root/server.log" >&2; exit 1; }
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"

export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres P88_TEST_POSTGRES=1
export P88_TEST_PG_RESTART="${as[*]} $PGBIN/pg_ctl -D $root/data -l $root/server.log -m fast -w -t 60 restart"
"$@"
