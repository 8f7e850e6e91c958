#!/bin/bash
# A throw-away PostgreSQL cluster for the test suite.
#
#   cluster.sh start DIR   initdb into a new temporary directory, start the
#                          server on a Unix socket there (no TCP), wait until
#                          it accepts connections, and write DIR/conninfo:
#                          "host=<socket dir> port=<port> user=postgres".
#   cluster.sh stop DIR    stop that server (fast mode) and delete its data;
#                          idempotent, and never fails when nothing runs.
#
# The data lives under /tmp, not in DIR: DIR is in the build tree, which may be
# a root-only path, and PostgreSQL refuses to run as root. As root, initdb and
# the server run as `nobody`; as anyone else, as that user. DIR/datadir names
# the temporary directory so that stop finds it.
#
# Under DSR_SKIP_POSTGRES=1, start starts nothing, says so, and exits 77 (the
# fixture's skip code); without it a missing PostgreSQL is an error. The
# server's programs are the newest /usr/lib/postgresql/*/bin, or DSR_PG_BIN.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$2

say() { printf 'pg: %s\n' "$*" >&2; }

# The server's programs: DSR_PG_BIN if set, else the highest installed
# version's (Debian: /usr/lib/postgresql/N/bin).
pg_bin() {
  local d=${DSR_PG_BIN:-}
  [ -n "$d" ] || d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ ! -x "$d/initdb" ] || [ ! -x "$d/pg_ctl" ]; then
    say "no PostgreSQL server found in ${DSR_PG_BIN:-/usr/lib/postgresql/*/bin} (install the Debian package" \
        "'postgresql', or set DSR_SKIP_POSTGRES=1 to skip the PostgreSQL half of the suite)"
    return 1
  fi
  echo "$d"
}

# as_owner CMD...: runs CMD as the cluster's owner: nobody when we are root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
  else
    "$@"
  fi
}

stop() {
  local tmp bin
  [ -f "$dir/datadir" ] || { rm -f "$dir/conninfo"; return 0; }
  tmp=$(cat "$dir/datadir")
  rm -f "$dir/conninfo"
  # Only ever delete what start made: a directory under /tmp named like ours.
  case $tmp in
    /tmp/dsr-pg.*) ;;
    *) say "ignoring $dir/datadir: '$tmp' is not a directory this script made"; rm -f "$dir/datadir"; return 0 ;;
  esac
  if [ -f "$tmp/data/postmaster.pid" ] && bin=$(pg_bin 2>/dev/null); then
    (cd / && as_owner "$bin/pg_ctl" -D "$tmp/data" -m fast -w -t 60 stop >/dev/null 2>&1) ||
      say "pg_ctl stop failed; killing the postmaster"
    # Whatever pg_ctl managed, no server may outlive its deleted directory.
    local pid
    pid=$(head -n 1 "$tmp/data/postmaster.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -QUIT "$pid" 2>/dev/null || true
      sleep 1
    fi
  fi
  rm -rf "$tmp"
  rm -f "$dir/datadir"
  say "stopped, $tmp deleted"
}

start() {
  if [ "${DSR_SKIP_POSTGRES:-0}" = 1 ]; then
    say "DSR_SKIP_POSTGRES=1: the PostgreSQL half of the suite is SKIPPED, no server started"
    exit 77
  fi
  local bin tmp port=5432
  bin=$(pg_bin)
  mkdir -p "$dir"
  stop  # a cluster left by an earlier run that was killed
  tmp=$(mktemp -d /tmp/dsr-pg.XXXXXX)
  echo "$tmp" >"$dir/datadir"
  [ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$tmp"
  # (cd /: the owner may not be allowed into the current directory)
  if ! (cd / && as_owner "$bin/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --no-locale \
          --no-sync >"$tmp/initdb.log" 2>&1); then
    cat "$tmp/initdb.log" >&2
    stop
    return 1
  fi
  # Speed over durability: the cluster dies with the test run. The socket
  # sits in the private directory, so the port cannot clash with any other
  # server and no TCP port is opened. Times print in UTC, whatever the machine.
  cat >>"$tmp/data/postgresql.conf" <<CONF

# --- dsr test suite ---
listen_addresses = ''
unix_socket_directories = '$tmp'
port = $port
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 1GB
checkpoint_timeout = 30min
timezone = 'UTC'
log_timezone = 'UTC'
datestyle = 'iso, mdy'
CONF
  if ! (cd / && as_owner "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 start >/dev/null 2>&1); then
    say "the server did not start; its log:"
    cat "$tmp/server.log" >&2 || true
    stop
    return 1
  fi
  "$bin/pg_isready" -q -h "$tmp" -p "$port" -t 30 || { say "the server does not answer"; stop; return 1; }
  echo "host=$tmp port=$port user=postgres" >"$dir/conninfo.new"
  mv "$dir/conninfo.new" "$dir/conninfo"
  say "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') running: $(cat "$dir/conninfo")"
}

case $action in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
