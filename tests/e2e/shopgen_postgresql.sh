#!/usr/bin/env bash
# backends: postgresql
# dsr-shopgen with a PostgreSQL --out loads the same shop as with a SQLite
# file: the same tables, columns, keys, foreign keys (ON DELETE included),
# UNIQUE and NOT NULL constraints and indexes; in native types, the same
# rows once converted back to SQLite's text form; the same ground truth,
# byte for byte. Existing shop tables need --force; a run that is killed
# mid-load or fails late (after dropping the old tables) leaves the database
# exactly as it was.
# Needs DSR_PG_CONNINFO, a libpq keyword string without dbname
# ("host=/tmp/x user=postgres"); the test creates its own databases.
source "$DSR_SOURCE/tests/e2e/lib.sh"
: "${DSR_PG_CONNINFO:?DSR_PG_CONNINFO must name a PostgreSQL cluster (host=... user=...)}"

# run_one.sh names a prefix for the run's databases and drops them after a
# pass; alone, the test makes up its own and drops them itself.
prefix=${DSR_PG_PREFIX:-dsr_shopgen_$$_}
db="${prefix}shop"
other="${prefix}other"
pg="$DSR_PG_CONNINFO dbname=$db"
psql_in() { local target=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 "$DSR_PG_CONNINFO dbname=$target" "$@"; }
q() { psql_in "$db" -c "$1"; }
sq() { sqlite3 -batch -noheader -separator '|' -nullvalue '\N' "$lite" "$1"; }

cleanup() {
  local status=$?
  if [ "$status" -eq 0 ]; then
    psql_in postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "DROP DATABASE IF EXISTS \"$other\" WITH (FORCE)"
  else
    echo "databases $db and $other kept for inspection" >&2
  fi
}
trap cleanup EXIT
psql_in postgres -c "CREATE DATABASE \"$db\"" -c "CREATE DATABASE \"$other\""

tables="customers addresses body_measurements products orders order_items payments shipments returns
        support_tickets loyalty_ledger newsletter_events web_sessions"
gen_args=(--customers 300 --seed 7 --now 2026-11-01 --ground-truth-customers 1,2,150,300)
lite="$DSR_TMP/shop.db"
"$SHOPGEN" "${gen_args[@]}" --out "$lite" --ground-truth "$DSR_TMP/truth-sqlite.json"
"$SHOPGEN" "${gen_args[@]}" --out "$pg" --ground-truth "$DSR_TMP/truth-postgresql.json"
cmp -s "$DSR_TMP/truth-sqlite.json" "$DSR_TMP/truth-postgresql.json" ||
  fail "the ground truth differs between the SQLite and the PostgreSQL target"

# pg_rows: every shop table, a "== table" line then its rows ordered by key,
# each column in SQLite's text form (ISO timestamps with Z, 0/1 flags;
# numeric(4,1) prints like SQLite's REAL). One psql: \gexec runs the
# queries the first one writes.
table_array="string_to_array('$(echo $tables | tr ' ' ,)', ',')"
pg_rows() {
  psql_in "$db" -F '|' -P null='\N' <<SQL
SELECT format('SELECT %L', '== ' || table_name),
       -- t.id: a bare "id" would sort by the text column of the select list.
       format('SELECT %s FROM %I t ORDER BY t.id', string_agg(CASE data_type
         WHEN 'timestamp with time zone'
           THEN format('to_char(%I AT TIME ZONE ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS"Z"'')', column_name)
         WHEN 'date' THEN format('to_char(%I, ''YYYY-MM-DD'')', column_name)
         WHEN 'boolean' THEN format('%I::int', column_name)
         ELSE format('%I::text', column_name) END, ', ' ORDER BY ordinal_position), table_name)
FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = ANY ($table_array)
GROUP BY table_name ORDER BY array_position($table_array, table_name::text) \gexec
SQL
}
sqlite_rows() { for t in $tables; do echo "== $t"; sq "SELECT * FROM $t ORDER BY id"; done; }
# pg_fingerprint: a digest of every shop table's rows, to see that nothing changed.
pg_fingerprint() { pg_rows | sha256sum; }

# count FILE TABLE: the number of lines in TABLE's section of a rows file.
count() { awk -v t="== $2" '/^== / {on = ($0 == t); next} on {n++} END {print n + 0}' "$1"; }

pg_rows >"$DSR_TMP/rows.pg"
sqlite_rows >"$DSR_TMP/rows.sqlite"
for t in $tables; do
  n=$(count "$DSR_TMP/rows.pg" "$t")
  [ "$n" = "$(sq "SELECT count(*) FROM $t")" ] || fail "$t: $n rows in PostgreSQL, not as many as in SQLite"
  [ "$n" -gt 0 ] || fail "$t is empty"
