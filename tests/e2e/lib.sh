# Sourced by every end-to-end script: assertions and fixtures.
# run_one.sh exports DSR (dsr, or the dsr-canary-run that runs it: see
# run_one.sh), DSR_BINARY (dsr itself), SHOPGEN, DSR_SOURCE, DSR_TMP and DSR_CANARY.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }

# skip_under_sanitizers WHY: in the sanitizers' build (DSR_SANITIZED=1, set by
# tests/CMakeLists.txt), exits 77 — ctest lists the test as skipped — for a
# script that checks documents or packaging rather than dsr's behaviour,
# which the plain build runs in full.
skip_under_sanitizers() {
  if [ "${DSR_SANITIZED:-0}" = 1 ]; then
    echo "skipped under the sanitizers: $*; the plain build runs it" >&2
    exit 77
  fi
}

# dsr_pid PID: the process id of dsr itself for the $! of a "$DSR" started in
# the background. Under run_one.sh's canary wrapper that is the wrapper's
# child, and a purge's lock file names it; kill and wait stay on PID (the
# wrapper forwards signals, and a kill -9 of it kills dsr too).
dsr_pid() {
  local f=${DSR_CANARY_DIR:-/nonexistent}/pid.$1
  if [ -s "$f" ]; then echo "$(<"$f")"; else echo "$1"; fi
}

# await_dsr_death PID: after a kill -9 of PID (the $! of a "$DSR" started in
# the background) and its wait, returns once dsr itself is dead. Under the
# canary wrapper, dsr dies of its parent's death (PR_SET_PDEATHSIG) a moment
# after the wrapper does, and until then it may still hold the database's
# locks or write. Dead means gone or a zombie (whose locks and files are
# closed: a container's init may never reap it).
await_dsr_death() {
  local real state _
  real=$(dsr_pid "$1")
  [ "$real" != "$1" ] || return 0
  for _ in $(seq 1 500); do
    state=$(awk '{ print $3 }' "/proc/$real/stat" 2>/dev/null) || return 0
    case $state in '' | Z | X) return 0 ;; esac
    sleep 0.01
  done
  fail "dsr (pid $real) still runs 5 s after its wrapper was killed"
}

# is_sanitized: true for an instrumented dsr: in the sanitizers' build
# (DSR_SANITIZED=1, set by tests/CMakeLists.txt), or, run by hand, a dsr that
# carries AddressSanitizer: GCC's links libasan.so, clang's has it built in.
# (grep without -q reads all of ldd's output: with -q, ldd could die of
# SIGPIPE and pipefail would call a sanitized build plain)
is_sanitized() {
  local binary=${DSR_BINARY:-$DSR}
  [ "${DSR_SANITIZED:-0}" = 1 ] || ldd "$binary" 2>/dev/null | grep libasan >/dev/null ||
    grep -q __asan_init "$binary" 2>/dev/null
}

# run_dsr EXPECTED_EXIT ARGS...: runs dsr with stdout in $DSR_TMP/out.json and
# stderr in $DSR_TMP/err.txt, and fails unless it exits with EXPECTED_EXIT.
run_dsr() {
  local expected=$1; shift
  local status=0
  "$DSR" "$@" >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
  if [ "$status" -ne "$expected" ]; then
    echo "--- stdout" >&2; head -c 2000 "$DSR_TMP/out.json" >&2
    echo "--- stderr" >&2; head -c 2000 "$DSR_TMP/err.txt" >&2
    fail "dsr $* exited $status, expected $expected"
  fi
}

# expect_json JQ_FILTER EXPECTED: the filter applied to the last report prints EXPECTED.
expect_json() {
  local got
  got=$(jq -c "$1" "$DSR_TMP/out.json") || fail "report is not JSON: $(head -c 300 "$DSR_TMP/out.json")"
  [ "$got" = "$2" ] || fail "jq '$1' gave $got, expected $2"
}

# expect_stderr TEXT: the last run's stderr contains TEXT (fixed string).
expect_stderr() {
  grep -qF -- "$1" "$DSR_TMP/err.txt" || fail "stderr lacks '$1': $(head -c 500 "$DSR_TMP/err.txt")"
}

