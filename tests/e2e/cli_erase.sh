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
# request and reports hold counts and pseudonyms, never values. A subject
# whose rows another session has locked past --busy-timeout is exit 11 and
# nothing changes (SQLite: a writer's BEGIN IMMEDIATE; PostgreSQL: a row lock
# on the customer, which erase takes FOR UPDATE).
# On PostgreSQL "byte-identical" is: the full dump (dump_shop) unchanged, and
# the ground truth is kept in a file rather than an attached database.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop 1000)
q() { sql "$shop" "$1"; }
# sha: a hash of the shop: of the SQLite file, byte for byte, or of the
# PostgreSQL database's full dump.
sha() {
  if on_backend sqlite; then sha256sum "$shop" | cut -d' ' -f1; else dump_shop "$shop" | sha256sum | cut -d' ' -f1; fi
}
# SQL that differs between the backends.
if on_backend postgresql; then
  int=bigint
  # date_after TIME MODIFIER...: the UTC date of TIME moved by each MODIFIER ('+10 years').
  date_after() { local e=$1 m; shift; for m in "$@"; do e="$e ${m:0:1} interval '${m:1}'"; done; echo "CAST($e AS date)"; }
  # time_after ISO MODIFIER...: the instant ISO moved by each MODIFIER, as the column's type.
  time_after() { local e="CAST('$1' AS timestamptz)" m; shift; for m in "$@"; do e="($e ${m:0:1} interval '${m:1}')"; done; echo "$e"; }
  # ts ISO: the instant ISO as a timestamp column holds it.
  ts() { echo "CAST('$1' AS timestamptz)"; }
  tables_sql="SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
else
  int=INTEGER
  date_after() { local a=$1 m; shift; for m in "$@"; do a="$a, '$m'"; done; echo "date($a)"; }
  time_after() { local a="'$1'" m; shift; for m in "$@"; do a="$a, '$m'"; done; echo "strftime('%Y-%m-%dT%H:%M:%SZ', $a)"; }
  ts() { echo "'$1'"; }
  tables_sql="SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
fi

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
q "CREATE TABLE gift_notes (id $int PRIMARY KEY, order_id $int NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
                            note TEXT NOT NULL);
   INSERT INTO gift_notes (id, order_id, note) SELECT id, id, 'note ' || id FROM orders;"

