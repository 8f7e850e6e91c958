# `dsr policy graph` shows every table under the links that reach it.
# (It reads the policy alone, no database: one run covers every backend.)
source "$DSR_SOURCE/tests/e2e/lib.sh"

run_dsr 0 policy graph --policy "$SHOP_POLICY"
out="$DSR_TMP/out.json"
grep -qx "  customers  (subject table)" "$out" || fail "customers is not a root"
grep -qx "      order_items  (order_items.order_id -> orders.id)" "$out" || fail "order_items not under orders"
grep -qx "  orders  (by identity email in orders.email)" "$out" || fail "guest orders by email missing"
# Every table of the policy appears at least once.
for t in customers addresses body_measurements orders order_items payments shipments returns \
         support_tickets loyalty_ledger newsletter_events web_sessions; do
  grep -q "^ *$t " "$out" || fail "table $t missing from the graph"
done

run_dsr 0 policy graph --policy "$SHOP_POLICY" --format dot
head -1 "$DSR_TMP/out.json" | grep -q '^digraph dsr_links {$' || fail "not DOT"
# One edge per link (14 in the policy) plus one per identity (3).
edges=$(grep -c -- ' -> ' "$DSR_TMP/out.json")
[ "$edges" -eq 17 ] || fail "expected 17 edges, got $edges"

run_dsr 0 policy graph --policy "$SHOP_POLICY" --format json
validate_report
expect_json '.command' '"policy graph"'
expect_json '.dot | startswith("digraph")' 'true'

run_dsr 2 policy graph --policy "$SHOP_POLICY" --format png