# validate_report [FILE]: the report (each line of FILE, the last run's
# out.json unless told) conforms to the published JSON Schema.
# One validator per shell serves every call: it reads file names on its
# standard input and answers "ok" or the failure, so the cost of starting
# Python and loading jsonschema (a quarter of a second) is paid once per
# script rather than once per report.
validate_report() {
  local file=${1:-$DSR_TMP/out.json} reply
  if [ "${_validator_shell:-}" != "$BASHPID" ]; then
    # Debian's python3 is the one python3-jsonschema installs into.
    # (stderr silenced: bash warns of the parent shell's validator in a
    # subshell; the validator's own failures come back as its answers)
    { coproc _VALIDATOR { exec /usr/bin/python3 -u -c "$_validator_py" "$DSR_SOURCE/lib/report/report.schema.json"; }; } 2>/dev/null
    _validator_in=${_VALIDATOR[1]} _validator_out=${_VALIDATOR[0]} _validator_shell=$BASHPID
  fi
  printf '%s\n' "$file" >&"$_validator_in"
  IFS= read -r reply <&"$_validator_out" || reply="FAIL: the report validator stopped"
  [ "$reply" = ok ] || { echo "$reply" >&2; return 1; }
}
_validator_py='
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
validator = cls(schema)
def check(path):
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        try:
            report = json.loads(line)
        except ValueError as e:
            return f"FAIL: report line {n} is not JSON: {e}"
        e = jsonschema.exceptions.best_match(validator.iter_errors(report))
        if e is not None:
            return f"FAIL: report line {n} does not match the schema: {e.message} at {list(e.absolute_path)}"
    return "ok"
for path in sys.stdin:
    try:
        reply = check(path.rstrip("\n"))
    except OSError as e:
        reply = f"FAIL: cannot read the report: {e}"
    print(reply.replace("\n", " "), flush=True)
'

# make_shop FILE [CUSTOMERS]: a generated demo shop, fixed seed and date for
# repeatability, as an SQLite file (for scripts that run on SQLite only).
# Its names, e-mail addresses and street lines carry the canary marker when
# run_one.sh sets DSR_CANARY (see there).
make_shop() {
  "$SHOPGEN" --customers "${2:-300}" --seed 7 --now 2026-11-01 ${DSR_CANARY:+--canary "$DSR_CANARY"} \
    --out "$1" >/dev/null
}

SHOP_POLICY="$DSR_SOURCE/policies/shop.yaml"

# --- backends ------------------------------------------------------------------
# A script that runs on several backends says so in a line
#   # backends: sqlite postgresql
# and ctest runs it once per backend with DSR_BACKEND set (run_one.sh also sets
# DSR_PG_CONNINFO, the test cluster's "host=... port=... user=postgres"). The
# helpers below take and print the value of dsr's --db: an SQLite file's path,
# or a postgresql:// URL; `sql`, `dump_shop` and the rest tell them apart.
# They fail the script through `fail` or a failing assignment
# (shop=$(new_shop shop)); inside a test such as [ "$(dump_shop "$a")" = … ]
# a failure goes unnoticed, so write dumps to files and compare those.

# The backend this run is for: sqlite or postgresql.
backend=${DSR_BACKEND:-sqlite}
# on_backend NAME: true on that backend, for the rare backend-specific assertion.
on_backend() { [ "$backend" = "$1" ]; }