# --- the subject and the day: some of their orders past the hold, some not ---
cid=$(q "SELECT c.id FROM customers c
         WHERE EXISTS (SELECT 1 FROM orders g WHERE g.customer_id IS NULL AND g.email = c.email)
           AND (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) >= 2
         ORDER BY c.id LIMIT 1")
[ -n "$cid" ] || fail "fixture: no customer with a guest order and two orders"
email=$(q "SELECT email FROM customers WHERE id = $cid")
phone=$(q "SELECT coalesce(phone, '') FROM customers WHERE id = $cid")
orders="SELECT id FROM orders WHERE customer_id = $cid OR email = '$email'"
n=$(q "SELECT count(*) FROM ($orders) s")
# The day after the hold of the middle order ends (its payment minutes later too).
boundary=$(q "SELECT $(date_after placed_at '+10 years' '+1 day') FROM orders WHERE id IN ($orders)
              ORDER BY placed_at LIMIT 1 OFFSET $(( n / 2 - 1 ))")
export DSR_NOW="${boundary}T12:00:00Z"
held() { echo "$(date_after "$1" '+10 years') > '$boundary'"; }
# One old order paid late: its payment is still held, so the order, though
# past its own hold, must stay (masked) for the payment to refer to.
late=$(q "SELECT o.id FROM orders o JOIN payments p ON p.order_id = o.id
          WHERE o.customer_id = $cid AND NOT ($(held o.placed_at)) ORDER BY o.placed_at LIMIT 1")
[ -n "$late" ] || fail "fixture: no registered order past its hold"
q "UPDATE payments SET paid_at = $(time_after "$boundary" '-10 years' '+30 days') WHERE order_id = $late"

# A ticket to mask, if the generator gave them none.
if [ "$(q "SELECT count(*) FROM support_tickets WHERE customer_id = $cid OR email = '$email'")" -eq 0 ]; then
  q "INSERT INTO support_tickets (id, customer_id, email, subject, body, created_at, status)
     VALUES ((SELECT max(id) + 1 FROM support_tickets), $cid, '$email', 'Sleeve length', 'Please shorten the sleeves',
             '2024-05-17T09:30:00Z', 'closed')"
fi

# --- ground truth: the subject's rows and what must become of each ---------
# One line per row, "table|key|fate", computed here in SQL from the timestamps.
# An order a kept payment, return or item still refers to is kept too (an
# item is kept exactly when its order is held).
order_kept="($(held o.placed_at) OR o.id IN (SELECT order_id FROM payments WHERE $(held paid_at))
                                 OR o.id IN (SELECT order_id FROM returns WHERE $(held requested_at)))"
q "SELECT 'customers', $cid, 'mask';
   SELECT 'orders', o.id, CASE WHEN $order_kept THEN 'keep' ELSE 'delete' END FROM orders o WHERE o.id IN ($orders);
   SELECT 'order_items', i.id, CASE WHEN $(held o.placed_at) THEN 'keep' ELSE 'delete' END
     FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.id IN ($orders);
   SELECT 'payments', id, CASE WHEN $(held paid_at) THEN 'keep' ELSE 'delete' END FROM payments WHERE order_id IN ($orders);
   SELECT 'returns', id, CASE WHEN $(held requested_at) THEN 'keep' ELSE 'delete' END FROM returns WHERE order_id IN ($orders);
   SELECT 'shipments', id, 'delete' FROM shipments WHERE order_id IN ($orders);
   SELECT 'support_tickets', id, 'mask' FROM support_tickets WHERE customer_id = $cid OR email = '$email';
   SELECT 'newsletter_events', id, 'delete' FROM newsletter_events WHERE customer_id = $cid OR email = '$email';
   SELECT 'addresses', id, 'delete' FROM addresses WHERE customer_id = $cid;
   SELECT 'body_measurements', id, 'delete' FROM body_measurements WHERE customer_id = $cid;
   SELECT 'loyalty_ledger', id, 'delete' FROM loyalty_ledger WHERE customer_id = $cid;
   SELECT 'web_sessions', id, 'delete' FROM web_sessions WHERE customer_id = $cid;
   SELECT 'gift_notes', g.id, 'cascade' FROM gift_notes g JOIN orders o ON o.id = g.order_id
     WHERE o.id IN ($orders) AND NOT $order_kept;" >"$DSR_TMP/truth.txt"
# count TABLE FATE: the subject's rows of TABLE whose fate is FATE.
count() { awk -F'|' -v t="$1" -v f="$2" '$1 == t && $3 == f' "$DSR_TMP/truth.txt" | wc -l; }
# subject_keys TABLE [FATE...]: the keys of the subject's rows of TABLE (with one of FATEs), sorted, comma-separated.
subject_keys() {
  local t=$1; shift
  awk -F'|' -v t="$t" -v fates=" $* " '$1 == t && (fates == "  " || index(fates, " " $3 " ")) { print $2 }' \
    "$DSR_TMP/truth.txt" | sort -n | paste -sd,
}
[ "$(count orders keep)" -ge 1 ] || fail "fixture: no held order"
[ "$(count orders delete)" -ge 1 ] || fail "fixture: no order past its hold"
[ "$(q "SELECT count(*) FROM orders WHERE customer_id IS NULL AND email = '$email'")" -ge 1 ] || fail "fixture: no guest order"
[ "$(count support_tickets mask)" -ge 1 ] || fail "fixture: no ticket to mask"

# dump_others FILE: every row of every table that is not the subject's, by key (one query per table, one client).
dump_others() {
  local table select=
  for table in $(q "$tables_sql"); do
    select="$select SELECT '-- $table';
      SELECT * FROM \"$table\" WHERE id NOT IN ($(subject_keys "$table" | grep . || echo -1)) ORDER BY id;"
  done
  q "$select" >"$1"
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
# SQLite's log is emptied into the file; PostgreSQL has no such step for a
# client to take (VACUUM reclaims deleted row versions), and says so with null.
if on_backend postgresql; then
  expect_json '.erasure.residue_removed' 'null'
else
  expect_json '.erasure.residue_removed' 'true'
fi
expect_json '.request_id' "\"$request\""

# The dry run said exactly what the real run did.
[ "$(jq -c .erasure.tables "$DSR_TMP/dry.json")" = "$(jq -c .erasure.tables "$DSR_TMP/real.json")" ] ||
  fail "dry run and real run differ: $(diff <(jq .erasure.tables "$DSR_TMP/dry.json") <(jq .erasure.tables "$DSR_TMP/real.json") | head -20)"
[ "$(jq -c .erasure.totals "$DSR_TMP/dry.json")" = "$(jq -c .erasure.totals "$DSR_TMP/real.json")" ] || fail "totals differ"

# The report's counts are the ground truth's.
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
last_end=$(q "SELECT max($(date_after placed_at '+10 years')) FROM orders WHERE id IN ($orders)")
expect_json '[.erasure.tables[] | select(.table == "orders") | .hold.ends[-1].date]' "[\"$last_end\"]"
expect_json '[.notify[].recipient]' '["payments","carrier","carrier_us","newsletter","workshop"]'
# Children before parents.
expect_json '[.erasure.tables[].table] | (index("order_items") < index("orders")) and (index("loyalty_ledger") < index("orders")) and .[-1] == "customers"' 'true'

# --- exactly the expected rows remain ---------------------------------------
remain_tables="customers orders order_items payments returns shipments support_tickets newsletter_events
               addresses body_measurements loyalty_ledger web_sessions gift_notes"
select=
for table in $remain_tables; do
  select="$select SELECT '$table', id FROM \"$table\" WHERE id IN ($(subject_keys "$table" | grep . || echo -1));"
done
q "$select" >"$DSR_TMP/remaining.txt"
for table in $remain_tables; do
  want=$(subject_keys "$table" keep mask)
  got=$(awk -F'|' -v t="$table" '$1 == t { print $2 }' "$DSR_TMP/remaining.txt" | sort -n | paste -sd,)
  [ "$got" = "$want" ] || fail "$table: rows $got remain, expected $want"
done
check_shop "$shop"

# --- and nothing else changed -----------------------------------------------
dump_others "$DSR_TMP/others.after"
cmp -s "$DSR_TMP/others.before" "$DSR_TMP/others.after" ||
  fail "rows of other subjects changed: $(diff "$DSR_TMP/others.before" "$DSR_TMP/others.after" | head -10)"

# --- the masks have their declared forms --------------------------------------
pseudonym=$(q "SELECT email FROM customers WHERE id = $cid")
[[ $pseudonym =~ ^dsr-[0-9a-f]{32}@erased\.invalid$ ]] || fail "customers.email is '$pseudonym', not a pseudonym"
created_year=$(cut -d'|' -f7 "$DSR_TMP/customer.before" | cut -c1-4)
# (As the backend prints them: SQLite 1, 0 and ISO text; PostgreSQL t, f and timestamptz.)
[ "$(q "SELECT first_name, last_name, phone IS NULL, birth_date IS NULL, created_at, last_login_at IS NULL,
               marketing_opt_in, preferred_language IS NULL FROM customers WHERE id = $cid")" = \
  "$(q "SELECT '[erased]', '[erased]', true, true, $(ts "${created_year}-01-01T00:00:00Z"), true, false, true")" ] ||
  fail "customer masks: $(q "SELECT * FROM customers WHERE id = $cid")"
# SQLite: the redacted "0" is stored as an integer, as the column's other values are.
if on_backend sqlite; then
  [ "$(q "SELECT typeof(marketing_opt_in) FROM customers WHERE id = $cid")" = integer ] ||
    fail "customers.marketing_opt_in is stored as $(q "SELECT typeof(marketing_opt_in) FROM customers WHERE id = $cid")"
fi
# One pseudonym in three tables: the masked rows still join.
[ "$(q "SELECT count(DISTINCT email) FROM (SELECT email FROM orders WHERE id IN (SELECT id FROM orders WHERE customer_id = $cid)
        UNION ALL SELECT email FROM support_tickets WHERE customer_id = $cid OR email = '$pseudonym') e")" = 1 ] ||
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
  IFS='|' read -r new_subject new_body new_created_at want_created_at <<<"$(q "SELECT subject, body, created_at,
      $(ts "${created_at:0:7}-01T00:00:00Z") FROM support_tickets WHERE id = $id")"
  [ "$new_subject" = "[erased]" ] || fail "ticket $id subject not redacted"
  [ "$new_body" != "$body" ] && [[ $new_body =~ ^dsr-[0-9a-f]{32}$ ]] || fail "ticket $id body '$new_body' is not random text"
  [ "$new_created_at" = "$want_created_at" ] || fail "ticket $id created_at not generalised to its month"
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
other=$(q "SELECT customer_id FROM orders WHERE customer_id IS NOT NULL AND customer_id <> $cid AND NOT ($(held placed_at))
           AND id NOT IN (SELECT order_id FROM payments WHERE $(held paid_at))
           AND id NOT IN (SELECT order_id FROM returns WHERE $(held requested_at)) ORDER BY id LIMIT 1")
victim=$(q "SELECT min(id) FROM orders WHERE customer_id = $other AND NOT ($(held placed_at))")

# --- another session holds the subject's rows past --busy-timeout: exit 11, nothing changed
before_lock=$(sha)
if on_backend postgresql; then
  # erase locks the customer's row FOR UPDATE; this session holds it first.
  locker_sql="BEGIN; SELECT 1 FROM customers WHERE id = $other FOR UPDATE; SELECT pg_sleep(4); COMMIT;"
  (sql "$shop" "$locker_sql" >/dev/null) &
  locker=$!
  # Until the row lock is granted (a RowShareLock on customers, held by another backend).
  for _ in $(seq 100); do
    [ "$(q "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = 'customers' AND l.mode = 'RowShareLock' AND l.granted AND l.pid <> pg_backend_pid()")" -ge 1 ] && break
    sleep 0.1
  done
else
  (printf 'BEGIN IMMEDIATE;\nSELECT 1;\n'; sleep 4; printf 'COMMIT;\n') | sqlite3 "$shop" >/dev/null &
  locker=$!
  sleep 1
fi
start=$(date +%s%N)
run_dsr 11 erase "${common[@]}" --subject "customer_id=$other" --yes --busy-timeout 300 --format json
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$locker"
[ "$elapsed_ms" -lt 3000 ] || fail "a locked subject: waited ${elapsed_ms} ms for a 300 ms busy timeout"
if on_backend postgresql; then expect_stderr "lock_timeout 300 ms ran out"; else expect_stderr "database is locked"; fi
[ "$(sha)" = "$before_lock" ] || fail "the erasure that found the subject locked changed the database"

q "CREATE TABLE referrals (id $int PRIMARY KEY, order_id $int REFERENCES orders(id));
   INSERT INTO referrals (id, order_id) VALUES (1, $victim);"
locked=$(sha)
run_dsr 3 erase "${common[@]}" --subject "customer_id=$other" --yes --format json
validate_report
expect_stderr "referrals (a table the policy does not list)"
expect_stderr "nothing was changed"
[ "$(sha)" = "$locked" ] || fail "the refused erasure changed the database file"
[ "$(q "SELECT count(*) FROM orders WHERE customer_id = $other")" -ge 1 ] || fail "the refused erasure deleted orders"
