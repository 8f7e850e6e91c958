#!/usr/bin/env bash
# A generated shop is a valid SQLite database whose data satisfies every
# foreign key and contains the cases dsr must handle: guest orders, a phone
# number shared by two customers, and timestamps older than ten years as
# well as from the last 90 days.
set -euo pipefail

: "${DSR_BUILD:?DSR_BUILD must name the build directory}"
: "${DSR_TMP:?DSR_TMP must name a fresh temporary directory}"
gen="$DSR_BUILD/dsr-shopgen"

fail() { echo "FAIL: $*" >&2; exit 1; }
db="$DSR_TMP/shop.db"
q() { sqlite3 -batch "$db" "$1"; }
expect() {  # expect DESCRIPTION SQL EXPECTED
    local got
    got=$(q "$2")
    [[ "$got" == "$3" ]] || fail "$1: expected '$3', got '$got'"
}

"$gen" --customers 1500 --seed 7 --now 2025-06-01 --out "$db"

expect "integrity_check" "PRAGMA integrity_check" "ok"
expect "foreign_key_check" "PRAGMA foreign_key_check" ""
expect "journal mode" "PRAGMA journal_mode" "delete"
[[ ! -e "$db-wal" && ! -e "$db-journal" ]] || fail "journal or WAL file left beside the database"
expect "ANALYZE statistics" "SELECT count(*) > 0 FROM sqlite_stat1" "1"

for t in customers addresses body_measurements products orders order_items payments shipments \
         returns support_tickets loyalty_ledger newsletter_events web_sessions; do
    expect "$t has rows" "SELECT count(*) > 0 FROM $t" "1"
done
expect "customer count" "SELECT count(*) FROM customers" "1500"
expect "secondary indexes" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%'" "28"

# Guest orders: no customer_id, mostly e-mails that belong to no customer,
# some guests with several orders, and a few under a customer's address
# from before that customer registered.
expect "guest orders without a customer e-mail" \
    "SELECT count(*) > 0 FROM orders WHERE customer_id IS NULL AND email NOT IN (SELECT email FROM customers)" "1"
expect "guest share of orders between 5% and 20%" \
    "SELECT (SELECT count(*) FROM orders WHERE customer_id IS NULL) * 100 / count(*) BETWEEN 5 AND 20 FROM orders" "1"
expect "repeat guests" \
    "SELECT count(*) > 0 FROM (SELECT email FROM orders WHERE customer_id IS NULL GROUP BY email HAVING count(*) > 1)" "1"
expect "guest order under a customer's e-mail before sign-up" \
    "SELECT count(*) > 0 FROM orders o JOIN customers c ON c.email = o.email
     WHERE o.customer_id IS NULL AND o.placed_at < c.created_at" "1"
expect "registered orders carry the customer's e-mail" \
    "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.email <> c.email" "0"
expect "order totals match their items" \
    "SELECT count(*) FROM orders o WHERE total_cents <>
       (SELECT sum(quantity * unit_price_cents) FROM order_items i WHERE i.order_id = o.id)" "0"

# The ambiguous subject: a phone number shared by exactly two customers.
expect "shared phone" \
    "SELECT count(*) > 0 FROM (SELECT phone FROM customers WHERE phone IS NOT NULL GROUP BY phone HAVING count(*) = 2)" "1"
expect "no phone shared by more than two" \
    "SELECT count(*) FROM (SELECT phone FROM customers WHERE phone IS NOT NULL GROUP BY phone HAVING count(*) > 2)" "0"
expect "E.164 phones" "SELECT count(*) FROM customers WHERE phone NOT GLOB '+[1-9]*' OR length(phone) > 16" "0"
expect "lowercase unique e-mails" "SELECT count(*) FROM customers WHERE email <> lower(email)" "0"

# Time: ISO text, Unix seconds and Unix milliseconds, spanning more than ten
# years before --now and reaching into its last 90 days, never after it.
expect "orders older than ten years" "SELECT min(placed_at) < '2015-06-01' FROM orders" "1"
expect "orders in the last 90 days" "SELECT max(placed_at) >= '2025-03-03' FROM orders" "1"
expect "nothing after --now" \
    "SELECT max(x) < '2025-06-01' FROM (SELECT max(placed_at) x FROM orders UNION ALL SELECT max(created_at) FROM customers
     UNION ALL SELECT max(last_login_at) FROM customers UNION ALL SELECT max(paid_at) FROM payments
     UNION ALL SELECT max(shipped_at) FROM shipments UNION ALL SELECT max(requested_at) FROM returns
     UNION ALL SELECT max(created_at) FROM support_tickets UNION ALL SELECT max(created_at) FROM loyalty_ledger
     UNION ALL SELECT max(measured_at) FROM body_measurements)" "1"
expect "ISO timestamps" \
    "SELECT count(*) FROM orders WHERE placed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z'" "0"
# strftime('%s') is text; compare numbers with numbers.
epoch() { echo "CAST(strftime('%s','$1') AS INTEGER)"; }
expect "newsletter seconds span" \
    "SELECT min(occurred_at) >= $(epoch 2013-06-01) AND max(occurred_at) < $(epoch 2025-06-01) FROM newsletter_events" "1"
expect "web session milliseconds span" \
    "SELECT min(started_at) >= $(epoch 2013-06-01) * 1000 AND max(started_at) < $(epoch 2025-06-01) * 1000 FROM web_sessions" "1"
expect "web sessions older than ten years" "SELECT min(started_at) < $(epoch 2015-06-01) * 1000 FROM web_sessions" "1"
expect "integer epoch columns" \
    "SELECT (SELECT count(*) FROM newsletter_events WHERE typeof(occurred_at) <> 'integer')
          + (SELECT count(*) FROM web_sessions WHERE typeof(started_at) <> 'integer')" "0"

# Nothing that looks like a card number, only tokens and last four digits.
expect "card tokens" "SELECT count(*) FROM payments WHERE card_token IS NOT NULL AND card_token NOT GLOB 'tok_[0-9a-f]*'" "0"
expect "card last4" "SELECT count(*) FROM payments WHERE card_last4 IS NOT NULL AND card_last4 NOT GLOB '[0-9][0-9][0-9][0-9]'" "0"

echo "PASS: shopgen integrity"