done
cmp -s "$DSR_TMP/rows.pg" "$DSR_TMP/rows.sqlite" ||
  fail "rows differ: $(diff "$DSR_TMP/rows.sqlite" "$DSR_TMP/rows.pg" | head -4)"

# same_set DESCRIPTION PG_SQL SQLITE_SQL: both list the same lines, in any order.
same_set() {
  local a b
  a=$(q "$2" | LC_ALL=C sort)
  b=$(sq "$3" | LC_ALL=C sort)
  [ -n "$a" ] && [ "$a" = "$b" ] || fail "$1 differ: postgresql [$a] sqlite [$b]"
}
pg_cons() {  # pg_cons TYPE: "table.column" of single-column constraints of that type
  echo "SELECT c.conrelid::regclass || '.' || a.attname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = '$1' AND c.connamespace = current_schema()::regnamespace"
}
sq_tables="SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
same_set "columns" \
  "SELECT table_name || ':' || string_agg(column_name, ',' ORDER BY ordinal_position)
   FROM information_schema.columns WHERE table_schema = current_schema() GROUP BY table_name" \
  "SELECT m.name || ':' || group_concat(i.name, ',') FROM ($sq_tables) m JOIN pragma_table_info(m.name) i GROUP BY m.name"
same_set "foreign keys" \
  "SELECT c.conrelid::regclass || '.' || a.attname || '->' || c.confrelid::regclass || '.' || r.attname || ' ' ||
          CASE c.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'c' THEN 'CASCADE' ELSE c.confdeltype::text END
   FROM pg_constraint c
   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
   JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = c.confkey[1]
   WHERE c.contype = 'f' AND c.convalidated" \
  "SELECT m.name || '.' || f.\"from\" || '->' || f.\"table\" || '.' || f.\"to\" || ' ' || f.on_delete
   FROM ($sq_tables) m JOIN pragma_foreign_key_list(m.name) f"
same_set "primary keys" "$(pg_cons p)" \
  "SELECT m.name || '.' || i.name FROM ($sq_tables) m JOIN pragma_table_info(m.name) i WHERE i.pk = 1"
same_set "unique constraints" "$(pg_cons u)" \
  "SELECT m.name || '.' || ii.name FROM ($sq_tables) m JOIN pragma_index_list(m.name) il
   JOIN pragma_index_info(il.name) ii WHERE il.origin = 'u'"
same_set "NOT NULL columns" \
  "SELECT table_name || '.' || column_name FROM information_schema.columns
   WHERE table_schema = current_schema() AND is_nullable = 'NO' AND column_name <> 'id'" \
  "SELECT m.name || '.' || i.name FROM ($sq_tables) m JOIN pragma_table_info(m.name) i WHERE i.\"notnull\" AND i.pk = 0"
same_set "secondary indexes" \
  "SELECT i.indexrelid::regclass || ' ' || i.indrelid::regclass || '(' || a.attname || ')' FROM pg_index i
   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
   WHERE i.indexrelid::regclass::text LIKE 'idx\\_%'" \
  "SELECT m.name || ' ' || m.tbl_name || '(' || ii.name || ')' FROM sqlite_master m
   JOIN pragma_index_info(m.name) ii WHERE m.type = 'index' AND m.name LIKE 'idx\\_%' ESCAPE '\\'"
[ "$(q "SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
        WHERE contype = 'c' AND connamespace = current_schema()::regnamespace")" = \
  "addresses CHECK ((kind = ANY (ARRAY['shipping'::text, 'billing'::text])))" ] ||
  fail "the CHECK on addresses.kind is missing"
same_set "native types" \
  "SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
   WHERE table_schema = current_schema()
     AND (data_type IN ('timestamp with time zone', 'date', 'boolean') OR column_name IN ('occurred_at', 'started_at'))" \
  "SELECT m.name || '.' || i.name || ' ' || CASE
     WHEN i.name IN ('occurred_at', 'started_at') THEN 'bigint'
     WHEN i.name LIKE '%\\_at' ESCAPE '\\' THEN 'timestamp with time zone'
     WHEN i.name = 'birth_date' THEN 'date' ELSE 'boolean' END
   FROM ($sq_tables) m JOIN pragma_table_info(m.name) i
   WHERE i.name LIKE '%\\_at' ESCAPE '\\' OR i.name IN ('birth_date', 'marketing_opt_in', 'made_to_measure')"
[ "$(q "SELECT count(DISTINCT tablename) FROM pg_stats WHERE schemaname = current_schema()")" = 13 ] ||
  fail "not every table was analyzed"

