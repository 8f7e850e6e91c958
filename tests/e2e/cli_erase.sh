# `dsr erase` on a generated shop: a registered customer with a guest order
# under the same email, orders past the 10-year tax hold and orders still
# under it. Checked against ground truth computed here in SQL, not by dsr:
# exactly the held rows remain (masked as declared), everything else of the
# subject is gone, and every other row of the database is byte-identical.
# Also: the pseudonymised email is one value in three tables; the dry run
# reports exactly what the real run does and changes no byte; a second run
# changes nothing; without a terminal and --yes it refuses; on a terminal it
# asks; an unlisted ON DELETE CASCADE table is counted; an unlisted NO ACTION
# table that would make it fail stops it before any change; audit, ledger,
# request and reports hold counts and pseudonyms, never values.
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop="$DSR_TMP/shop.db"
make_shop "$shop" 1000
q() { sqlite3 "$shop" "$1"; }
sha() { sha256sum "$shop" | cut -d' ' -f1; }

# The shop's policy with support tickets kept and masked instead of deleted,
# so the email pseudonym shows in three tables and random and month masks run.
policy="$DSR_TMP/shop.yaml"
perl -0pe 's/(  support_tickets:\n(?:.*\n)*?    erasure:\n)      action: delete\n/$1      action: mask\n      mask:\n        email: pseudonymize\n        subject: {method: redact, text: "[erased]"}\n        body: random\n        created_at: {method: generalize, to: month}\n/' \
  "$SHOP_POLICY" >"$policy"
