#!/usr/bin/env bash
# dsr-shopgen --heavy-subject-rows N adds customer --customers + 1 with
# exactly N personal rows, which the ground truth lists and `dsr access`
# finds, row for row; every other row of the shop is the one the same
# command writes without the option. Bad values are usage errors.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"

customers=200
heavy=$((customers + 1))
rows=3000
shop=$(new_shop heavy $customers --heavy-subject-rows $rows \
  --ground-truth "$DSR_TMP/truth.json" --ground-truth-customers "1,$heavy")

[ "$(sql "$shop" "SELECT count(*) FROM customers")" = $heavy ] || fail "expected $heavy customers"
# The subject's rows, table by table, counted by SQL along the policy's links.
orders="SELECT id FROM orders WHERE customer_id = $heavy"
counted=$(sql "$shop" "SELECT
    (SELECT count(*) FROM customers WHERE id = $heavy)
  + (SELECT count(*) FROM addresses WHERE customer_id = $heavy)
  + (SELECT count(*) FROM body_measurements WHERE customer_id = $heavy)
  + (SELECT count(*) FROM orders WHERE customer_id = $heavy)
  + (SELECT count(*) FROM order_items WHERE order_id IN ($orders))
  + (SELECT count(*) FROM payments WHERE order_id IN ($orders))
  + (SELECT count(*) FROM shipments WHERE order_id IN ($orders))
  + (SELECT count(*) FROM returns WHERE order_id IN ($orders))
  + (SELECT count(*) FROM support_tickets WHERE customer_id = $heavy)
  + (SELECT count(*) FROM loyalty_ledger WHERE customer_id = $heavy)
  + (SELECT count(*) FROM newsletter_events WHERE customer_id = $heavy)
  + (SELECT count(*) FROM web_sessions WHERE customer_id = $heavy)")
[ "$counted" = $rows ] || fail "the heavy subject has $counted rows, expected $rows"
# Its history is spread over orders (with their lines, payments, ...) and sessions.
heavy_orders=$(sql "$shop" "SELECT count(*) FROM orders WHERE customer_id = $heavy")
heavy_sessions=$(sql "$shop" "SELECT count(*) FROM web_sessions WHERE customer_id = $heavy")
[ "$heavy_orders" -ge 200 ] && [ "$heavy_sessions" -ge 1000 ] ||
  fail "the heavy subject has $heavy_orders orders and $heavy_sessions sessions, expected 200 and 1000 or more"
# The shop's own invariants hold for it too.
[ "$(sql "$shop" "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
                  WHERE c.id = $heavy AND o.email <> c.email")" = 0 ] || fail "an order does not carry the subject's e-mail"
[ "$(sql "$shop" "SELECT count(*) FROM orders o WHERE customer_id = $heavy AND total_cents <>
                  (SELECT sum(quantity * unit_price_cents) FROM order_items i WHERE i.order_id = o.id)")" = 0 ] ||
  fail "an order total does not match its items"
check_shop "$shop"

# The ground truth lists every one of those rows, and `dsr access` finds them.
truth_rows=$(jq --argjson id $heavy '[.subjects[] | select(.customer_id == $id) | .tables[] | length] | add' "$DSR_TMP/truth.json")
[ "$truth_rows" = $rows ] || fail "the ground truth lists $truth_rows rows of the heavy subject, expected $rows"
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
run_dsr 0 access --policy "$SHOP_POLICY" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" \
  --format json --subject "customer_id=$heavy"
expect_json '[.tables[].row_count] | add' "$rows"
want=$(jq -c --argjson id $heavy '.subjects[] | select(.customer_id == $id) | .tables | map_values(length) | with_entries(select(.value > 0))' "$DSR_TMP/truth.json")
expect_json '[.tables[] | select(.row_count > 0) | {(.table): .row_count}] | add' "$want"

# Without the option, the same command writes the same shop less the
# subject: the same ground truth for customer 1, and (SQLite) the same rows.
plain=$(new_shop plain $customers --ground-truth "$DSR_TMP/plain-truth.json" --ground-truth-customers 1)
jq -c '.subjects[0]' "$DSR_TMP/plain-truth.json" >"$DSR_TMP/plain-1.json"
jq -c '.subjects[0]' "$DSR_TMP/truth.json" >"$DSR_TMP/heavy-1.json"
cmp -s "$DSR_TMP/plain-1.json" "$DSR_TMP/heavy-1.json" || fail "customer 1 differs with --heavy-subject-rows"
if on_backend sqlite; then
  for t in customers addresses body_measurements products orders order_items payments shipments returns \
           support_tickets loyalty_ledger newsletter_events web_sessions; do
    missing=$(sqlite3 -batch -bail "$shop" "ATTACH '$plain' AS plain;
      SELECT count(*) FROM (SELECT * FROM plain.$t EXCEPT SELECT * FROM main.$t)")
    [ "$missing" = 0 ] || fail "$t: $missing rows of the plain shop are missing or changed"
  done
  extra=$(sqlite3 -batch -bail "$shop" "ATTACH '$plain' AS plain;
    SELECT (SELECT count(*) FROM main.customers) - (SELECT count(*) FROM plain.customers)")
  [ "$extra" = 1 ] || fail "expected one customer more than the plain shop, got $extra"
  # And the heavy shop is as deterministic as any other.
  again=$(new_shop again $customers --heavy-subject-rows $rows)
  cmp -s "$shop" "$again" || fail "the same --heavy-subject-rows gave different database files"
fi

# Usage errors (exit 2, nothing written): no rows, too many customers for
# the subject's id, and a ground truth naming a customer past the subject.
for args in "--customers 10 --heavy-subject-rows 0" "--customers 10 --heavy-subject-rows -5" \
            "--customers 10000000 --heavy-subject-rows 1" \
            "--customers 10 --heavy-subject-rows 5 --ground-truth $DSR_TMP/t.json --ground-truth-customers 12"; do
  status=0
  # shellcheck disable=SC2086  # one word per option on purpose
  "$SHOPGEN" $args --out "$DSR_TMP/refused.db" >/dev/null 2>"$DSR_TMP/err.txt" || status=$?
  [ $status = 2 ] || fail "dsr-shopgen $args exited $status, expected 2"
  expect_stderr "dsr-shopgen: error:"
  [ ! -e "$DSR_TMP/refused.db" ] && [ ! -e "$DSR_TMP/t.json" ] || fail "dsr-shopgen $args wrote a file"
done
"$SHOPGEN" --help | grep -q -- '--heavy-subject-rows' || fail "--help does not mention --heavy-subject-rows"

echo "PASS: shopgen heavy subject"
