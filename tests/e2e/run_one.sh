#!/bin/bash
# Runs one end-to-end script in a fresh temporary directory, exported as
# DSR_TMP. The directory is removed when the script passes and kept (and
# named) when it fails, so the evidence survives for whoever debugs it.
#
# DSR_BACKEND (sqlite unless set) is the database the script's shops live in.
# For postgresql, DSR_PG_CONNINFO is the test cluster's libpq keyword string,
# read from DSR_PG_CONNINFO_FILE (written by tests/pg/cluster.sh) unless set;
# the script's databases are named DSR_PG_PREFIX... and dropped after a pass.
# Under DSR_SKIP_POSTGRES=1 a postgresql run exits 77: ctest shows it skipped.
set -uo pipefail
script=$1
export DSR_BACKEND=${DSR_BACKEND:-sqlite}
case $DSR_BACKEND in
  sqlite) ;;
  postgresql)
    if [ "${DSR_SKIP_POSTGRES:-0}" = 1 ]; then
      echo "skipped: DSR_SKIP_POSTGRES=1" >&2
      exit 77
    fi
    if [ -z "${DSR_PG_CONNINFO:-}" ]; then
      if [ -z "${DSR_PG_CONNINFO_FILE:-}" ] || [ ! -s "$DSR_PG_CONNINFO_FILE" ]; then
        echo "error: no PostgreSQL cluster: ${DSR_PG_CONNINFO_FILE:-DSR_PG_CONNINFO_FILE} is missing (see the test pg.start)" >&2
        exit 1
      fi
      DSR_PG_CONNINFO=$(cat "$DSR_PG_CONNINFO_FILE")
    fi
    export DSR_PG_CONNINFO
    ;;
  *) echo "error: DSR_BACKEND=$DSR_BACKEND: not sqlite or postgresql" >&2; exit 2 ;;
esac
DSR_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dsr-e2e.XXXXXX")
export DSR_TMP
export DSR=${DSR_BUILD}/dsr SHOPGEN=${DSR_BUILD}/dsr-shopgen
suffix=${DSR_TMP##*.}
export DSR_PG_PREFIX="dsr_$$${suffix,,}_"

# psql itself, not Debian's Perl wrapper /usr/bin/psql (lib.sh uses it too).
if [ -z "${PSQL:-}" ]; then
  PSQL=${DSR_PG_BIN:+$DSR_PG_BIN/psql}
  [ -n "$PSQL" ] || PSQL=$(printf '%s\n' /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
  [ -x "$PSQL" ] || PSQL=psql
fi
export PSQL
# The names of the databases this script made on the cluster.
pg_databases() {
  "$PSQL" -X -q -At -d "$DSR_PG_CONNINFO dbname=postgres" \
    -c "SELECT datname FROM pg_database WHERE left(datname, ${#DSR_PG_PREFIX}) = '$DSR_PG_PREFIX' ORDER BY 1"
}

bash "$script"
status=$?
# 77: the script skipped itself and said why; nothing to keep.
if [ "$status" -eq 0 ] || [ "$status" -eq 77 ]; then
  rm -rf "$DSR_TMP"
  if [ "$DSR_BACKEND" = postgresql ]; then
    for db in $(pg_databases); do
      "$PSQL" -X -q -d "$DSR_PG_CONNINFO dbname=postgres" -c "DROP DATABASE \"$db\" WITH (FORCE)" ||
        echo "warning: could not drop database $db" >&2
    done
  fi
else
  echo "FAILED: $(basename "$script") on $DSR_BACKEND (exit $status); files kept in $DSR_TMP" >&2
  if [ "$DSR_BACKEND" = postgresql ]; then
    echo "databases kept until the cluster stops: $(pg_databases | paste -sd' ') ($DSR_PG_CONNINFO)" >&2
  fi
fi
exit "$status"
