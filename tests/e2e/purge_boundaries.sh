# `dsr purge` across retention boundaries, on a small hand-made database:
# the same instants stored in three formats (ISO 8601 text, Unix seconds,
# Unix milliseconds), kept 1y, 1m, 36h and 90d, one table per format and
# period. Run on fresh copies at the last second of the day before expiry,
# the first second of the day of expiry and the day after, exactly the
# expected rows remain:
# a row has expired on the date `keep` after its timestamp (UTC), with months
# and years clamped to the month's end (29 Feb 2024 + 1y = 28 Feb 2025,
# 31 Jan 2026 + 1m = 28 Feb 2026). An ISO timestamp with an offset is judged
# by its UTC instant, not its local date; a date-only ISO value and
# fractional seconds are read; an empty, unreadable or NULL timestamp is
# never deleted, not even a century later. The report's counts and
# expired_before agree with the rows removed.
#
# On PostgreSQL the tables have the same names and rows: ISO 8601 in text
# columns (read by dsr's pattern, so '', 'not a date' and NULL are there as
# on SQLite), Unix seconds and milliseconds in numeric columns (which hold
# the fractional second; the rows without a number of seconds are 9 'NaN',
# 10 '-Infinity' and 11 NULL). Beside each ISO table a tz_ table holds the
# same instants as timestamptz (9 'infinity', 10 '-infinity', 11 NULL), which
# dsr compares as times whatever the policy says: its remaining rows must be
# the ISO table's. (dsr access reports no retention end for an infinite
# time, as for any it cannot read, so purge must never delete one.)
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
base=$(new_db base)
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
if on_backend postgresql; then
  int=bigint
  # unix_of ISO_SQL: the Unix seconds of an ISO text value, as SQL.
  unix_of() { echo "CAST(EXTRACT(EPOCH FROM CAST($1 AS timestamptz)) AS bigint)"; }
  number=numeric
  formats="iso sec ms tz"
else
  int=INTEGER
  unix_of() { echo "CAST(strftime('%s', $1) AS INTEGER)"; }
  number=INTEGER
  formats="iso sec ms"
fi
all_tables=$(for keep in y m h d; do for fmt in $formats; do printf '%s ' "${fmt}_$keep"; done; done)
# ids_of DB: a line "TABLE: ids..." for each of $all_tables, its keys in DB in
# order (one query: every process counts on this machine).
ids_of() {
  local t union=
  for t in $all_tables; do union="$union${union:+ UNION ALL }SELECT '$t' AS t, id FROM $t"; done
  sql "$1" "SELECT t, id FROM ($union) x ORDER BY t, id" | awk -F'|' -v order="$all_tables" '
    { ids[$1] = ids[$1] (ids[$1] == "" ? "" : " ") $2 }
    END { n = split(order, ts, " "); for (i = 1; i <= n; i++) print ts[i] ": " ids[ts[i]] }'
}

# Every instant with its id; the comment is its expiry date under the table's keep.
sql "$base" <<SQL
CREATE TABLE people (id $int PRIMARY KEY, email TEXT NOT NULL);
INSERT INTO people VALUES (1, 'ada@example.com');
CREATE TABLE stamps (id $int PRIMARY KEY, iso TEXT, keep TEXT);
INSERT INTO stamps VALUES
  -- kept 1y
  (1,  '2024-02-28T00:00:00Z',      'y'),  -- 2025-02-28
  (2,  '2024-02-29T00:00:00Z',      'y'),  -- 2025-02-28: leap day, clamped, not 2025-03-01
  (3,  '2024-02-29T23:59:59Z',      'y'),  -- 2025-02-28
  (4,  '2024-03-01T00:00:00Z',      'y'),  -- 2025-03-01
  (5,  '2024-11-20T23:59:59Z',      'y'),  -- 2025-11-20
  (6,  '2024-11-21T00:00:00Z',      'y'),  -- 2025-11-21
  (7,  '2024-11-21T00:30:00+02:00', 'y'),  -- UTC 2024-11-20T22:30Z: 2025-11-20 (local date says 11-21)
  (8,  '2024-11-20T23:30:00-02:00', 'y'),  -- UTC 2024-11-21T01:30Z: 2025-11-21 (local date says 11-20)
  -- kept 1m
  (21, '2026-01-31T10:00:00Z',      'm'),  -- 2026-02-28: clamped
  (22, '2026-01-28T00:00:00Z',      'm'),  -- 2026-02-28
  (23, '2026-01-29T00:00:00Z',      'm'),  -- 2026-02-28: clamped
  (24, '2026-02-01T00:00:00Z',      'm'),  -- 2026-03-01
  (25, '2025-12-31T23:59:59Z',      'm'),  -- 2026-01-31
  (26, '2026-02-01T01:00:00+02:00', 'm'),  -- UTC 2026-01-31T23:00Z: 2026-02-28 (local date says 03-01)
  -- kept 36h: the date of the instant 36 hours later
  (31, '2025-11-19T11:59:59Z',      'h'),  -- 2025-11-20
  (32, '2025-11-19T12:00:00Z',      'h'),  -- 2025-11-21
  (33, '2025-11-19T12:30:00+01:00', 'h'),  -- UTC 11:30Z: 2025-11-20 (local time says 11-21)
  -- kept 90d: the date 90 days after the timestamp's date
  (41, '2025-08-22T23:59:59Z',      'd'),  -- 2025-11-20
  (42, '2025-08-23T00:00:00Z',      'd'),  -- 2025-11-21
  (43, '2025-08-23T01:00:00+02:00', 'd'),  -- UTC 2025-08-22T23:00Z: 2025-11-20 (local date says 11-21)
  -- in every table
  (12, '2001-01-01T00:00:00Z',      '*'),  -- long expired
  (13, '2030-06-15T12:00:00Z',      '*');  -- not yet