# is_pg DB: true if DB names a PostgreSQL database rather than an SQLite file.
is_pg() { [[ $1 == postgresql://* || $1 == postgres://* || $1 == *dbname=* ]]; }

# The test's database names share a prefix (run_one.sh drops them after a
# pass); a name is at most 63 bytes, the rest of this run's names are short.
DSR_PG_PREFIX=${DSR_PG_PREFIX:-dsr_$$_}
# pg_name NAME: the cluster's name for this test's database NAME.
pg_name() {
  [[ $1 =~ ^[a-z0-9_]+$ ]] || fail "database name '$1': use a-z, 0-9 and _"
  [ $(( ${#DSR_PG_PREFIX} + ${#1} )) -le 63 ] || fail "database name '$1' is too long"
  echo "$DSR_PG_PREFIX$1"
}
# PSQL: psql itself, not Debian's /usr/bin/psql, a Perl wrapper that costs
# more CPU than the query: DSR_PG_BIN's, else the newest installed.
if [ -z "${PSQL:-}" ]; then
  PSQL=${DSR_PG_BIN:+$DSR_PG_BIN/psql}
  [ -n "$PSQL" ] || PSQL=$(printf '%s\n' /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
  [ -x "$PSQL" ] || PSQL=psql
fi
# pg_url DBNAME: the postgresql:// URL of database DBNAME on the test cluster
# (the keywords of DSR_PG_CONNINFO become query parameters).
pg_url() {
  local kw params=()
  for kw in ${DSR_PG_CONNINFO:?DSR_PG_CONNINFO is not set: run through run_one.sh}; do
    [[ $kw == dbname=* ]] || params+=("$kw")
  done
  local IFS='&'
  echo "postgresql:///$1?${params[*]}"
}
# pg_dbname DB: the database name in a URL that pg_url made.
pg_dbname() { local n=${1#postgresql:///}; echo "${n%%\?*}"; }
# psql_admin ARGS...: psql on the cluster's maintenance database.
psql_admin() { PGCLIENTENCODING=UTF8 "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$DSR_PG_CONNINFO dbname=postgres" "$@"; }

# sql DB [SQL]: runs SQL (or stdin) against DB and prints the rows as
# `sqlite3 -batch` does: unaligned, '|' between columns, no header, NULL as
# an empty string; stops at the first error and fails. PostgreSQL prints its
# own text forms (booleans t/f, timestamptz as 2026-11-01 00:00:00+00), so
# compare dsr's output with what `sql` prints, not with literals.
sql() {
  local db=$1; shift
  if is_pg "$db"; then
    # (UTF-8 for psql alone: dsr must ask for its encoding itself)
    if [ $# -gt 0 ]; then
      PGCLIENTENCODING=UTF8 "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$db" <<<"$1"
    else
      PGCLIENTENCODING=UTF8 "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$db"
    fi
  else
    sqlite3 -batch -bail "$db" "$@"
  fi
}

# new_db NAME: prints the --db value of a new, empty database: an SQLite path
# in $DSR_TMP (created by the first write), or a PostgreSQL database created now.
new_db() {
  if on_backend postgresql; then
    local name
    name=$(pg_name "$1") || return 1
    # (FILE_COPY: a file copy, a third of the CPU of the default WAL_LOG)
    psql_admin -c "CREATE DATABASE \"$name\" STRATEGY FILE_COPY" || fail "cannot create database $name"
    pg_url "$name"
  else
    echo "$DSR_TMP/$1.db"
  fi
}

# absent_db NAME: prints a --db value naming a database that does not exist.
absent_db() {
  if on_backend postgresql; then
    local name
    name=$(pg_name "$1") || return 1
    pg_url "$name"
  else
    echo "$DSR_TMP/$1.db"
  fi
}

# new_shop NAME [CUSTOMERS] [dsr-shopgen ARGS...]: prints the --db value of a
# freshly generated demo shop (300 customers unless told), with make_shop's
# seed and date, on this run's backend: $DSR_TMP/NAME.db, or a new database;
# with the canary marker in its personal text when DSR_CANARY is set.
new_shop() {
  local name=$1 customers=${2:-300} db
  shift $(( $# < 2 ? $# : 2 ))
  db=$(new_db "$name") || return 1
  "$SHOPGEN" --customers "$customers" --seed 7 --now 2026-11-01 ${DSR_CANARY:+--canary "$DSR_CANARY"} "$@" \
    --out "$db" >/dev/null ||
    fail "dsr-shopgen could not write the shop $name"
  echo "$db"
}

# copy_shop DB NAME: prints the --db value of a new, identical copy of DB
# (SQLite: the file copied; PostgreSQL: CREATE DATABASE ... TEMPLATE, which
# needs DB idle: no dsr still running on it).
copy_shop() {
  local db=$1 name=$2
  if is_pg "$db"; then
    local copy
    copy=$(pg_name "$name") || return 1
    psql_admin -c "CREATE DATABASE \"$copy\" TEMPLATE \"$(pg_dbname "$db")\" STRATEGY FILE_COPY" ||
      fail "cannot copy database $(pg_dbname "$db")"
    pg_url "$copy"
  else
    cp "$db" "$DSR_TMP/$name.db" || fail "cannot copy $db"
    if [ -e "$db-wal" ]; then cp "$db-wal" "$DSR_TMP/$name.db-wal"; fi
    echo "$DSR_TMP/$name.db"
  fi
}

# drop_shop DB: deletes DB (SQLite: the file with its -wal, -shm and
# -journal; PostgreSQL: the database, ending any session still on it).
drop_shop() {
  if is_pg "$1"; then
    psql_admin -c "DROP DATABASE IF EXISTS \"$(pg_dbname "$1")\" WITH (FORCE)" || fail "cannot drop $1"
  else
    rm -f "$1" "$1-wal" "$1-shm" "$1-journal"
  fi
}

# dump_shop DB: prints a deterministic dump of DB's schema and data, for
# before/after comparisons: SQLite's .dump; for PostgreSQL each table of the
# public schema in name order, its columns and types, then its rows in key
# order (COPY text format).
dump_shop() {
  local db=$1
  if ! is_pg "$db"; then
    sqlite3 -batch -bail "$db" .dump
    return
  fi
  # Generated from the catalog and run by \gexec in the same psql: per table
  # a SELECT of its heading, then a COPY of its rows.
  sql "$db" "
    SELECT format('SELECT %L', c.relname || ' (' || (
             SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
             FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) || ')'),
           format('COPY (SELECT * FROM %I.%I ORDER BY %s) TO STDOUT', n.nspname, c.relname,
             coalesce((SELECT string_agg(format('%I', a.attname), ', ' ORDER BY k.i)
                       FROM pg_index x CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY k(attnum, i)
                       JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                       WHERE x.indrelid = c.oid AND x.indisprimary),
                      (SELECT string_agg(a.attnum::text, ', ' ORDER BY a.attnum)
                       FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)))
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    ORDER BY c.relname COLLATE \"C\"
    \gexec" || fail "dump_shop: cannot dump $db"
}

# check_shop DB: fails unless DB is intact. SQLite: integrity_check and
# foreign_key_check. PostgreSQL: no row anywhere refers to a row that is not
# there, for every foreign key declared (the check is generated from
# pg_constraint, and counts orphans itself rather than trusting triggers).
check_shop() {
  local db=$1 out
  if ! is_pg "$db"; then
    out=$(sqlite3 -batch -bail "$db" "PRAGMA integrity_check") || fail "check_shop: sqlite3 failed on $db"
    [ "$out" = ok ] || fail "integrity_check: $out"
    out=$(sqlite3 -batch -bail "$db" "PRAGMA foreign_key_check") || fail "check_shop: sqlite3 failed on $db"
    [ -z "$out" ] || fail "foreign_key_check: $(head -c 500 <<<"$out")"
    return 0
  fi
  # One orphan count per foreign key, generated and run by \gexec in one psql.
  out=$(sql "$db" "
    SELECT format('SELECT %L || '': '' || count(*) FROM %I.%I c WHERE %s AND NOT EXISTS (SELECT 1 FROM %I.%I p WHERE %s) HAVING count(*) > 0',
                  con.conname || ' on ' || cl.relname, cn.nspname, cl.relname,
                  string_agg(format('c.%I IS NOT NULL', ca.attname), ' AND ' ORDER BY k.i),
                  pn.nspname, pl.relname,
                  string_agg(format('p.%I = c.%I', pa.attname, ca.attname), ' AND ' ORDER BY k.i))
    FROM pg_constraint con
    JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_namespace cn ON cn.oid = cl.relnamespace
    JOIN pg_class pl ON pl.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = pl.relnamespace
    CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY k(ck, fk, i)
    JOIN pg_attribute ca ON ca.attrelid = con.conrelid AND ca.attnum = k.ck
    JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = k.fk
    WHERE con.contype = 'f' AND cn.nspname NOT IN ('pg_catalog', 'information_schema')
    GROUP BY con.oid, con.conname, cn.nspname, cl.relname, pn.nspname, pl.relname
    ORDER BY cl.relname, con.conname
    \gexec") || fail "check_shop: the orphan checks failed on $db"
  [ -z "$out" ] || fail "orphaned rows: $(paste -sd';' <<<"$out")"
}