grep -q "body: random" "$policy" || fail "fixture: the test policy was not made"
st=(--policy "$policy" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
common=("${st[@]}" --db "$shop")
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null

# A table the policy does not list, removed with its orders by the database.
q "CREATE TABLE gift_notes (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                            note TEXT NOT NULL);
   INSERT INTO gift_notes (order_id, note) SELECT id, 'note ' || id FROM orders;"

# --- the subject and the day: some of their orders past the hold, some not ---
cid=$(q "SELECT c.id FROM customers c
         WHERE EXISTS (SELECT 1 FROM orders g WHERE g.customer_id IS NULL AND g.email = c.email)
           AND (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) >= 2
         ORDER BY c.id LIMIT 1")
[ -n "$cid" ] || fail "fixture: no customer with a guest order and two orders"
email=$(q "SELECT email FROM customers WHERE id = $cid")
phone=$(q "SELECT coalesce(phone, '') FROM customers WHERE id = $cid")
orders="SELECT id FROM orders WHERE customer_id = $cid OR email = '$email'"
n=$(q "SELECT count(*) FROM ($orders)")
# The day after the hold of the middle order ends (its payment minutes later too).
boundary=$(q "SELECT date(placed_at, '+10 years', '+1 day') FROM orders WHERE id IN ($orders)
              ORDER BY placed_at LIMIT 1 OFFSET $(( n / 2 - 1 ))")
export DSR_NOW="${boundary}T12:00:00Z"
held() { echo "date($1, '+10 years') > '$boundary'"; }
# One old order paid late: its payment is still held, so the order, though
# past its own hold, must stay (masked) for the payment to refer to.
late=$(q "SELECT o.id FROM orders o JOIN payments p ON p.order_id = o.id
          WHERE o.customer_id = $cid AND NOT ($(held o.placed_at)) ORDER BY o.placed_at LIMIT 1")
[ -n "$late" ] || fail "fixture: no registered order past its hold"
q "UPDATE payments SET paid_at = strftime('%Y-%m-%dT%H:%M:%SZ', '$boundary', '-10 years', '+30 days') WHERE order_id = $late"

# --- ground truth: the subject's rows and what must become of each ---------
q "ATTACH '$DSR_TMP/truth.db' AS t;
   CREATE TABLE t.subject (tbl TEXT, k INTEGER, fate TEXT, PRIMARY KEY (tbl, k));
   INSERT INTO t.subject SELECT 'customers', $cid, 'mask';
   INSERT INTO t.subject SELECT 'orders', id, CASE WHEN $(held placed_at) THEN 'keep' ELSE 'delete' END FROM ($orders) JOIN orders USING (id);
   INSERT INTO t.subject SELECT 'order_items', i.id, CASE WHEN $(held o.placed_at) THEN 'keep' ELSE 'delete' END
     FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.id IN ($orders);
   INSERT INTO t.subject SELECT 'payments', id, CASE WHEN $(held paid_at) THEN 'keep' ELSE 'delete' END FROM payments WHERE order_id IN ($orders);
   INSERT INTO t.subject SELECT 'returns', id, CASE WHEN $(held requested_at) THEN 'keep' ELSE 'delete' END FROM returns WHERE order_id IN ($orders);
   -- an order a kept payment, return or item still refers to is kept too
   UPDATE t.subject SET fate = 'keep' WHERE tbl = 'orders' AND k IN (
     SELECT order_id FROM payments WHERE id IN (SELECT k FROM t.subject WHERE tbl = 'payments' AND fate = 'keep')
     UNION SELECT order_id FROM returns WHERE id IN (SELECT k FROM t.subject WHERE tbl = 'returns' AND fate = 'keep')
     UNION SELECT order_id FROM order_items WHERE id IN (SELECT k FROM t.subject WHERE tbl = 'order_items' AND fate = 'keep'));
   INSERT INTO t.subject SELECT 'shipments', id, 'delete' FROM shipments WHERE order_id IN ($orders);
   INSERT INTO t.subject SELECT 'support_tickets', id, 'mask' FROM support_tickets WHERE customer_id = $cid OR email = '$email';
   INSERT INTO t.subject SELECT 'newsletter_events', id, 'delete' FROM newsletter_events WHERE customer_id = $cid OR email = '$email';
   INSERT INTO t.subject SELECT tbl, id, 'delete' FROM (
     SELECT 'addresses' AS tbl, id, customer_id FROM addresses UNION ALL
     SELECT 'body_measurements', id, customer_id FROM body_measurements UNION ALL
     SELECT 'loyalty_ledger', id, customer_id FROM loyalty_ledger UNION ALL
     SELECT 'web_sessions', id, customer_id FROM web_sessions) WHERE customer_id = $cid;
   INSERT INTO t.subject SELECT 'gift_notes', id, 'cascade' FROM gift_notes
     WHERE order_id IN (SELECT k FROM t.subject WHERE tbl = 'orders' AND fate = 'delete');"
truth() { sqlite3 "$DSR_TMP/truth.db" "$1"; }
[ "$(truth "SELECT count(*) FROM subject WHERE tbl = 'orders' AND fate = 'keep'")" -ge 1 ] || fail "fixture: no held order"
[ "$(truth "SELECT count(*) FROM subject WHERE tbl = 'orders' AND fate = 'delete'")" -ge 1 ] || fail "fixture: no order past its hold"
[ "$(q "SELECT count(*) FROM orders WHERE customer_id IS NULL AND email = '$email'")" -ge 1 ] || fail "fixture: no guest order"
# A ticket to mask, if the generator gave them none.
if [ "$(truth "SELECT count(*) FROM subject WHERE tbl = 'support_tickets'")" -eq 0 ]; then
  q "INSERT INTO support_tickets (customer_id, email, subject, body, created_at, status)
     VALUES ($cid, '$email', 'Sleeve length', 'Please shorten the sleeves', '2024-05-17T09:30:00Z', 'closed');
     ATTACH '$DSR_TMP/truth.db' AS t;
     INSERT INTO t.subject SELECT 'support_tickets', id, 'mask' FROM support_tickets WHERE customer_id = $cid;"
fi

# dump_others FILE: every row of every table that is not the subject's, by key.
dump_others() {
  local table
  : >"$1"
  for table in $(q "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"); do
    echo "-- $table" >>"$1"
    sqlite3 -cmd ".mode quote" -cmd "ATTACH '$DSR_TMP/truth.db' AS t" "$shop" \
      "SELECT * FROM \"$table\" WHERE rowid NOT IN (SELECT k FROM t.subject WHERE tbl = '$table') ORDER BY rowid" >>"$1"
  done
}
dump_others "$DSR_TMP/others.before"
q "SELECT * FROM customers WHERE id = $cid" >"$DSR_TMP/customer.before"
q "SELECT id, body, created_at FROM support_tickets WHERE customer_id = $cid OR email = '$email' ORDER BY id" >"$DSR_TMP/tickets.before"
before=$(sha)

# --- the request it answers ---------------------------------------------------
run_dsr 0 request open "${st[@]}" --type erase --subject "email=$email" --format json
request=$(jq -r .request.id "$DSR_TMP/out.json")

# --- dry run: the plan, and not one byte changed ------------------------------
run_dsr 7 erase "${common[@]}" --subject "email=$email" --dry-run --format json
validate_report
cp "$DSR_TMP/out.json" "$DSR_TMP/dry.json"
expect_json '.dry_run' 'true'
expect_json '.status' '"partial"'
expect_json '.verification.performed' 'false'
[ "$(sha)" = "$before" ] || fail "the dry run changed the database file"

# --- no terminal and no --yes: refused before anything is opened --------------
run_dsr 2 erase "${common[@]}" --subject "email=$email" --format json </dev/null
expect_stderr "standard input is not a terminal"
expect_stderr "--yes"
[ "$(sha)" = "$before" ] || fail "the refused erasure changed the database file"

# --- on a terminal: "no" changes nothing --------------------------------------
# on_terminal ANSWER ARGS...: dsr with a pseudo-terminal as standard input.
on_terminal() {
  local answer=$1; shift
  /usr/bin/python3 - "$answer" "$DSR" "$@" >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" <<'PY'
import os, subprocess, sys
master, slave = os.openpty()
p = subprocess.Popen(sys.argv[2:], stdin=slave, stdout=sys.stdout, stderr=sys.stderr)
os.close(slave)
os.write(master, sys.argv[1].encode() + b"\n")
sys.exit(p.wait())
PY
}
status=0
on_terminal no erase "${common[@]}" --subject "email=$email" --format json || status=$?
[ "$status" -eq 2 ] || fail "answering no exited $status, expected 2"
expect_stderr "Type yes to erase"
expect_stderr "not confirmed; nothing was changed"
[ "$(sha)" = "$before" ] || fail "answering no changed the database file"

# --- the erasure, confirmed on a terminal -------------------------------------
status=0
on_terminal yes erase "${common[@]}" --subject "email=$email" --request "$request" --format json || status=$?
[ "$status" -eq 7 ] || { cat "$DSR_TMP/err.txt" >&2; fail "the erasure exited $status, expected 7 (held rows remain)"; }
validate_report
cp "$DSR_TMP/out.json" "$DSR_TMP/real.json"
expect_json '.status' '"partial"'
expect_json '.dry_run' 'false'
expect_json '.verification.performed' 'true'
expect_json '.verification.passed' 'true'
expect_json '.erasure.changed' 'true'
expect_json '.erasure.residue_removed' 'true'
expect_json '.request_id' "\"$request\""

# The dry run said exactly what the real run did.
[ "$(jq -c .erasure.tables "$DSR_TMP/dry.json")" = "$(jq -c .erasure.tables "$DSR_TMP/real.json")" ] ||
  fail "dry run and real run differ: $(diff <(jq .erasure.tables "$DSR_TMP/dry.json") <(jq .erasure.tables "$DSR_TMP/real.json") | head -20)"
[ "$(jq -c .erasure.totals "$DSR_TMP/dry.json")" = "$(jq -c .erasure.totals "$DSR_TMP/real.json")" ] || fail "totals differ"

# The report's counts are the ground truth's.
count() { truth "SELECT count(*) FROM subject WHERE tbl = '$1' AND fate = '$2'"; }
for table in orders order_items payments returns shipments addresses body_measurements loyalty_ledger \
             newsletter_events web_sessions; do
  expect_json "[.erasure.tables[] | select(.table == \"$table\") | .deleted]" "[$(count "$table" delete)]"
done
expect_json '[.erasure.tables[] | select(.table == "orders") | .kept_under_hold + .kept_as_parent]' "[$(count orders keep)]"
expect_json '[.erasure.tables[] | select(.table == "payments") | .kept_under_hold]' "[$(count payments keep)]"
parents=$(q "SELECT count(*) FROM orders WHERE id IN ($orders) AND NOT ($(held placed_at))
            AND id IN (SELECT order_id FROM payments WHERE $(held paid_at)
                       UNION SELECT order_id FROM returns WHERE $(held requested_at))")
[ "$parents" -ge 1 ] || fail "fixture: no order kept for its held payment"
expect_json '[.erasure.tables[] | select(.table == "orders") | .kept_as_parent, .kept_for]' "[$parents,[\"payments\"]]"
expect_json '[.erasure.tables[] | select(.table == "customers") | .masked]' '[1]'
expect_json '[.erasure.tables[] | select(.table == "support_tickets") | .masked]' "[$(count support_tickets mask)]"
expect_json '[.erasure.tables[] | select(.table == "orders") | .cascaded[] | [.table, .on_delete, .listed, .rows]]' \
  "[[\"gift_notes\",\"CASCADE\",false,$(count gift_notes cascade)]]"
expect_json '[.erasure.tables[] | select(.table == "orders") | .hold | .purpose, .lawful_basis, .keep]' \
  '["tax_records","legal_obligation","10y"]'
last_end=$(q "SELECT max(date(placed_at, '+10 years')) FROM orders WHERE id IN ($orders)")
expect_json '[.erasure.tables[] | select(.table == "orders") | .hold.ends[-1].date]' "[\"$last_end\"]"
expect_json '[.notify[].recipient]' '["payments","carrier","carrier_us","newsletter","workshop"]'
# Children before parents.
expect_json '[.erasure.tables[].table] | (index("order_items") < index("orders")) and (index("loyalty_ledger") < index("orders")) and .[-1] == "customers"' 'true'

# --- exactly the expected rows remain ---------------------------------------
for table in customers orders order_items payments returns shipments support_tickets newsletter_events \
             addresses body_measurements loyalty_ledger web_sessions gift_notes; do
  want=$(truth "SELECT group_concat(k) FROM (SELECT k FROM subject WHERE tbl = '$table' AND fate IN ('keep', 'mask') ORDER BY k)")
  got=$(sqlite3 -cmd "ATTACH '$DSR_TMP/truth.db' AS t" "$shop" \
    "SELECT group_concat(rowid) FROM (SELECT rowid FROM \"$table\" WHERE rowid IN (SELECT k FROM t.subject WHERE tbl = '$table') ORDER BY rowid)")
  [ "$got" = "$want" ] || fail "$table: rows $got remain, expected $want"
done
[ "$(q "PRAGMA integrity_check")" = ok ] || fail "integrity_check: $(q "PRAGMA integrity_check" | head -3)"
[ -z "$(q "PRAGMA foreign_key_check")" ] || fail "foreign_key_check: $(q "PRAGMA foreign_key_check" | head -3)"

# --- and nothing else changed -----------------------------------------------
dump_others "$DSR_TMP/others.after"
cmp -s "$DSR_TMP/others.before" "$DSR_TMP/others.after" ||
  fail "rows of other subjects changed: $(diff "$DSR_TMP/others.before" "$DSR_TMP/others.after" | head -10)"

# --- the masks have their declared forms --------------------------------------
pseudonym=$(q "SELECT email FROM customers WHERE id = $cid")
[[ $pseudonym =~ ^dsr-[0-9a-f]{32}@erased\.invalid$ ]] || fail "customers.email is '$pseudonym', not a pseudonym"
created_year=$(cut -d'|' -f7 "$DSR_TMP/customer.before" | cut -c1-4)
[ "$(q "SELECT first_name, last_name, phone IS NULL, birth_date IS NULL, created_at, last_login_at IS NULL,
               marketing_opt_in, typeof(marketing_opt_in), preferred_language IS NULL FROM customers WHERE id = $cid")" = \
  "[erased]|[erased]|1|1|${created_year}-01-01T00:00:00Z|1|0|integer|1" ] ||
  fail "customer masks: $(q "SELECT * FROM customers WHERE id = $cid")"
# One pseudonym in three tables: the masked rows still join.
[ "$(q "SELECT count(DISTINCT email) FROM (SELECT email FROM orders WHERE id IN (SELECT id FROM orders WHERE customer_id = $cid)
        UNION ALL SELECT email FROM support_tickets WHERE customer_id = $cid OR email = '$pseudonym')")" = 1 ] ||
  fail "the email pseudonym differs between tables"
[ "$(q "SELECT count(*) FROM orders WHERE email = '$pseudonym'")" = "$(count orders keep)" ] ||
  fail "held orders do not carry the customer's email pseudonym"
[ "$(q "SELECT count(*) FROM support_tickets WHERE email = '$pseudonym'")" = "$(count support_tickets mask)" ] ||
  fail "tickets do not carry the customer's email pseudonym"
[ "$(q "SELECT count(*) FROM payments WHERE order_id IN (SELECT id FROM orders WHERE email = '$pseudonym') AND card_token IS NOT NULL")" = 0 ] ||
  fail "held payments keep their card token"
[ "$(q "SELECT count(*) FROM returns WHERE order_id IN (SELECT id FROM orders WHERE email = '$pseudonym') AND reason IS NOT NULL")" = 0 ] ||
  fail "held returns keep their reason"
while IFS='|' read -r id body created_at; do
  [ "$(q "SELECT subject FROM support_tickets WHERE id = $id")" = "[erased]" ] || fail "ticket $id subject not redacted"
  new_body=$(q "SELECT body FROM support_tickets WHERE id = $id")
  [ "$new_body" != "$body" ] && [[ $new_body =~ ^dsr-[0-9a-f]{32}$ ]] || fail "ticket $id body '$new_body' is not random text"
  [ "$(q "SELECT created_at FROM support_tickets WHERE id = $id")" = "${created_at:0:7}-01T00:00:00Z" ] ||
    fail "ticket $id created_at not generalised to its month"
done <"$DSR_TMP/tickets.before"

# --- records: request closed, audit and ledger with counts only -----------------
run_dsr 0 request show "${st[@]}" --id "$request" --format json
expect_json '.request.status' '"closed"'
subject=$(jq -r .subject.pseudonym "$DSR_TMP/real.json")
[ "$(sqlite3 "$DSR_TMP/state.db" "SELECT count(*) FROM erasure_ledger WHERE subject = '$subject' AND request_id = '$request'")" = 1 ] ||
  fail "the erasure is not in the erasure ledger"
[ "$(sqlite3 "$DSR_TMP/state.db" "SELECT json_extract(summary, '$.deleted') FROM erasure_ledger WHERE subject = '$subject'")" = \
  "$(jq .erasure.totals.deleted "$DSR_TMP/real.json")" ] || fail "the ledger's counts differ from the report's"
run_dsr 0 audit show --state "$DSR_TMP/state.db" --request "$request" --format json
expect_json '[.entries[] | select(.command == "erase") | .phase]' '["intent","done"]'
expect_json '[.entries[] | select(.command == "erase" and .phase == "done") | .summary.deleted]' \
  "[$(jq .erasure.totals.deleted "$DSR_TMP/real.json")]"
for leak in "$email" $phone; do
  for f in "$DSR_TMP/state.db" "$DSR_TMP/state.db-wal" "$DSR_TMP/dry.json" "$DSR_TMP/real.json" "$DSR_TMP/err.txt"; do
    [ -f "$f" ] || continue
    grep -qaF -- "$leak" "$f" && fail "$(basename "$f") holds a personal value"
  done
done

# --- a second erasure, by the same email and by id, changes nothing --------------
after=$(sha)
for who in "email=$email" "customer_id=$cid"; do
  run_dsr 7 erase "${common[@]}" --subject "$who" --yes --format json
  validate_report
  expect_json '.erasure.changed' 'false'
  expect_json '.erasure.totals | [.deleted, .masked, .cascaded]' '[0,0,0]'
  expect_json '.erasure.totals.kept_under_hold' "$(jq .erasure.totals.kept_under_hold "$DSR_TMP/real.json")"
  expect_json '.verification.passed' 'true'
  [ "$(sha)" = "$after" ] || fail "the second erasure ($who) changed the database file"
done
run_dsr 7 erase "${common[@]}" --subject "email=$email" --yes --format text
grep -q "Nothing changed: the subject was already erased" "$DSR_TMP/out.json" || fail "the text report does not say nothing changed"

# --- nobody: exit 4 ---------------------------------------------------------------
run_dsr 4 erase "${common[@]}" --subject "email=nobody@nowhere.example" --yes --format json
validate_report
expect_json '.status' '"not_found"'
[ "$(sha)" = "$after" ] || fail "erasing nobody changed the database file"

# --- a shared phone names two customers: nothing is read or changed -------------
phone2=$(q "SELECT phone FROM customers WHERE phone IS NOT NULL GROUP BY phone HAVING count(*) > 1 LIMIT 1")
[ -n "$phone2" ] || fail "fixture: no shared phone"
run_dsr 5 erase "${common[@]}" --subject "phone=$phone2" --yes --format json
validate_report
expect_json '.status' '"ambiguous"'
expect_stderr "such as customer_id"
[ "$(sha)" = "$after" ] || fail "an ambiguous erasure changed the database file"

# --- the dry run's audit entries say it was one -----------------------------------
run_dsr 0 audit show --state "$DSR_TMP/state.db" --format json
expect_json '[.entries[] | select(.command == "erase" and .dry_run) | .phase]' '["intent","done"]'
expect_json '[.entries[] | select(.command == "erase" and .dry_run | not) | .summary.dry_run // false] | any' 'false'

# --- an unlisted table whose NO ACTION key would make it fail: refused, nothing changed
other=$(q "SELECT customer_id FROM orders WHERE customer_id IS NOT NULL AND customer_id <> $cid AND $(held placed_at) = 0
           AND id NOT IN (SELECT order_id FROM payments WHERE $(held paid_at))
           AND id NOT IN (SELECT order_id FROM returns WHERE $(held requested_at)) ORDER BY id LIMIT 1")
victim=$(q "SELECT min(id) FROM orders WHERE customer_id = $other AND $(held placed_at) = 0")
q "CREATE TABLE referrals (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id));
   INSERT INTO referrals (order_id) VALUES ($victim);"
locked=$(sha)
run_dsr 3 erase "${common[@]}" --subject "customer_id=$other" --yes --format json
validate_report
expect_stderr "referrals (a table the policy does not list)"
expect_stderr "nothing was changed"
[ "$(sha)" = "$locked" ] || fail "the refused erasure changed the database file"
[ "$(q "SELECT count(*) FROM orders WHERE customer_id = $other")" -ge 1 ] || fail "the refused erasure deleted orders"