SQL

# The six tables: the same instants, then rows whose timestamp cannot be read
# (9: empty text, 10: text that is no date, 11: NULL) and a few per format.
for keep in y m h d; do
  for fmt in $formats; do
    t="${fmt}_$keep"
    case $fmt in
      iso) value="iso"; type=TEXT unreadable="(9, 1, ''), (10, 1, 'not a date')" ;;
      sec) value="$(unix_of iso)"; type=$number ;;
      ms)  value="$(unix_of iso) * 1000"; type=$number ;;
      tz)  value="CAST(iso AS timestamptz)"; type=timestamptz unreadable="(9, 1, 'infinity'), (10, 1, '-infinity')" ;;
    esac
    case $fmt in
      sec | ms) if on_backend postgresql; then unreadable="(9, 1, 'NaN'), (10, 1, '-Infinity')"
                else unreadable="(9, 1, ''), (10, 1, 'not a date')"; fi ;;
    esac
    sql "$base" "
      CREATE TABLE $t (id $int PRIMARY KEY, person_id $int NOT NULL REFERENCES people(id), at $type);
      INSERT INTO $t SELECT id, 1, $value FROM stamps WHERE keep IN ('$keep', '*');
      INSERT INTO $t VALUES $unreadable, (11, 1, NULL);"
  done
done
sql "$base" "
  -- ISO: a date alone, fractional seconds, a space for the T
  INSERT INTO iso_y VALUES (101, 1, '2024-11-21'),                 -- 2025-11-21
                           (102, 1, '2024-11-20T23:59:59.999Z'),   -- 2025-11-20
                           (103, 1, '2024-11-20 12:00:00');        -- 2025-11-20
  -- Unix milliseconds: the last millisecond of a day
  INSERT INTO ms_y VALUES (101, 1, $(unix_of "'2024-11-21T00:00:00Z'") * 1000 - 1);  -- 2025-11-20
  INSERT INTO ms_m VALUES (101, 1, $(unix_of "'2026-01-31T23:59:59Z'") * 1000 + 999); -- 2026-02-28
  -- Unix seconds: a real number
  INSERT INTO sec_y VALUES (101, 1, $(unix_of "'2024-11-21T00:00:00Z'") - 0.5);      -- 2025-11-20
  DROP TABLE stamps;"
if on_backend postgresql; then
  # The same ISO extras as instants (the space and the date alone read as UTC).
  sql "$base" "INSERT INTO tz_y SELECT id, person_id, CAST(at AS timestamptz) FROM iso_y WHERE id > 100"
  [ "$(sql "$base" "SELECT at FROM sec_y WHERE id = 101")" = 1732147199.5 ] || fail "fixture: the fractional second is lost"
else
  [ "$(sqlite3 "$base" "SELECT typeof(at) FROM sec_y WHERE id = 1")" = integer ] || fail "fixture: Unix seconds not stored as integers"
  [ "$(sqlite3 "$base" "SELECT typeof(at) FROM sec_y WHERE id = 10")" = text ] || fail "fixture: the unreadable value is not text"
fi