# A second run needs --force, and the refusal changes nothing.
before=$(pg_fingerprint)
status=0
"$SHOPGEN" --customers 50 --seed 8 --out "$pg" 2>"$DSR_TMP/err.txt" || status=$?
[ "$status" -eq 2 ] || fail "a second run without --force exited $status, expected 2"
grep -q -- "--force" "$DSR_TMP/err.txt" || fail "the refusal does not mention --force: $(cat "$DSR_TMP/err.txt")"
[ "$(pg_fingerprint)" = "$before" ] || fail "a refused run changed the database"

# Killed while loading (with --force, so it has already dropped the old
# tables in its transaction): nothing changes.
"$SHOPGEN" --customers 200000 --seed 9 --now 2026-11-01 --out "$pg" --force >/dev/null 2>&1 &
pid=$!
copying=0
for _ in $(seq 300); do
  copying=$(q "SELECT count(*) FROM pg_stat_activity
               WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY %'")
  [ "$copying" -gt 0 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ "$copying" -gt 0 ] || fail "never saw the 200000-customer run load rows"
kill -KILL "$pid" 2>/dev/null || fail "the 200000-customer run finished before it could be interrupted"
wait "$pid" 2>/dev/null || true
[ "$(pg_fingerprint)" = "$before" ] || fail "a run killed mid-load changed the database"

# A run that fails late, when the old tables are dropped and the new ones
# loaded: an event trigger (superuser only) refuses to create indexes.
# Exit 1 with the server's primary message; everything is rolled back.
q "CREATE FUNCTION no_indexes() RETURNS event_trigger LANGUAGE plpgsql
     AS \$\$BEGIN RAISE EXCEPTION 'no new indexes today'; END\$\$;
   CREATE EVENT TRIGGER no_indexes ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
     EXECUTE FUNCTION no_indexes()"
status=0
"$SHOPGEN" --customers 50 --seed 8 --out "$pg" --force 2>"$DSR_TMP/err.txt" || status=$?
[ "$status" -eq 1 ] || fail "a failing load exited $status, expected 1"
[ "$(cat "$DSR_TMP/err.txt")" = "dsr-shopgen: error: PostgreSQL: no new indexes today" ] ||
  fail "not the server's message for the failing load: $(cat "$DSR_TMP/err.txt")"
[ "$(pg_fingerprint)" = "$before" ] || fail "a failed run changed the database"
q "DROP EVENT TRIGGER no_indexes; DROP FUNCTION no_indexes()"

# --force replaces the shop; the same options give the same shop again.
"$SHOPGEN" --customers 50 --seed 8 --out "$pg" --force
[ "$(q "SELECT count(*) FROM customers")" = 50 ] || fail "--force did not replace the shop"
"$SHOPGEN" --customers 300 --seed 7 --now 2026-11-01 --out "$pg" --force
[ "$(pg_fingerprint)" = "$before" ] || fail "regenerating with the same options gave a different shop"

# A database holding just one table of the shop's name: refused without
# --force, and left alone; replaced with --force, here through a URI.
psql_in "$other" -c "CREATE TABLE orders (note text); INSERT INTO orders VALUES ('mine')"
status=0
"$SHOPGEN" --customers 20 --out "$DSR_PG_CONNINFO dbname=$other" 2>"$DSR_TMP/err.txt" || status=$?
[ "$status" -eq 2 ] || fail "a database with an orders table: exit $status, expected 2"
grep -q "(orders)" "$DSR_TMP/err.txt" || fail "the refusal does not name orders: $(cat "$DSR_TMP/err.txt")"
[ "$(psql_in "$other" -c "SELECT string_agg(tablename || ':' || (SELECT string_agg(note, ',') FROM orders), ',')
                          FROM pg_tables WHERE schemaname = 'public'")" = "orders:mine" ] ||
  fail "a refused run changed the other database"
if [[ $DSR_PG_CONNINFO =~ ^[a-z_]+=[^\ \'\"]+(\ [a-z_]+=[^\ \'\"]+)*$ ]]; then
  "$SHOPGEN" --customers 20 --out "postgresql:///$other?$(tr ' ' '&' <<<"$DSR_PG_CONNINFO")" --force
  [ "$(psql_in "$other" -c "SELECT count(*) FROM customers")" = 20 ] || fail "--force through a URI failed"
else
  echo "note: DSR_PG_CONNINFO has quoted or spaced values; the URI form is not tried" >&2
fi

"$SHOPGEN" --help | grep -q "postgresql://" || fail "--help shows no PostgreSQL example"

echo "PASS: shopgen postgresql"
