# `dsr purge` with policies/shop.yaml on a generated shop of 1,000 customers
# equals retention applied by hand-written SQL (SQLite's own date arithmetic,
# on dates far from 28/29 February, where it agrees with dsr's clamping):
# for two dates in turn (2026-11-20, then 2029-07-15 on the same database),
# the remaining keys of every retention table, and then the whole logical
# dump, equal a copy purged by the SQL below: children deleted before their
# parents, order items by their order's date, shipments masked at 2y with
# the policy's masks and deleted at 10y, an expired order kept while any row
# still refers to it. The dry run's per-table counts equal the real run's,
# and the real run's counts equal the SQL's; foreign_key_check is empty
# afterwards; a second run changes nothing.
# On PostgreSQL the SQL's date arithmetic is the server's (timestamptz plus an
# interval, which clamps to the month's end as dsr does), "foreign_key_check"
# is check_shop, and the logical dump is dump_shop.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
base=$(new_shop base 1000)
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
work=$(copy_shop "$base" work)
truth=$(absent_db truth)
tables="addresses body_measurements order_items payments shipments returns support_tickets loyalty_ledger orders
        newsletter_events web_sessions"
# ended_at TIME PERIOD DAY: SQL true when the UTC date PERIOD ('10 years')
# after TIME (a timestamp column, or Unix seconds under unix_seconds) is DAY or before.
if on_backend postgresql; then
  ended_at() { echo "CAST($1 + interval '$2' AS date) <= '$3'"; }
  unix_seconds() { echo "to_timestamp($1)"; }
else
  ended_at() { echo "date($1, '+$2') <= '$3'"; }
  unix_seconds() { echo "$1, 'unixepoch'"; }
fi
# keys_of DB TABLE: TABLE's keys in DB, in order, on one line.
keys_of() { sql "$1" "SELECT id FROM $2 ORDER BY id" | paste -sd' '; }

# expected DAY: $truth is the base purged as of DAY by plain SQL.
expected() {
  local d=$1 copy
  drop_shop "$truth"
  copy=$(copy_shop "$base" truth)
  [ "$copy" = "$truth" ] || fail "fixture: the truth copy is $copy, not $truth"
  ended() { ended_at "$1" "$2" "$d"; }
  sql "$truth" "
    BEGIN;
    DELETE FROM addresses WHERE $(ended created_at '6 years');
    DELETE FROM body_measurements WHERE $(ended measured_at '3 years');
    DELETE FROM order_items WHERE order_id IN (SELECT id FROM orders WHERE $(ended placed_at '10 years'));
    DELETE FROM payments WHERE $(ended paid_at '10 years');
    DELETE FROM shipments WHERE $(ended shipped_at '10 years');
    UPDATE shipments SET ship_to_name = '[erased]', ship_to_line1 = '[erased]', ship_to_city = '[erased]',
                         tracking_number = '[erased]', ship_to_postcode = trim(substr(trim(ship_to_postcode), 1, 3))
      WHERE $(ended shipped_at '2 years');
    DELETE FROM returns WHERE $(ended requested_at '10 years');
    DELETE FROM support_tickets WHERE $(ended created_at '3 years');
    DELETE FROM loyalty_ledger WHERE $(ended created_at '5 years');
    DELETE FROM orders WHERE $(ended placed_at '10 years')
      AND NOT EXISTS (SELECT 1 FROM order_items c WHERE c.order_id = orders.id)
      AND NOT EXISTS (SELECT 1 FROM payments c WHERE c.order_id = orders.id)
      AND NOT EXISTS (SELECT 1 FROM shipments c WHERE c.order_id = orders.id)
      AND NOT EXISTS (SELECT 1 FROM returns c WHERE c.order_id = orders.id)
      AND NOT EXISTS (SELECT 1 FROM loyalty_ledger c WHERE c.order_id = orders.id);
    DELETE FROM newsletter_events WHERE $(ended "$(unix_seconds occurred_at)" '2 years');
    DELETE FROM web_sessions WHERE $(ended "$(unix_seconds "started_at / 1000")" '90 days');
    COMMIT;"
}

# counts_of FILE: each table's counts from a report, in a form to compare.
counts_of() {
  jq -c '[.tables[] | {table, examined, deleted, masked, already_masked, kept_under_hold, kept_as_parent, kept_for}]' "$1"
}