policy="$DSR_TMP/boundaries.yaml"
{
  cat <<'YAML'
version: 1
controller: {name: Boundaries Ltd, contact: privacy@boundaries.example}
regime: gdpr
databases: {main: {url: "sqlite:base.db"}}
identities:
  email: {column: people.email, normalize: email}
purposes:
  analytics: {basis: legitimate_interest, description: Seeing which pages are read.}
tables:
  people:
    key: id
    columns:
      email: {category: contact, purposes: [analytics], source: provided}
YAML
  for keep in y m h d; do
    case $keep in y | m) period=1$keep ;; h) period=36h ;; d) period=90d ;; esac
    for fmt in $formats; do
      case $fmt in iso | tz) format=iso8601 ;; sec) format=unix_seconds ;; ms) format=unix_millis ;; esac
      cat <<YAML
  ${fmt}_$keep:
    key: id
    links: [{column: person_id, references: people.id}]
    columns:
      at: {category: online_identifier, purposes: [analytics], source: observed}
    erasure: {action: delete}
    retention: {column: at, format: $format, keep: $period, action: delete}
YAML
    done
  done
} >"$policy"

# remaining NOW: purges a fresh copy as of NOW; prints the remaining ids of
# each table in $shown (all tables' counts are checked).
shown="iso_y sec_y ms_y iso_m sec_m ms_m"
ids_of "$base" >"$DSR_TMP/base.ids"
remaining() {
  local work
  work=$(absent_db work)
  rm -f "$DSR_TMP/state.db"*
  drop_shop "$work"
  work=$(copy_shop "$base" work)
  DSR_NOW=$1 run_dsr 0 purge --policy "$policy" --db "$work" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" \
    --format json
  expect_json '[.status, .complete, .stopped_by]' '["ok",true,null]'
  ids_of "$work" >"$DSR_TMP/work.ids"
  local t ids counts=
  while IFS= read -r line; do
    t=${line%%:*} ids=${line#*: }
    case " $shown " in *" $t "*) echo "$line" ;; esac
    # A time that cannot be read, or has no number of seconds, is never deleted.
    case " $ids " in *" 9 10 11 "*) ;; *) fail "as of $1 $t lost a row whose time cannot be read (9, 10, 11): $line" ;; esac
    # PostgreSQL: the instants as timestamptz go exactly as the ISO text does.
    if [[ $t == tz_* ]] && [ "${line#*:}" != "$(grep "^iso_${t#tz_}:" "$DSR_TMP/work.ids" | cut -d: -f2-)" ]; then
      fail "as of $1 $line, but $(grep "^iso_${t#tz_}:" "$DSR_TMP/work.ids")"
    fi
    # The report counts what went.
    local went
    went=$(( $(grep "^$t:" "$DSR_TMP/base.ids" | cut -d: -f2- | wc -w) - $(wc -w <<<"$ids") ))
    counts="$counts${counts:+,}[\"$t\",$went,$went,0,0,0]"
  done <"$DSR_TMP/work.ids"
  expect_json "[.tables[] | select(.table | IN($(printf '"%s",' $all_tables | sed 's/,$//'))) |
                [.table, .examined, .deleted, .masked, .kept_under_hold, .kept_as_parent]] | sort" \
    "$(jq -c sort <<<"[$counts]")"
  (check_shop "$work") || fail "$1: the purged database is not intact"
}

# check NOW EXPECTED: the remaining ids are EXPECTED (one "table: ids" line per table).
check() {
  local got
  got=$(remaining "$1")
  if [ "$got" != "$2" ]; then
    diff <(echo "$2") <(echo "$got") >&2 || true
    fail "as of $1 the remaining rows differ from the expected (< expected, > got)"
  fi
}

# Shorthands: the rows no date ever removes, and each table's rows.
never="9 10 11"
all_m="21 22 23 24 25 26"

# --- 1y: 29 Feb 2024 ends on 28 Feb 2025 -----------------------------------------
check 2025-02-27T23:59:59Z "iso_y: 1 2 3 4 5 6 7 8 $never 13 101 102 103
sec_y: 1 2 3 4 5 6 7 8 $never 13 101
ms_y: 1 2 3 4 5 6 7 8 $never 13 101
iso_m: $never 13 $all_m
sec_m: $never 13 $all_m
ms_m: $never 13 $all_m 101"
expect_json '[.tables[] | select(.table == "iso_y") | .expired_before]' '["2024-02-28T00:00:00Z"]'
check 2025-02-28T00:00:00Z "iso_y: 4 5 6 7 8 $never 13 101 102 103
sec_y: 4 5 6 7 8 $never 13 101
ms_y: 4 5 6 7 8 $never 13 101
iso_m: $never 13 $all_m
sec_m: $never 13 $all_m
ms_m: $never 13 $all_m 101"
# Every instant of 2024-02-29 has ended by 2025-02-28: the cutoff is 1 March.
expect_json '[.tables[] | select(.table | endswith("_y")) | .expired_before] | unique' '["2024-03-01T00:00:00Z"]'
check 2025-03-01T12:00:00Z "iso_y: 5 6 7 8 $never 13 101 102 103
sec_y: 5 6 7 8 $never 13 101
ms_y: 5 6 7 8 $never 13 101
iso_m: $never 13 $all_m
sec_m: $never 13 $all_m
ms_m: $never 13 $all_m 101"

# --- 1y: 20 Nov 2024 ends on 20 Nov 2025; offsets by their UTC instant ------------
check 2025-11-19T23:59:59Z "iso_y: 5 6 7 8 $never 13 101 102 103
sec_y: 5 6 7 8 $never 13 101
ms_y: 5 6 7 8 $never 13 101
iso_m: $never 13 $all_m
sec_m: $never 13 $all_m
ms_m: $never 13 $all_m 101"
check 2025-11-20T00:00:00Z "iso_y: 6 8 $never 13 101
sec_y: 6 8 $never 13
ms_y: 6 8 $never 13
iso_m: $never 13 $all_m
sec_m: $never 13 $all_m
ms_m: $never 13 $all_m 101"
expect_json '[.tables[] | select(.table | endswith("_y")) | .expired_before] | unique' '["2024-11-21T00:00:00Z"]'
check 2025-11-21 "iso_y: $never 13
sec_y: $never 13
ms_y: $never 13
iso_m: $never 13 $all_m
sec_m: $never 13 $all_m
ms_m: $never 13 $all_m 101"

# --- 1m: 31 Jan 2026 ends on 28 Feb 2026 -------------------------------------------
check 2026-02-27T23:59:59Z "iso_y: $never 13
sec_y: $never 13
ms_y: $never 13
iso_m: $never 13 21 22 23 24 26
sec_m: $never 13 21 22 23 24 26
ms_m: $never 13 21 22 23 24 26 101"
expect_json '[.tables[] | select(.table | endswith("_m")) | .expired_before] | unique' '["2026-01-28T00:00:00Z"]'
check 2026-02-28T00:00:00Z "iso_y: $never 13
sec_y: $never 13
ms_y: $never 13
iso_m: $never 13 24
sec_m: $never 13 24
ms_m: $never 13 24"
expect_json '[.tables[] | select(.table | endswith("_m")) | .expired_before] | unique' '["2026-02-01T00:00:00Z"]'
check 2026-03-01T00:00:00Z "iso_y: $never 13
sec_y: $never 13
ms_y: $never 13
iso_m: $never 13
sec_m: $never 13
ms_m: $never 13"

# --- 36h and 90d around 20 Nov 2025 ------------------------------------------------
shown="iso_h sec_h ms_h iso_d sec_d ms_d"
check 2025-11-19T23:59:59Z "iso_h: $never 13 31 32 33
sec_h: $never 13 31 32 33
ms_h: $never 13 31 32 33
iso_d: $never 13 41 42 43
sec_d: $never 13 41 42 43
ms_d: $never 13 41 42 43"
check 2025-11-20T00:00:00Z "iso_h: $never 13 32
sec_h: $never 13 32
ms_h: $never 13 32
iso_d: $never 13 42
sec_d: $never 13 42
ms_d: $never 13 42"
expect_json '[.tables[] | select(.table | endswith("_h")) | .expired_before] | unique' '["2025-11-19T12:00:00Z"]'
expect_json '[.tables[] | select(.table | endswith("_d")) | .expired_before] | unique' '["2025-08-23T00:00:00Z"]'
check 2025-11-21T00:00:00Z "iso_h: $never 13
sec_h: $never 13
ms_h: $never 13
iso_d: $never 13
sec_d: $never 13
ms_d: $never 13"

# --- a century later: only the unreadable timestamps are left ----------------------
shown="iso_y sec_y ms_y iso_m sec_m ms_m iso_h sec_h ms_h iso_d sec_d ms_d"
check 2126-01-01 "$(for t in $shown; do echo "$t: $never"; done)"
echo "purge_boundaries: 13 dates, $(wc -w <<<"$all_tables") tables, $(wc -w <<<"$formats") formats, keeps of 1y, 1m, 36h, 90d: exactly the expected rows remain" >&2
