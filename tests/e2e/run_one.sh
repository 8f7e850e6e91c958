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
#
# Canaries (issue 9, point 9; tests/RELIABILITY.md §9): every script's shops
# carry the marker DSR_CANARY (kq7canary) in every name, e-mail address,
# street line and city (dsr-shopgen --canary, through lib.sh's make_shop and
# new_shop), and $DSR is dsr-canary-run (tests/e2e/canary_run.cpp), which
# runs the real dsr (DSR_BINARY) and keeps what each run printed and which
# files it wrote. After the script passes, the marker must appear nowhere
# but in the outputs whose job is personal data (access reports, consent
# list, breach notify-list, export files): not in any stderr, any other
# report, a state store (raw file and journals: freed pages count), a key
# directory, an erasure plan, a policy draft, or dsr's private TMPDIR, which
# must also be left empty. A script whose point cannot run so says why in a
# line "# canary: off — REASON" and runs dsr itself, without canaries.
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
# The binary itself, for the few scripts that copy it or ask ldd about it.
export DSR_BINARY=$DSR
# (DSR_CANARY=off: the whole run without canaries, to time the suite without them)
if grep -q -m1 '^# canary: off' "$script" || [ "${DSR_CANARY:-}" = off ]; then
  unset DSR_CANARY
else
  # Beside DSR_TMP, not in it: scripts that look at what is in their
  # directory see what they saw before.
  export DSR_CANARY=${DSR_CANARY:-kq7canary}
  export DSR_CANARY_REAL=$DSR DSR_CANARY_DIR=$DSR_TMP.canary DSR_CANARY_TMPDIR=${TMPDIR:-}
  mkdir "$DSR_CANARY_DIR"
  DSR=${DSR_BUILD}/dsr-canary-run
fi
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

# canary_scan: fails (1) naming each file where the marker is and the run
# that wrote it, or temporary files a run left; 0 when there are none.
canary_scan() {
  local dir=$DSR_CANARY_DIR f n leaks left
  local -a files=()
  while IFS= read -r f; do
    if [ -e "$f" ]; then files+=("$f"); fi
  done < <(cat "$dir"/*.meta 2>/dev/null | awk -F'\t' '$1 == "check" { print $2 }' | sort -u)
  # (the .meta files hold the command lines, which name subjects by design)
  leaks=$(grep -rlaiF --exclude='*.personal' --exclude='*.meta' --exclude=.seq -e "$DSR_CANARY" -- "$dir" "${files[@]}")
  left=$(cat "$dir"/*.meta 2>/dev/null | awk -F'\t' '$1 == "tmp-left" { print $2 }')
  local runs personal
  runs=$(find "$dir" -maxdepth 1 -name '*.meta' | wc -l)
  personal=$(grep -laiF -e "$DSR_CANARY" -- "$dir"/*.personal 2>/dev/null | wc -l)
  echo "canary: $runs dsr runs, ${#files[@]} state, key, plan and draft paths searched for $DSR_CANARY;" \
    "$personal access, mailing-list and notify-list outputs show it" >&2
  # (DSR_CANARY_STATS: a file to gather the suite's figures in)
  if [ -n "${DSR_CANARY_STATS:-}" ]; then
    echo "$(basename "$script" .sh) $DSR_BACKEND runs=$runs paths=${#files[@]} personal=$personal" >>"$DSR_CANARY_STATS"
  fi
  [ -z "$leaks" ] && [ -z "$left" ] && return 0
  while IFS= read -r f; do
    [ -n "$f" ] || continue
    echo "--- personal data (the canary $DSR_CANARY) in $f" >&2
    n=$(basename "$f"); n=${n%.*}
    if [ "$(dirname "$f")" = "$dir" ] && [ -e "$dir/$n.meta" ]; then
      echo "    written by: dsr $(awk -F'\t' '$1 == "args" { print substr($0, 6) }' "$dir/$n.meta")" >&2
    fi
    grep -raio -m3 ".\{0,60\}$DSR_CANARY.\{0,40\}" -- "$f" | head -n 3 | sed 's/^/    /' >&2
  done <<<"$leaks"
  for f in $left; do
    echo "--- temporary files left behind by dsr $(awk -F'\t' '$1 == "args" { print substr($0, 6) }' "$dir/$(basename "$f").meta"): $(ls -A "$f" | head -n 5 | paste -sd' ')" >&2
  done
  echo "canary: personal data where it must not be (tests/RELIABILITY.md §9)" >&2
  return 1
}

bash "$script"
status=$?
if [ "$status" -eq 0 ] && [ -n "${DSR_CANARY:-}" ]; then
  scan_started=$EPOCHREALTIME
  canary_scan || status=1
  if [ -n "${DSR_CANARY_STATS:-}" ]; then
    echo "$(basename "$script" .sh) $DSR_BACKEND scan_ms=$(( (${EPOCHREALTIME/./} - ${scan_started/./}) / 1000 ))" >>"$DSR_CANARY_STATS"
  fi
fi
# 77: the script skipped itself and said why; nothing to keep.
if [ "$status" -eq 0 ] || [ "$status" -eq 77 ]; then
  rm -rf "$DSR_TMP" "$DSR_TMP.canary"
  if [ "$DSR_BACKEND" = postgresql ]; then
    for db in $(pg_databases); do
      "$PSQL" -X -q -d "$DSR_PG_CONNINFO dbname=postgres" -c "DROP DATABASE \"$db\" WITH (FORCE)" ||
        echo "warning: could not drop database $db" >&2
    done
  fi
else
  echo "FAILED: $(basename "$script") on $DSR_BACKEND (exit $status); files kept in $DSR_TMP${DSR_CANARY:+ and $DSR_TMP.canary}" >&2
  if [ "$DSR_BACKEND" = postgresql ]; then
    echo "databases kept until the cluster stops: $(pg_databases | paste -sd' ') ($DSR_PG_CONNINFO)" >&2
  fi
fi
exit "$status"
