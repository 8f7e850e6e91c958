#!/bin/bash
# with_conninfo.sh FILE CMD...: runs CMD with DSR_PG_CONNINFO set to the
# libpq keyword string in FILE (written by cluster.sh start). Exits 77, the
# tests' skip code, under DSR_SKIP_POSTGRES=1; a missing FILE is an error.
set -euo pipefail
if [ "${DSR_SKIP_POSTGRES:-0}" = 1 ]; then
  echo "skipped: DSR_SKIP_POSTGRES=1" >&2
  exit 77
fi
file=$1; shift
[ -s "$file" ] || { echo "error: $file is missing: the PostgreSQL cluster did not start (see the test pg.start)" >&2; exit 1; }
DSR_PG_CONNINFO=$(cat "$file")
export DSR_PG_CONNINFO
exec "$@"
