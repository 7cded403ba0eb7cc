# A private PostgreSQL for the tests (Debian's postgresql package, no system cluster touched):
# a cluster in $LAB_LOGS/pg owned by the postgres user, started inside a lab namespace, listening
# on ADDRESS:PORT there and on a socket in its folder; FreeRADIUS's schemas loaded into the
# database `radius`. Needs lab-lib.sh sourced first. Gone with pg_stop (and with the namespace).
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PG_DIR=
PG_PORT=
PG_NS=
PG_ADDR=

# pg_start NAMESPACE ADDRESS PORT
pg_start() {
  PG_DIR=$LAB_LOGS/pg
  PG_NS=$1
  PG_ADDR=$2
  PG_PORT=$3
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL is missing: run scripts/install-deps.sh"; return 1; }
  chmod o+x "$LAB_LOGS"  # the postgres user walks through to its own folder, nothing else
  mkdir -p "$PG_DIR" && chown postgres "$PG_DIR" && chmod 0700 "$PG_DIR"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-sync -N \
    >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
  pg_run || return 1
  pg_sql postgres "CREATE DATABASE radius" >/dev/null || return 1
  local sql=/etc/freeradius/3.0/mods-config/sql
  for f in "$sql/main/postgresql/schema.sql" "$sql/ippool/postgresql/schema.sql"; do
    psql -h "$PG_DIR" -p "$PG_PORT" -U postgres -d radius -q -v ON_ERROR_STOP=1 -f "$f" >/dev/null || return 1
  done
}

# pg_sql [DATABASE] SQL: rows as "a|b" lines.
pg_sql() {
  local db=radius
  [ $# -gt 1 ] && { db=$1; shift; }
  psql -h "$PG_DIR" -p "$PG_PORT" -U postgres -d "$db" -Atq -v ON_ERROR_STOP=1 -c "$1"
}

# pg_run: the server of the cluster pg_start made (again, after pg_stop). No fsync and no full
# page writes (the machine does not crash under a test), but synchronous_commit stays on: with
# it off, a server that dies loses the last commits it acknowledged, and a lost lease is an
# address handed out twice (multibox_sqlippool.sh's outage found exactly that).
pg_run() {
  ip netns exec "$PG_NS" runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 30 \
    -o "-k $PG_DIR -h $PG_ADDR -p $PG_PORT -c fsync=off -c full_page_writes=off -c max_connections=200" \
    start >"$PG_DIR/start.log" 2>&1 || { cat "$PG_DIR/start.log" "$PG_DIR/postgres.log"; return 1; }
}

pg_pid() { head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null; }

# pg_stop: the server stops at once (as on a crash: connections cut, no checkpoint); the cluster
# stays for pg_run.
pg_stop() {
  [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ] || return 0
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
}
