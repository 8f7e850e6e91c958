# dsr as the least-privileged role README.md's PostgreSQL section describes:
# no superuser, owns nothing; CONNECT, USAGE on the schema, SELECT and DELETE
# on the policy's tables, UPDATE on the columns the policy masks, rectifies or
# mirrors (tests/fixtures/pg/least_privilege.sql, derived from
# policies/shop.yaml by hand; PUBLIC's defaults revoked). Connected as that
# role (user= in the URL; the test cluster trusts local connections), every
# command succeeds: policy check (also as a role with no table privilege),
# access, export, erase, rectify, purge (with one connection allowed), and
# consent grant and withdraw with
# the marketing_opt_in mirror; and each does exactly what it does as the
# superuser on a copy of the same shop (same reports, same dump at the end).
# A command refused for a missing privilege fails the test naming the
# statement the server refused (from its log).
# backends: postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
on_backend postgresql || fail "this script is for PostgreSQL only"
shop=$(new_shop shop 200)
ref=$(copy_shop "$shop" ref)
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-20T10:00:00Z
role="${DSR_PG_PREFIX}dsr"
dbname=$(pg_dbname "$shop")
PGCLIENTENCODING=UTF8 "$PSQL" -X -q -v ON_ERROR_STOP=1 -v role="$role" -v dbname="$dbname" -d "$shop" \
  -f "$DSR_SOURCE/tests/fixtures/pg/least_privilege.sql" || fail "fixture: the role's grants failed"
role_db=$(pg_url "$dbname" | sed "s/user=[^&]*/user=$role/")
[[ $role_db == *"user=$role"* ]] || fail "fixture: no user= in $role_db"
q() { sql "$shop" "$1"; }

# The role is what the README says: no superuser, no other attribute, owns nothing.
[ "$(q "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolinherit FROM pg_roles WHERE rolname = '$role'")" = 'f|f|f|f|t' ] ||
  fail "fixture: role attributes $(q "SELECT * FROM pg_roles WHERE rolname = '$role'")"
[ "$(q "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = '$role')")" = 0 ] ||
  fail "fixture: the role owns relations"
[ "$(q "SELECT count(*) FROM pg_auth_members WHERE member = (SELECT oid FROM pg_roles WHERE rolname = '$role')")" = 0 ] ||
  fail "fixture: the role is a member of another role"
# And it really connects as itself, with nothing more.
[ "$(sql "$role_db" "SELECT current_user, has_table_privilege('products', 'SELECT')")" = "$role|f" ] ||
  fail "fixture: connected as $(sql "$role_db" "SELECT current_user")"

# The server's log, for the statement a permission error refused.
pg_log() {
  local dir
  dir=$(tr ' ' '\n' <<<"$DSR_PG_CONNINFO" | sed -n 's/^host=//p')
  [ -r "$dir/server.log" ] && grep -A1 -E 'ERROR: +permission denied' "$dir/server.log" | tail -n 6
}
# as_role EXPECTED NAME ARGS...: dsr ARGS as the role on the shop, then as the
# superuser on the copy; both must exit EXPECTED. Their reports are kept in
# $DSR_TMP/NAME.role.json and $DSR_TMP/NAME.super.json; @WHO@ in an
# argument is "role" in the first run and "super" in the second.
as_role() {
  local expected=$1 name=$2 status=0 role_state=() super_state=()
  shift 2
  if [ "$1" != policy ]; then  # (policy check keeps no state)
    role_state=(--state "$DSR_TMP/role-state.db") super_state=(--state "$DSR_TMP/super-state.db")
  fi
  "$DSR" "${@//@WHO@/role}" --db "$role_db" "${role_state[@]}" >"$DSR_TMP/$name.role.json" 2>"$DSR_TMP/$name.role.err" ||
    status=$?
  if [ "$status" -ne "$expected" ]; then
    if grep -q -i 'permission denied' "$DSR_TMP/$name.role.err"; then
      fail "$name as $role: a privilege the README does not grant is needed: $(cat "$DSR_TMP/$name.role.err"); the server refused: $(pg_log)"
    fi
    fail "$name as $role exited $status, expected $expected: $(head -c 1500 "$DSR_TMP/$name.role.err")"
  fi
  status=0
  "$DSR" "${@//@WHO@/super}" --db "$ref" "${super_state[@]}" >"$DSR_TMP/$name.super.json" 2>"$DSR_TMP/$name.super.err" ||
    status=$?
  [ "$status" -eq "$expected" ] || fail "$name as the superuser exited $status, expected $expected: $(head -c 1500 "$DSR_TMP/$name.super.err")"
  cp "$DSR_TMP/$name.role.json" "$DSR_TMP/out.json"
  validate_report
}
# same NAME FILTER: the filter gives the same on both reports.
same() {
  local a b
  a=$(jq -c "$2" "$DSR_TMP/$1.role.json") b=$(jq -c "$2" "$DSR_TMP/$1.super.json")
  [ "$a" = "$b" ] || fail "$1: as the role $(head -c 600 <<<"$a"), as the superuser $(head -c 600 <<<"$b")"
}
common=(--policy "$SHOP_POLICY" --keys "$DSR_TMP/keys" --format json)

