# A throwaway PostgreSQL server for the database tests. Source it, then:
#   trap stop_postgres EXIT; start_postgres   # exports KEXIE_TEST_POSTGRES_URL
# No traps here: the caller owns EXIT, and a second trap would replace its own.

PG_DIR="" PG_BIN=""

# Runs a server binary as user postgres (it refuses to run as root), from / so a
# cwd that postgres cannot read does not spoil its output.
_pg() ( cmd=$1 && shift && cd / && runuser -u postgres -- "$PG_BIN/$cmd" "$@" )

start_postgres() {
  local port
  if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
    # The package may start its own cluster on 5432; we want only ours running.
    pg_ctlcluster --mode immediate "$(ls /usr/lib/postgresql | sort -V | tail -n1)" main stop \
      >/dev/null 2>&1 || service postgresql stop >/dev/null 2>&1 || true
  fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1) || return 1
  PG_DIR=$(mktemp -d /tmp/kexie-postgres.XXXXXX) && chown postgres: "$PG_DIR" || return 1
  # A fixed port could clash with another server or a parallel run; let the kernel
  # pick a free one. Perl rather than python3: it is always there on Debian.
  port=$(perl -MIO::Socket::INET -e \
    'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0")->sockport') || return 1
  # fsync=off: the data is thrown away, so durability only costs time.
  if _pg initdb -D "$PG_DIR/data" -A trust -U postgres >"$PG_DIR/initdb.log" 2>&1 &&
    _pg pg_ctl -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 start \
      -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null &&
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 30 &&
    _pg createdb -h 127.0.0.1 -p "$port" kexie_test; then
    export KEXIE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/kexie_test"
    echo "postgres $("$PG_BIN/postgres" -V | awk '{print $3}') on 127.0.0.1:$port, data in $PG_DIR"
    return 0
  fi
  echo "postgres did not start; its logs:" >&2
  cat "$PG_DIR/initdb.log" "$PG_DIR/log" >&2 2>/dev/null || true
  return 1
}

# Safe to call twice, or after a failed or partial start: every step tolerates
# a missing server or directory.
stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  if [ -n "$PG_BIN" ] && [ -d "$PG_DIR/data" ]; then
    _pg pg_ctl -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DIR"
  PG_DIR=""
}
