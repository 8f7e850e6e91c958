# PostgreSQL's own types and schemas, through the dsr binary, on the small
# hand-written shop tests/fixtures/pg/native_types.sql with its policy
# native_types.yaml: public.customers, sales.orders (the policy's
# `sales.orders`) and its child sales.order_lines (ON DELETE CASCADE), and
# visits with ISO 8601 text times; timestamptz, timestamp, date, jsonb,
# bytea, uuid, numeric(12,2), text[] and boolean columns.
#  - policy check --db passes; a policy naming `public.visits` or
#    `public.customers` is told to write `visits` / `customers`;
#  - access shows every value exactly as psql prints it (bytea as base64 bytes,
#    booleans as 1/0, NULL as null), the subject's rows and nothing of anyone
#    else's, in JSON and text;
#  - export carries the same values in JSON and in CSV (derived columns left out);
#  - erase: generalize (year) on timestamptz and date gives the start of the
#    year (in UTC), redact/null/pseudonymize on text, jsonb, uuid, bytea and
#    boolean, deletes across the schema-qualified tables, keeps the held order
#    masked, leaves everyone else's rows as they were; a second erase changes
#    nothing; a mask the column's type cannot hold (pseudonymize on uuid and
#    jsonb) is refused by policy check (mask_type_unsupported, in its JSON
#    report) and by erase (exit 3) with each mask's place in the policy,
#    changing nothing;
#  - purge on timestamptz, date and ISO text with UTC offsets deletes exactly
#    the rows a psql query computes as expired (DSR_NOW fixed), keeps an
#    expired order a live line still refers to; a second purge deletes nothing;
#    a keep in hours (cutoff at 09:00 UTC) against offsets up to +15:45.
# backends: postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
on_backend postgresql || fail "this script is for PostgreSQL only"
export LC_ALL=C.UTF-8
fixtures="$DSR_SOURCE/tests/fixtures/pg"
policy="$fixtures/native_types.yaml"
db=$(new_db native)
sql "$db" <"$fixtures/native_types.sql" >/dev/null
purge_db=$(copy_shop "$db" native_purge)
mismatch_db=$(copy_shop "$db" native_mismatch)
hours_db=$(copy_shop "$db" native_hours)
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-20T10:00:00Z
common=(--policy "$policy" --db "$db" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
q() { sql "$db" "$1"; }

# check_values KIND FILE IDS: every value of every row in FILE (an access
# report, an export's JSON document or CSV zip) is the database's as psql
# prints it (a timestamptz in ISO 8601 UTC, see below); the rows are exactly
# IDS ({"table": [keys]}); every column of the table is there but the link
# columns (which may be) and, in an export, the derived ones (which must not).
check_values() {
  PSQL="$PSQL" /usr/bin/python3 - "$db" "$1" "$2" "$3" <<'PY'
import base64, csv, io, json, os, re, subprocess, sys, zipfile
db, kind, path, ids = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
derived = {"customers": {"tags"}}
links = {"sales.orders": {"customer_id"}, "sales.order_lines": {"order_id"}, "visits": {"customer_id"}}
env = dict(os.environ, PGCLIENTENCODING="UTF8")
def psql(query):
    return subprocess.run([os.environ.get("PSQL", "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", query],
                          capture_output=True, text=True, check=True, env=env).stdout
def qualified(table):
    return table if "." in table else "public." + table
def db_rows(table, keys):
    types = dict(line.split("|", 1) for line in psql(
        f"SELECT attname || '|' || format_type(atttypid, atttypmod) FROM pg_attribute "
        f"WHERE attrelid = '{qualified(table)}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum").splitlines())
    text = psql(f"COPY (SELECT * FROM {qualified(table)} WHERE id IN ({','.join(map(str, keys))}) ORDER BY id) "
                f"TO STDOUT WITH (FORMAT csv, HEADER, NULL '<NULL>')")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return types, [dict(zip(rows[0], r)) for r in rows[1:]]
def want_json(type_, v):
    if v == "<NULL>": return None
    # dsr writes a timestamptz as ISO 8601 in UTC, as its SQLite shops hold
    # times (lib/db/postgres: iso8601_utc): psql's "2026-11-01 08:30:00+00"
    # (the cluster's TimeZone is UTC) is "2026-11-01T08:30:00Z".
    if type_ == "timestamp with time zone" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00", v):
        return v[:10] + "T" + v[11:-3] + "Z"
    if type_ in ("bigint", "integer", "smallint"): return int(v)
    if type_ == "boolean": return 1 if v == "t" else 0
    if type_ == "bytea": return {"base64": base64.b64encode(bytes.fromhex(v[2:])).decode()}
    return v
def want_csv(type_, v):
    w = want_json(type_, v)
    if w is None: return ""
    if isinstance(w, dict): return w["base64"]
    return str(w)
problems = []
if kind == "access":
    got = {t["table"]: t["rows"] for t in json.load(open(path))["tables"]}
elif kind == "export":
    got = json.load(open(path))["tables"]
else:
    z = zipfile.ZipFile(path)
    manifest = json.loads(z.read("manifest.json"))
    got = {}
    for part in manifest["parts"]:
        records = list(csv.reader(io.StringIO(z.read(part["name"]).decode("utf-8"), newline="")))
        got[part["table"]] = [dict(zip(records[0], r)) for r in records[1:]]
for table, keys in ids.items():
    rows = got.get(table, [])
    keys_got = sorted(int(r["id"]) for r in rows)
    if keys_got != sorted(keys):
        problems.append(f"{table}: rows {keys_got}, expected {sorted(keys)}")
        continue
    if not keys:
        continue
    types, expected = db_rows(table, keys)
    by_id = {int(r["id"]): r for r in rows}
    for e in expected:
        r = by_id[int(e["id"])]
        for column, value in e.items():
            if kind != "access" and column in derived.get(table, ()):
                if column in r: problems.append(f"{table}.{column}: a derived column was exported")
                continue
            if column not in r:
                if column in links.get(table, ()): continue  # a link column: reported or not
                problems.append(f"{table} {e['id']}: column {column} is missing")
                continue
            want = want_csv(types[column], value) if kind == "csv" else want_json(types[column], value)
            if r[column] != want or type(r[column]) != type(want):
                problems.append(f"{table} {e['id']} {column} ({types[column]}): got {r[column]!r}, psql says {want!r}")
extra = sorted(set(got) - set(ids))
if extra: problems.append(f"tables not expected: {extra}")
if problems:
    sys.exit("FAIL: " + kind + ": " + "; ".join(problems))
PY
}

# Ana's rows, and strings that belong only to the others.
subject_ids='{"customers":[1],"sales.orders":[101,102,103],"sales.order_lines":[1001,1002,1003],"visits":[1,2]}'
others=(bo.chen carol@ dan.egan cara.diaz 'Bo Chen' 'Dan Egan' 'Cara D' b1ffcd88 d3aaef77 000000000201 '/bo/' '/dan/'
        'tweed jacket' socks)
no_others() {
  local s
  for s in "${others[@]}"; do
    if grep -a -q -F -- "$s" "$@"; then fail "another customer's '$s' is in $*"; fi
  done
}

# --- policy check ------------------------------------------------------------
run_dsr 0 policy check --policy "$policy" --db "$db" --format json
validate_report
expect_json '.errors' '[]'
expect_json '[.findings[] | select(.kind != "no_retention") | [.kind, .table, .column]]' '[]'
# A table on the search_path named with its schema: told to write it without.
sed 's/^  visits:$/  public.visits:/' "$policy" >"$DSR_TMP/public_visits.yaml"
grep -q '^  public.visits:' "$DSR_TMP/public_visits.yaml" || fail "fixture: public.visits policy not made"
run_dsr 3 policy check --policy "$DSR_TMP/public_visits.yaml" --db "$db" --format json
validate_report
expect_json '[.errors[] | [.kind, .table]]' '[["unknown_table","public.visits"]]'
expect_json '.errors[0].message | test("write .visits.")' 'true'
# The subject table too, with every TABLE.COLUMN that names it.
sed -e 's/^  customers:$/  public.customers:/' -e 's/column: customers\./column: public.customers./' \
    -e 's/references: customers\./references: public.customers./' "$policy" >"$DSR_TMP/public_customers.yaml"
run_dsr 3 policy check --policy "$DSR_TMP/public_customers.yaml" --db "$db" --format json
validate_report
expect_json '[.errors[] | select(.kind == "unknown_table") | .table]' '["public.customers"]'
expect_json '[.errors[] | select(.kind == "unknown_table") | .message | test("write .customers.")]' '[true]'

# --- access ------------------------------------------------------------------
run_dsr 0 access "${common[@]}" --subject customer_id=1 --format json
validate_report
check_values access "$DSR_TMP/out.json" "$subject_ids"
no_others "$DSR_TMP/out.json"
# The same rows found by email, in another case: the guest order among them.
run_dsr 0 access "${common[@]}" --subject "email= Ana.Silva@EXAMPLE.com" --format json
check_values access "$DSR_TMP/out.json" "$subject_ids"
# Someone else's: not a byte of Ana's.
run_dsr 0 access "${common[@]}" --subject customer_id=4 --format json
grep -q -F -e ana.silva -e 'Ana Silva' -e a0eebc99 "$DSR_TMP/out.json" && fail "customer 4's report shows Ana's data"
# Text: the values as psql prints them, bytea as its bytes.
run_dsr 0 access "${common[@]}" --subject customer_id=1 --format text
no_others "$DSR_TMP/out.json"
utc() { echo "to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"; }
for column in "$(utc signed_up_at)" birth_date last_seen profile external_ref credit tags; do
  value=$(q "SELECT $column FROM customers WHERE id = 1")
  [[ $column == to_char* ]] && column=signed_up_at
  grep -q -F -- "${column//_/ }: $value" "$DSR_TMP/out.json" || fail "text report lacks '${column//_/ }: $value'"
done
grep -q -F -- "avatar: (10 bytes, base64 $(q "SELECT encode(avatar, 'base64') FROM customers WHERE id = 1"))" \
  "$DSR_TMP/out.json" || fail "text report lacks the avatar's bytes"
grep -q -F -- "placed at: $(q "SELECT $(utc placed_at) FROM sales.orders WHERE id = 101")" "$DSR_TMP/out.json" ||
  fail "text report lacks order 101's placed_at"

# --- export --------------------------------------------------------------------
run_dsr 0 export "${common[@]}" --subject customer_id=1 --output "$DSR_TMP/copy.json"
validate_report
check_values export "$DSR_TMP/copy.json" "$subject_ids"
no_others "$DSR_TMP/copy.json"
run_dsr 0 export "${common[@]}" --subject customer_id=1 --format csv --output "$DSR_TMP/copy.zip"
validate_report
check_values csv "$DSR_TMP/copy.zip" "$subject_ids"

# --- erase ---------------------------------------------------------------------
# A mask whose result the column's type cannot hold (a pseudonym is no uuid,
# nor JSON): the erasure fails as a whole and changes nothing.
sed -e 's/^        external_ref: null$/        external_ref: pseudonymize/' \
    -e 's/^        profile: {method: redact.*$/        profile: pseudonymize/' "$policy" >"$DSR_TMP/mismatch.yaml"
[ "$(grep -c -E '^        (external_ref|profile): pseudonymize$' "$DSR_TMP/mismatch.yaml")" = 2 ] ||
  fail "fixture: the mismatching policy was not made"
dump_everything() {
  sql "$1" "SELECT c::text FROM customers c ORDER BY id; SELECT o::text FROM sales.orders o ORDER BY id;
            SELECT l::text FROM sales.order_lines l ORDER BY id; SELECT v::text FROM visits v ORDER BY id;"
}
dump_everything "$mismatch_db" >"$DSR_TMP/mismatch.before"
status=0
"$DSR" erase --policy "$DSR_TMP/mismatch.yaml" --db "$mismatch_db" --state "$DSR_TMP/mismatch-state.db" \
  --keys "$DSR_TMP/keys" --subject customer_id=1 --yes --format json >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
# Refused before anything is read (exit 3), each mask named where the policy sets it.
[ "$status" -eq 3 ] || fail "pseudonymize on uuid and jsonb columns: the erasure exited $status, not 3"
dump_everything "$mismatch_db" | cmp -s - "$DSR_TMP/mismatch.before" ||
  fail "the erasure refused for a uuid pseudonym changed the database"
for column in 'external_ref, of type uuid' 'profile, of type jsonb'; do
  grep -q -E "mismatch\.yaml:[0-9]+:[0-9]+: .*mask pseudonymize on .*$column" "$DSR_TMP/err.txt" ||
    fail "the refusal does not name the mask on $column: $(head -c 600 "$DSR_TMP/err.txt")"
done
status=0
"$DSR" policy check --policy "$DSR_TMP/mismatch.yaml" --db "$mismatch_db" --format json >"$DSR_TMP/check.json" 2>/dev/null || status=$?
[ "$status" -eq 3 ] || fail "policy check of the mismatching policy exited $status, not 3"
validate_report "$DSR_TMP/check.json"
[ "$(jq '[.errors[] | select(.kind == "mask_type_unsupported")] | length' "$DSR_TMP/check.json")" = 2 ] ||
  fail "policy check does not report both masks as mask_type_unsupported: $(head -c 600 "$DSR_TMP/check.json")"

# others_dump: every row that is not Ana's, as text, table by table.
others_dump() {
  q "SELECT 'c', c::text FROM customers c WHERE id <> 1 ORDER BY id;
     SELECT 'o', o::text FROM sales.orders o WHERE id NOT IN (101, 102, 103) ORDER BY id;
     SELECT 'l', l::text FROM sales.order_lines l WHERE id NOT IN (1001, 1002, 1003) ORDER BY id;
     SELECT 'v', v::text FROM visits v WHERE id NOT IN (1, 2) ORDER BY id;"
}
others_dump >"$DSR_TMP/others.before"
kept_before=$(q "SELECT credit, tags FROM customers WHERE id = 1; SELECT customer_id, placed_at, total, gift FROM sales.orders WHERE id = 101")
run_dsr 7 erase "${common[@]}" --subject customer_id=1 --yes --format json
validate_report
cp "$DSR_TMP/out.json" "$DSR_TMP/erase.json"
expect_json '[.status, .erasure.changed, .verification.passed]' '["partial",true,true]'
counts() { jq -c "[.erasure.tables[] | select(.table == \"$1\") | [.deleted, .masked, .kept_under_hold]]" "$DSR_TMP/out.json"; }
[ "$(counts customers)" = '[[0,1,0]]' ] || fail "customers: $(counts customers)"
[ "$(counts sales.orders)" = '[[2,1,1]]' ] || fail "sales.orders: $(counts sales.orders)"
[ "$(counts sales.order_lines)" = '[[3,0,0]]' ] || fail "sales.order_lines: $(counts sales.order_lines)"
[ "$(counts visits)" = '[[2,0,0]]' ] || fail "visits: $(counts visits)"
# What the database now holds, read back with psql.
pseudonym=$(q "SELECT email FROM customers WHERE id = 1")
[[ $pseudonym =~ ^dsr-[0-9a-f]{32}@erased\.invalid$ ]] || fail "customers.email is '$pseudonym', not a pseudonym"
# 2024-01-01 01:30+02 is 2023-12-31 23:30 UTC: the year is 2023.
got=$(q "SELECT full_name, signed_up_at, birth_date, last_seen IS NULL, profile, external_ref IS NULL, avatar IS NULL,
                newsletter FROM customers WHERE id = 1")
[ "$got" = '[erased]|2023-01-01 00:00:00+00|1984-01-01|t|{"erased": true}|t|t|f' ] || fail "customer 1 after the erasure: $got"
got=$(q "SELECT email, details IS NULL, tracking, receipt IS NULL FROM sales.orders WHERE id = 101")
[ "$got" = "$pseudonym|t|00000000-0000-0000-0000-000000000000|t" ] || fail "held order 101 after the erasure: $got"
[ "$(q "SELECT credit, tags FROM customers WHERE id = 1; SELECT customer_id, placed_at, total, gift FROM sales.orders WHERE id = 101")" = \
  "$kept_before" ] || fail "unmasked values of Ana's kept rows changed"
[ "$(q "SELECT (SELECT count(*) FROM sales.orders WHERE id IN (102, 103)), (SELECT count(*) FROM sales.order_lines WHERE id IN (1001, 1002, 1003)),
               (SELECT count(*) FROM visits WHERE customer_id = 1), (SELECT count(*) FROM sales.orders WHERE email = 'ana.silva@example.com')")" = \
  '0|0|0|0' ] || fail "rows of Ana's remain"
others_dump >"$DSR_TMP/others.after"
cmp -s "$DSR_TMP/others.before" "$DSR_TMP/others.after" ||
  fail "other customers' rows changed: $(diff "$DSR_TMP/others.before" "$DSR_TMP/others.after" | head -10)"
check_shop "$db"
grep -q -F -e ana.silva -e 'Ana Silva' "$DSR_TMP/erase.json" "$DSR_TMP/state.db" && fail "the erasure's records hold Ana's values"

# A second erasure, by the email: the pseudonym finds the kept rows, nothing changes.
dump_everything "$db" >"$DSR_TMP/all.before"
run_dsr 7 erase "${common[@]}" --subject email=ana.silva@example.com --yes --format json
validate_report
expect_json '[.erasure.changed, .erasure.totals.deleted, .verification.passed]' '[false,0,true]'
dump_everything "$db" | cmp -s - "$DSR_TMP/all.before" || fail "the second erasure changed the database"

# --- purge ---------------------------------------------------------------------
# Ground truth from psql, on the untouched copy: a row has expired when its
# date (UTC) plus the period is on or before 2026-11-20; an order is kept
# while a line that is not expired refers to it; unreadable text never expires.
expired_sql="
CREATE FUNCTION pg_temp.instant(t text) RETURNS timestamptz LANGUAGE plpgsql AS
  \$\$ BEGIN RETURN t::timestamptz; EXCEPTION WHEN others THEN RETURN NULL; END \$\$;
CREATE TEMP TABLE gone_lines AS SELECT id FROM sales.order_lines WHERE ship_by + interval '1 year' <= date '2026-11-20';
SELECT 'sales.order_lines', coalesce(string_agg(id::text, ' ' ORDER BY id), '') FROM gone_lines;
SELECT 'sales.orders', coalesce(string_agg(id::text, ' ' ORDER BY id), '') FROM sales.orders o
  WHERE (placed_at AT TIME ZONE 'UTC')::date + interval '1 year' <= date '2026-11-20'
    AND NOT EXISTS (SELECT 1 FROM sales.order_lines l WHERE l.order_id = o.id AND l.id NOT IN (SELECT id FROM gone_lines));
SELECT 'visits', coalesce(string_agg(id::text, ' ' ORDER BY id), '') FROM visits
  WHERE (pg_temp.instant(seen_at) AT TIME ZONE 'UTC')::date + 324 <= date '2026-11-20';"
sql "$purge_db" "$expired_sql" >"$DSR_TMP/expired.truth"
# The fixture is what its comments say (the cases above are all there).
printf '%s\n' 'sales.order_lines|1003 3001 3004 3005' 'sales.orders|103 202 301 303 306 307' 'visits|1 3 6 8 10 13' |
  cmp -s - "$DSR_TMP/expired.truth" || fail "fixture: psql's expired rows are $(paste -sd';' "$DSR_TMP/expired.truth")"
rows_left() {  # rows_left TABLE: its keys, one line
  sql "$purge_db" "SELECT coalesce(string_agg(id::text, ' ' ORDER BY id), '') FROM $1"
}
for t in sales.order_lines sales.orders visits; do rows_left "$t"; done >"$DSR_TMP/rows.before"
purge=(--policy "$policy" --db "$purge_db" --state "$DSR_TMP/purge-state.db" --keys "$DSR_TMP/keys")
run_dsr 0 purge "${purge[@]}" --dry-run --format json
validate_report
cp "$DSR_TMP/out.json" "$DSR_TMP/purge-dry.json"
for t in sales.order_lines sales.orders visits; do rows_left "$t"; done | cmp -s - "$DSR_TMP/rows.before" ||
  fail "the dry run changed rows"
run_dsr 0 purge "${purge[@]}" --format json
validate_report
expect_json '[.status, .complete]' '["ok",true]'
expect_json '[.tables[] | [.table, .expired_before]] | sort' \
  '[["sales.order_lines","2025-11-21T00:00:00Z"],["sales.orders","2025-11-21T00:00:00Z"],["visits","2026-01-01T00:00:00Z"]]'
# Exactly the expired rows went, and every other row is still there; the
# reports (dry and real) count them.
tables=(sales.order_lines sales.orders visits)
for i in "${!tables[@]}"; do
  t=${tables[$i]}
  gone=$(grep "^$t|" "$DSR_TMP/expired.truth" | cut -d'|' -f2)
  before=$(sed -n "$((i + 1))p" "$DSR_TMP/rows.before")
  want=$(comm -23 <(tr ' ' '\n' <<<"$before" | sort) <(tr ' ' '\n' <<<"$gone" | sort) | sort -n | paste -sd' ')
  [ "$(rows_left "$t")" = "$want" ] || fail "$t after the purge: $(rows_left "$t"), expected $want"
  n=$(wc -w <<<"$gone")
  expect_json "[.tables[] | select(.table == \"$t\") | .deleted]" "[$n]"
  dry=$(jq -c "[.tables[] | select(.table == \"$t\") | .deleted]" "$DSR_TMP/purge-dry.json")
  [ "$dry" = "[$n]" ] || fail "$t: the dry run counted $dry deletions, the real run $n"
done
expect_json '[.tables[] | select(.table == "sales.orders") | .kept_as_parent]' '[1]'
check_shop "$purge_db"
run_dsr 0 purge "${purge[@]}" --format json
expect_json '.totals.deleted' '0'

# A retention in hours puts the cutoff at any hour: keep 7767h on 2026-11-20
# expires what is before 2026-01-01T09:00:00Z. ISO text with an offset past
# +14:00 (PostgreSQL reads offsets up to +15:59, and so does dsr's reader)
# may carry a later date than any other writing of an instant before it:
# 2026-01-02T00:15:00+15:45 is 2026-01-01T08:30:00Z, expired.
sed 's/^      keep: 324d$/      keep: 7767h/' "$policy" >"$DSR_TMP/hours.yaml"
grep -q '^      keep: 7767h$' "$DSR_TMP/hours.yaml" || fail "fixture: the hours policy was not made"
sql "$hours_db" "INSERT INTO visits VALUES (15, 4, '2026-01-02T00:15:00+15:45', '/dan/h'), (16, 4, '2026-01-01T08:59:59Z', '/dan/i'),
                 (17, 4, '2026-01-01T09:00:00Z', '/dan/j'), (18, 4, '2026-01-01T23:30:00+14:30', '/dan/k'),
                 (19, 4, '2025-12-31T23:30:00-09:31', '/dan/l')"
want=$(sql "$hours_db" "CREATE FUNCTION pg_temp.instant(t text) RETURNS timestamptz LANGUAGE plpgsql AS
                          \$\$ BEGIN RETURN t::timestamptz; EXCEPTION WHEN others THEN RETURN NULL; END \$\$;
                        SELECT string_agg(id::text, ' ' ORDER BY id) FROM visits
                          WHERE pg_temp.instant(seen_at) + interval '7767 hours' < timestamptz '2026-11-21 00:00:00+00'")
[ "$want" = '1 2 3 4 5 6 8 9 10 11 13 15 16' ] || fail "fixture: psql's expired visits (hours) are $want"
run_dsr 0 purge --policy "$DSR_TMP/hours.yaml" --db "$hours_db" --state "$DSR_TMP/hours-state.db" --keys "$DSR_TMP/keys" \
  --table visits --format json
expect_json '[.tables[] | select(.table == "visits") | .expired_before]' '["2026-01-01T09:00:00Z"]'
left=$(sql "$hours_db" "SELECT string_agg(id::text, ' ' ORDER BY id) FROM visits")
[ "$left" = '7 12 14 17 18 19' ] || fail "visits after a purge with keep 7767h: $left remain (expired per psql: $want)"