# check DAY BATCH: dry run, real run with BATCH rows per batch, then every comparison.
check() {
  local day=$1 batch=$2 t
  export DSR_NOW="${day}T08:00:00Z"
  local args=(--policy "$SHOP_POLICY" --db "$work" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" --format json)
  expected "$day"
  dump_shop "$work" >"$DSR_TMP/before.sql"
  # What is there before, for the report's counts below.
  declare -A n_before
  for t in $tables; do n_before[$t]=$(sql "$work" "SELECT count(*) FROM $t"); done
  local masked
  masked=$(sql "$work" "SELECT count(*) FROM shipments WHERE $(ended_at shipped_at '2 years' "$day")
                          AND NOT ($(ended_at shipped_at '10 years' "$day")) AND tracking_number <> '[erased]'")

  run_dsr 0 purge "${args[@]}" --dry-run
  expect_json '[.dry_run, .status]' '[true,"ok"]'
  cp "$DSR_TMP/out.json" "$DSR_TMP/dry.json"
  { dump_shop "$work" >"$DSR_TMP/now.dump"; cmp -s "$DSR_TMP/now.dump" "$DSR_TMP/before.sql"; } || fail "$day: the dry run changed the database"

  run_dsr 0 purge "${args[@]}" --batch-size "$batch"
  expect_json '[.dry_run, .status, .complete]' '[false,"ok",true]'
  cp "$DSR_TMP/out.json" "$DSR_TMP/real.json"
  [ "$(counts_of "$DSR_TMP/dry.json")" = "$(counts_of "$DSR_TMP/real.json")" ] ||
    fail "$day: the dry run's counts differ from the real run's:
dry:  $(counts_of "$DSR_TMP/dry.json")
real: $(counts_of "$DSR_TMP/real.json")"

  # Remaining keys, table by table, then the whole database.
  for t in $tables; do
    local got want
    got=$(keys_of "$work" "$t")
    want=$(keys_of "$truth" "$t")
    if [ "$got" != "$want" ]; then
      diff <(tr ' ' '\n' <<<"$want") <(tr ' ' '\n' <<<"$got") | head -10 >&2 || true
      fail "$day: the remaining keys of $t differ from the SQL's (< SQL, > dsr)"
    fi
  done
  dump_shop "$truth" >"$DSR_TMP/truth.sql"
  dump_shop "$work" >"$DSR_TMP/after.sql"
  if ! cmp -s "$DSR_TMP/truth.sql" "$DSR_TMP/after.sql"; then
    diff "$DSR_TMP/truth.sql" "$DSR_TMP/after.sql" | head -10 >&2 || true
    fail "$day: the purged database differs from the SQL's (< SQL, > dsr)"
  fi

  # The report's counts are the SQL's: what was there before, what remains.
  for t in $tables; do
    local n_after deleted
    n_after=$(sql "$truth" "SELECT count(*) FROM $t")
    deleted=$((n_before[$t] - n_after))
    [ "$(jq --arg t "$t" '.tables[] | select(.table == $t) | .deleted' "$DSR_TMP/real.json")" = "$deleted" ] ||
      fail "$day: the report's deleted for $t is not $deleted"
  done
  [ "$(jq '.tables[] | select(.table == "shipments") | .masked' "$DSR_TMP/real.json")" = "$masked" ] ||
    fail "$day: the report's masked shipments are not $masked"
  local kept
  kept=$(sql "$truth" "SELECT count(*) FROM orders WHERE $(ended_at placed_at '10 years' "$day")")
  [ "$(jq '.tables[] | select(.table == "orders") | .kept_as_parent' "$DSR_TMP/real.json")" = "$kept" ] ||
    fail "$day: the report's kept_as_parent for orders is not $kept"
  expect_json '.totals.kept_under_hold' '0'

  (check_shop "$work") || fail "$day: the purged database is not intact"

  # A second run: nothing to delete or mask, nothing changes.
  run_dsr 0 purge "${args[@]}"
  expect_json '[.totals.deleted, .totals.masked]' '[0,0]'
  { dump_shop "$work" >"$DSR_TMP/now.dump"; cmp -s "$DSR_TMP/now.dump" "$DSR_TMP/after.sql"; } || fail "$day: the second run changed the database"
  echo "purge_ground_truth: $day: $(jq -c '.totals' "$DSR_TMP/real.json")" >&2
}

check 2026-11-20 2000
check 2029-07-15 37
# The later date tests what it means to: orders kept for their children,
# shipments masked by the first run.
[ "$(jq '.tables[] | select(.table == "orders") | .kept_as_parent' "$DSR_TMP/real.json")" -ge 1 ] ||
  fail "fixture: as of 2029-07-15 no expired order was kept for its children"
[ "$(jq '.tables[] | select(.table == "shipments") | .already_masked' "$DSR_TMP/real.json")" -ge 100 ] ||
  fail "fixture: as of 2029-07-15 too few shipments were already masked"