# Subjects: one to read, one to erase, one to rectify, one to grant and one to
# withdraw marketing consent (opted out and opted in now).
pick() { q "SELECT id FROM customers WHERE $1 ORDER BY id LIMIT 1 OFFSET ${2:-0}"; }
reader=$(pick "EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = customers.id)")
eraser=$(pick "EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = customers.id)
               AND EXISTS (SELECT 1 FROM shipments s JOIN orders o ON o.id = s.order_id WHERE o.customer_id = customers.id)" 1)
fixer=$(pick "EXISTS (SELECT 1 FROM body_measurements b WHERE b.customer_id = customers.id) AND id NOT IN ($reader, $eraser)")
granter=$(pick "NOT marketing_opt_in AND id NOT IN ($reader, $eraser, $fixer)")
withdrawer=$(pick "marketing_opt_in AND id NOT IN ($reader, $eraser, $fixer)")
for v in reader eraser fixer granter withdrawer; do
  [ -n "${!v}" ] || fail "fixture: no customer to be the $v"
done

# --- policy check (the catalog only) ------------------------------------------------
as_role 0 check policy check --policy "$SHOP_POLICY" --format json
same check '[.errors, .findings]'
expect_json '.errors' '[]'
# "policy check --db reads only pg_catalog, which every role may read": a role
# with no privilege on any table gets the same answer. (It needs USAGE on the
# schema: without it the schema is not on the role's effective search_path,
# current_schema() is NULL, and every table shows as schema.table.)
catalog_role="${DSR_PG_PREFIX}catalog"
psql_admin -c "CREATE ROLE \"$catalog_role\" LOGIN" -c "GRANT CONNECT ON DATABASE \"$dbname\" TO \"$catalog_role\""
q "GRANT USAGE ON SCHEMA public TO \"$catalog_role\""
run_dsr 0 policy check --policy "$SHOP_POLICY" --db "${role_db/user=$role/user=$catalog_role}" --format json
[ "$(jq -c '[.errors, .findings]' "$DSR_TMP/out.json")" = "$(jq -c '[.errors, .findings]' "$DSR_TMP/check.super.json")" ] ||
  fail "policy check as a role that may only connect: $(head -c 600 "$DSR_TMP/out.json")"

# --- access and export --------------------------------------------------------------
as_role 0 access access "${common[@]}" --subject customer_id=$reader
same access '.tables'
expect_json '[.tables[] | select(.table == "customers") | .rows[0].id]' "[$reader]"
as_role 0 export export "${common[@]}" --subject customer_id=$reader --output "$DSR_TMP/copy.@WHO@.json"
for f in role super; do jq -c '[.tables, [.manifest.parts[].sha256]]' "$DSR_TMP/copy.$f.json" >"$DSR_TMP/copy.$f.tables"; done
cmp -s "$DSR_TMP/copy.role.tables" "$DSR_TMP/copy.super.tables" || fail "export: the role's copy differs from the superuser's"
[ "$(jq '.manifest.total_rows' "$DSR_TMP/copy.role.json")" -gt 1 ] || fail "export: the copy is empty"

# --- erase: deletes, masks (held orders, payments, the customer), the row lock ----------
erase_status=$("$DSR" erase "${common[@]}" --db "$ref" --state "$DSR_TMP/probe-state.db" --subject customer_id=$eraser --dry-run \
  >/dev/null 2>&1; echo $?)
[ "$erase_status" -eq 0 ] || [ "$erase_status" -eq 7 ] || fail "fixture: the dry run as the superuser exited $erase_status"
as_role "$erase_status" erase erase "${common[@]}" --subject customer_id=$eraser --yes
same erase '[.erasure.tables, .erasure.totals, .verification.passed]'
expect_json '[.erasure.changed, .verification.passed]' '[true,true]'
[ "$(jq '.erasure.totals.deleted' "$DSR_TMP/out.json")" -gt 0 ] || fail "fixture: the erasure deleted nothing"
[ "$(jq '.erasure.totals.masked' "$DSR_TMP/out.json")" -gt 0 ] || fail "fixture: the erasure masked nothing"

# --- rectify: the customer's name and a measurement -----------------------------------
as_role 0 rectify rectify "${common[@]}" --subject customer_id=$fixer --set customers.last_name=Ó\ Súilleabháin \
  --set body_measurements.chest_cm=101.5 --yes
same rectify '[.status, .fields]'
[ "$(q "SELECT last_name FROM customers WHERE id = $fixer")" = 'Ó Súilleabháin' ] || fail "rectify: the name was not written"
[ "$(q "SELECT DISTINCT chest_cm FROM body_measurements WHERE customer_id = $fixer")" = '101.5' ] ||
  fail "rectify: the measurement was not written"

# --- consent: grant and withdraw, mirrored into customers.marketing_opt_in -----------------
as_role 0 grant consent grant "${common[@]}" --subject customer_id=$granter --purpose marketing --source "signup form"
as_role 0 withdraw consent withdraw "${common[@]}" --subject customer_id=$withdrawer --purpose marketing \
  --source "unsubscribe link"
[ "$(q "SELECT marketing_opt_in FROM customers WHERE id IN ($granter, $withdrawer) ORDER BY id = $withdrawer")" = $'t\nf' ] ||
  fail "consent: the mirror column was not written"

# --- purge: deletes, shipment masks, batches ------------------------------------------------
# The role may open one connection: its purge does without the second, on
# which the superuser's reads the next rows beside the writes, and the two
# must still do the same.
q "ALTER ROLE \"$role\" CONNECTION LIMIT 1" >/dev/null
as_role 0 purge purge "${common[@]}"
q "ALTER ROLE \"$role\" CONNECTION LIMIT -1" >/dev/null
same purge '[.tables[] | {table, examined, deleted, masked, already_masked, kept_under_hold, kept_as_parent}]'
expect_json '[.status, .complete]' '["ok",true]'
[ "$(jq '.totals.deleted' "$DSR_TMP/out.json")" -gt 0 ] || fail "fixture: the purge deleted nothing"
[ "$(jq '.totals.masked' "$DSR_TMP/out.json")" -gt 0 ] || fail "fixture: the purge masked nothing"

# --- the role's shop and the superuser's copy are the same -----------------------------
dump_shop "$shop" >"$DSR_TMP/shop.dump"
dump_shop "$ref" >"$DSR_TMP/ref.dump"
cmp -s "$DSR_TMP/shop.dump" "$DSR_TMP/ref.dump" ||
  fail "the role's shop differs from the superuser's: $(diff "$DSR_TMP/shop.dump" "$DSR_TMP/ref.dump" | head -10)"
check_shop "$shop"

# The roles go with their grants; the databases are dropped by run_one.sh.
q "DROP OWNED BY \"$role\", \"$catalog_role\""
psql_admin -c "DROP ROLE \"$role\"" -c "DROP ROLE \"$catalog_role\""
