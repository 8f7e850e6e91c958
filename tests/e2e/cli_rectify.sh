# `dsr rectify`: exactly the named fields of the subject's rows change, and
# rows linked by an old email follow the new one (the subject is found under
# it, nothing under the old); every other byte of data stays; a value failing
# its rule, a non-rectifiable column or a malformed --set is refused (exit 2)
# naming the column, never the value, and changes nothing; a dry run changes
# nothing; a kill at any statement leaves the shop before or after, never
# between; the audit log holds keyed hashes, never a value.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop 300)
common=(--policy "$SHOP_POLICY" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-20T10:00:00Z
q() { sql "$shop" "$1"; }
# shop_sha: a hash of the shop: of the SQLite file, byte for byte, or of the
# PostgreSQL database's full dump.
shop_sha() {
  if on_backend sqlite; then
    sha256sum <"$shop" | cut -d' ' -f1
  else
    dump_shop "$shop" | sha256sum | cut -d' ' -f1
  fi
}
# rectify EXPECTED_EXIT ARGS...: never on a terminal, so never a prompt.
rectify() { local want=$1; shift; run_dsr "$want" rectify "${common[@]}" "$@" </dev/null; }
# unchanged_since SHA WHAT: the shop is what it was (the SQLite file byte for byte).
unchanged_since() {
  local now
  now=$(shop_sha)
  [ "$now" = "$1" ] || fail "$2 changed the database"
}
# no_value_in FILES...: none of the values this test typed or replaced appear.
no_value_in() {
  local v
  for v in "${values[@]}"; do
    if cat "$@" | grep -a -q -F -- "$v"; then fail "a value reached $*: $v"; fi
  done
}

# A customer who also ordered as a guest under the same email.
cid=150
old_email=$(q "SELECT email FROM customers WHERE id = $cid")
old_first=$(q "SELECT first_name FROM customers WHERE id = $cid")
[ "$(q "SELECT count(*) FROM orders WHERE customer_id IS NULL AND email = '$old_email'")" -ge 1 ] ||
  fail "fixture: customer $cid has no guest order"
[ "$(q "SELECT count(*) FROM newsletter_events WHERE email = '$old_email'")" -ge 1 ] ||
  fail "fixture: customer $cid has no newsletter event"
new_email="ana-maria.rectified@example.org"
new_first="Ana-María"
values=("$old_email" "$new_email" "$old_first" "$new_first" "${new_email^^}")
orders_before=$(q "SELECT id FROM orders WHERE customer_id = $cid OR email = '$old_email' ORDER BY id" | paste -sd,)
n_orders=$(q "SELECT count(*) FROM orders WHERE email = '$old_email'")
n_tickets=$(q "SELECT count(*) FROM support_tickets WHERE email = '$old_email'")
n_events=$(q "SELECT count(*) FROM newsletter_events WHERE email = '$old_email'")

# What the shop must look like afterwards: the same statements by hand on a copy.
expected=$(copy_shop "$shop" expected)
sql "$expected" "
  UPDATE customers SET first_name = '$new_first', email = '$new_email' WHERE id = $cid;
  UPDATE orders SET email = '$new_email' WHERE email = '$old_email';
  UPDATE support_tickets SET email = '$new_email' WHERE email = '$old_email';
  UPDATE newsletter_events SET email = '$new_email' WHERE email = '$old_email';"
dump_shop "$expected" >"$DSR_TMP/expected.sql"
dump_shop "$shop" >"$DSR_TMP/before.sql"
cmp -s "$DSR_TMP/expected.sql" "$DSR_TMP/before.sql" && fail "fixture: the expected change changes nothing"
sets=(--set "customers.first_name=$new_first" --set "customers.email=  ${new_email^^} ")

# --- a dry run counts exactly, changes nothing ---------------------------------
before=$(shop_sha)
rectify 0 --subject customer_id=$cid "${sets[@]}" --dry-run --format json
validate_report
expect_json '[.status, .dry_run, .command]' '["ok",true,"rectify"]'
expect_json '[.fields[] | [.table, .column, .rows, .rows_changed, .identity]]' \
  '[["customers","first_name",1,1,null],["customers","email",1,1,"email"]]'
expect_json '[.followed[] | [.table, .rows_changed]]' \
  "[[\"orders\",$n_orders],[\"support_tickets\",$n_tickets],[\"newsletter_events\",$n_events]]"
cp "$DSR_TMP/out.json" "$DSR_TMP/dry.json"
unchanged_since "$before" "a dry run"
no_value_in "$DSR_TMP/out.json" "$DSR_TMP/err.txt"

# --- the real run -------------------------------------------------------------
rectify 0 --subject customer_id=$cid "${sets[@]}" --format json
validate_report
expect_json '[.status, .dry_run, .counts.rows_changed]' "[\"ok\",false,$((2 + n_orders + n_tickets + n_events))]"
# The dry run's report is the real run's, counts and hashes alike.
for f in .fields .followed .counts .notify; do
  [ "$(jq -c "$f" "$DSR_TMP/out.json")" = "$(jq -c "$f" "$DSR_TMP/dry.json")" ] || fail "dry run and run differ in $f"
done
# GDPR Art. 19: whoever receives contact or identity data is to be told.
expect_json '[.notify[].recipient]' '["payments","carrier","carrier_us","newsletter","workshop"]'
expect_json '[.notify[] | select(.recipient == "workshop") | .categories]' '[["identity"]]'
no_value_in "$DSR_TMP/out.json" "$DSR_TMP/err.txt"
cp "$DSR_TMP/out.json" "$DSR_TMP/done.json"
dump_shop "$shop" >"$DSR_TMP/after.sql"
diff "$DSR_TMP/expected.sql" "$DSR_TMP/after.sql" >"$DSR_TMP/dump.diff" ||
  fail "the shop differs from the expected change: $(head -c 1500 "$DSR_TMP/dump.diff")"
check_shop "$shop"
[ "$(q "SELECT email FROM customers WHERE id = $cid")" = "$new_email" ] || fail "the email is not stored normalised"

# The subject is found under the new email, with every order; the old finds nothing.
run_dsr 0 access "${common[@]}" --subject "email=$new_email" --format json
[ "$(jq -r '[.tables[] | select(.table == "orders") | .rows[].id] | sort | join(",")' "$DSR_TMP/out.json")" = "$orders_before" ] ||
  fail "orders under the new email are not the subject's orders"
expect_json '[.tables[] | select(.table == "support_tickets" or .table == "newsletter_events") | .row_count]' \
  "[$n_tickets,$n_events]"
run_dsr 4 access "${common[@]}" --subject "email=$old_email" --format json
[ "$(q "SELECT count(*) FROM orders WHERE email = '$old_email'")" = 0 ] || fail "an order kept the old email"

# Again: nothing left to change, and the file is untouched. The old value's
# hash is now the new one: equal values hash equal.
after=$(shop_sha)
rectify 0 --subject "email=$new_email" "${sets[@]}" --format json
expect_json '[.counts.rows_changed, [.fields[].rows_changed]]' '[0,[0,0]]'
expect_json '.notify' '[]'
[ "$(jq -c '[.fields[].old_values[0].hash]' "$DSR_TMP/out.json")" = "$(jq -c '[.fields[].new_hash]' "$DSR_TMP/done.json")" ] ||
  fail "the stored value's hash is not the hash reported as new"
unchanged_since "$after" "a rectification to the same values"

# --- refused: wrong values, non-rectifiable columns, malformed --set ----------
long=$(printf 'é%.0s' $(seq 101))          # 101 code points
fits=$(printf 'é%.0s' $(seq 100))          # 100 code points, 200 bytes: fits max_length 100
values+=("bad-address.example.org" "1991-02-31" "$long" "+353 CALL ME")
refuse() {  # MESSAGE SETS...: exit 2 with MESSAGE, the shop untouched, no value echoed
  local message=$1; shift
  local sha typed
  sha=$(shop_sha)
  rectify 2 --subject customer_id=$cid "$@" --format json
  expect_stderr "$message"
  expect_json '[.status, .error.exit_status]' '["error",2]'
  validate_report
  no_value_in "$DSR_TMP/out.json" "$DSR_TMP/err.txt"
  typed=${*: -1}  # the last --set's value
  [[ $typed == *=* ]] && typed=${typed#*=}
  if [ "${#typed}" -ge 3 ] && grep -q -F -- "$typed" "$DSR_TMP/out.json" "$DSR_TMP/err.txt"; then
    fail "the refusal of '$message' repeats the value"
  fi
  unchanged_since "$sha" "a refused rectification ($message)"
}
refuse "customers.email: not a valid email address" --set customers.email=bad-address.example.org
refuse "customers.birth_date: not a calendar date" --set customers.birth_date=1991-02-31
refuse "body_measurements.chest_cm: above the maximum of 250" --set body_measurements.chest_cm=251.5
refuse "body_measurements.chest_cm: not a decimal number" --set body_measurements.chest_cm=82,5
refuse "customers.preferred_language: not one of the allowed values" --set customers.preferred_language=tlh
refuse "customers.first_name: longer than 100 characters" --set "customers.first_name=$long"
refuse "customers.phone: not a phone number" --set "customers.phone=+353 CALL ME"
refuse "addresses.country: not an ISO 3166-1 alpha-2 country code" --set addresses.country=XK
# One bad value among good ones: nothing is written at all.
refuse "customers.birth_date: not a calendar date" --set "customers.last_name=$fits" --set customers.birth_date=1991-02-31
refuse "customers.created_at is not rectifiable" --set customers.created_at=2020-01-01T00:00:00Z
expect_stderr "rectifiable columns: customers.email, customers.first_name"
refuse "customers.marketing_opt_in is not rectifiable" --set customers.marketing_opt_in=1
refuse "customers.id is the table's key" --set customers.id=7
refuse "orders.customer_id links rows to the subject" --set orders.customer_id=7
refuse "--set must be TABLE.COLUMN=VALUE" --set "customers.last_name"
refuse "--set must be TABLE.COLUMN=VALUE" --set "$old_email"
refuse "customers.first_name is set twice" --set customers.first_name=A --set customers.first_name=B
# The new email of another registered customer would make one identity name two people.
other=$(q "SELECT email FROM customers WHERE id = 10")
values+=("$other")
refuse "customers.email: the new value already identifies another registered subject" --set "customers.email=$other"
# Code points, not bytes: 100 two-byte characters fit a max_length of 100.
rectify 0 --subject customer_id=$cid --set "customers.last_name=$fits" --format json
[ "$(q "SELECT length(last_name) FROM customers WHERE id = $cid")" = 100 ] || fail "last_name not stored whole"
values+=("$fits")

# --- not found, ambiguous -----------------------------------------------------
sha=$(shop_sha)
rectify 4 --subject email=nobody@example.invalid --set customers.first_name=Nobody --format json
expect_json '.status' '"not_found"'
validate_report
phone=$(q "SELECT phone FROM customers WHERE phone IS NOT NULL GROUP BY phone HAVING count(*) > 1 LIMIT 1")
rectify 5 --subject "phone=$phone" --set customers.first_name=Shared --format json
expect_json '.status' '"ambiguous"'
validate_report
unchanged_since "$sha" "not found and ambiguous runs"

# --- a guest: the email on their orders is their identity ----------------------
guest=$(q "SELECT email FROM orders WHERE customer_id IS NULL AND email NOT IN (SELECT email FROM customers)
           AND email IN (SELECT email FROM support_tickets) LIMIT 1")
[ -n "$guest" ] || fail "fixture: no guest with an order and a ticket"
guest_orders=$(q "SELECT count(*) FROM orders WHERE email = '$guest'")
guest_tickets=$(q "SELECT count(*) FROM support_tickets WHERE email = '$guest'")
values+=("$guest" "guest.rectified@example.net")
rectify 0 --subject "email=$guest" --set orders.email=guest.rectified@example.net --format json
validate_report
expect_json '[.subject.registered_matches, .fields[0].rows_changed, ([.followed[] | select(.table == "support_tickets") | .rows_changed][0])]' \
  "[0,$guest_orders,$guest_tickets]"
run_dsr 0 access "${common[@]}" --subject email=guest.rectified@example.net --format json
expect_json '[.tables[] | select(.table == "orders" or .table == "support_tickets") | .row_count]' "[$guest_orders,$guest_tickets]"

# --- a request answered -------------------------------------------------------
"$DSR" request open --policy "$SHOP_POLICY" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" \
    --type rectify --subject customer_id=$cid >/dev/null
request=$("$DSR" request list --policy "$SHOP_POLICY" --state "$DSR_TMP/state.db" --format json | jq -r '.requests[0].id')
rectify 0 --subject customer_id=$cid --set customers.birth_date=1991-02-28 --request "$request" --format json
expect_json '.request_id' "\"$request\""
run_dsr 0 request show --policy "$SHOP_POLICY" --state "$DSR_TMP/state.db" --id "$request" --format json
expect_json '.request.status' '"closed"'
[ "$(q "SELECT birth_date FROM customers WHERE id = $cid")" = 1991-02-28 ] || fail "birth_date not stored"
values+=("1991-02-28")

# --- the audit log: field names, counts and keyed hashes, never a value ---------
run_dsr 0 audit verify --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" --format json
"$DSR" audit show --state "$DSR_TMP/state.db" --format jsonl >"$DSR_TMP/audit.jsonl"
done_entry=$(jq -c 'select(.command == "rectify" and .phase == "done" and .dry_run == false and .summary.rows_changed > 2)' \
  "$DSR_TMP/audit.jsonl" | head -n1)
[ "$(jq -c '[.summary.fields[] | .field]' <<<"$done_entry")" = '["customers.first_name","customers.email"]' ] ||
  fail "the done entry does not name the fields: $done_entry"
[ "$(jq -c '[.summary.fields[].new_hash]' <<<"$done_entry")" = "$(jq -c '[.fields[].new_hash]' "$DSR_TMP/done.json")" ] ||
  fail "the audit's hashes are not the report's"
[ "$(jq -c '[.summary.fields[].old_hashes[0]]' <<<"$done_entry")" = "$(jq -c '[.fields[].old_values[0].hash]' "$DSR_TMP/done.json")" ] ||
  fail "the audit's old hashes are not the report's"
[ "$(jq -s '[.[] | select(.command == "rectify" and .phase == "intent") | .summary.fields | length > 0] | all' "$DSR_TMP/audit.jsonl")" = true ] ||
  fail "the intent entries do not name the fields"
[ "$(jq -c 'select(.command == "rectify" and .phase == "failed")' "$DSR_TMP/audit.jsonl" | wc -l)" -ge 2 ] ||
  fail "the ambiguous and refused-after-lookup runs are not in the audit log as failed"
no_value_in "$DSR_TMP/audit.jsonl" "$DSR_TMP/state.db"*

# --- a kill after any statement leaves the shop before or after ---------------
# DSR_FAULT=K kills dsr with SIGKILL after its K-th data-changing statement
# (the commit counts as one): first_name, email, three followers, commit.
crash_orig=$(new_shop crash_orig 300)
dump_shop "$crash_orig" >"$DSR_TMP/crash-before.sql"
crash_email=$(sql "$crash_orig" "SELECT email FROM customers WHERE id = $cid")
values+=("$crash_email")
crash_expected=$(copy_shop "$crash_orig" crash_expected)
sql "$crash_expected" "
  UPDATE customers SET first_name = '$new_first', email = '$new_email' WHERE id = $cid;
  UPDATE orders SET email = '$new_email' WHERE email = '$crash_email';
  UPDATE support_tickets SET email = '$new_email' WHERE email = '$crash_email';
  UPDATE newsletter_events SET email = '$new_email' WHERE email = '$crash_email';"
dump_shop "$crash_expected" >"$DSR_TMP/crash-after.sql"
seen_before=0 seen_after_kill=0
for k in 1 2 3 4 5 6 7; do
  [ -z "${crash:-}" ] || drop_shop "$crash"
  crash=$(copy_shop "$crash_orig" crash)
  crash_args=(--policy "$SHOP_POLICY" --db "$crash" --state "$DSR_TMP/crash-state.db" --keys "$DSR_TMP/keys")
  status=0
  # (the braces' 2>/dev/null also silences bash's "Killed" notice)
  { DSR_FAULT=$k "$DSR" rectify "${crash_args[@]}" --subject customer_id=$cid "${sets[@]}" --format json \
      </dev/null >/dev/null 2>&1; } 2>/dev/null || status=$?
  dump_shop "$crash" >"$DSR_TMP/crash-now.sql"
  check_shop "$crash" || fail "DSR_FAULT=$k: the shop is damaged"
  if cmp -s "$DSR_TMP/crash-now.sql" "$DSR_TMP/crash-before.sql"; then
    [ "$status" = 137 ] || fail "DSR_FAULT=$k: unchanged shop but exit $status"
    seen_before=$((seen_before + 1))
    # A re-run completes the job, and its intent refers to the killed attempt.
    "$DSR" rectify "${crash_args[@]}" --subject customer_id=$cid "${sets[@]}" --format json </dev/null >/dev/null ||
      fail "DSR_FAULT=$k: the re-run failed"
    "$DSR" audit show --state "$DSR_TMP/crash-state.db" --format jsonl >"$DSR_TMP/crash-audit.jsonl"
    [ "$(jq -s -c '[.[] | select(.phase == "intent")] | last | (.refers_to != null)' "$DSR_TMP/crash-audit.jsonl")" = true ] ||
      fail "DSR_FAULT=$k: the re-run's intent does not refer to the killed attempt"
    dump_shop "$crash" >"$DSR_TMP/crash-now.sql"
  elif [ "$status" = 137 ]; then
    seen_after_kill=$((seen_after_kill + 1))  # killed right after the commit
  fi
  cmp -s "$DSR_TMP/crash-now.sql" "$DSR_TMP/crash-after.sql" ||
    fail "DSR_FAULT=$k (exit $status): the shop is neither before nor after the rectification"
  rm -f "$DSR_TMP/crash-state.db"*
done
# Five updates then the commit: kills before it undo everything, the kill
# after it keeps everything, and the seventh statement never comes.
[ "$seen_before" = 5 ] && [ "$seen_after_kill" = 1 ] && [ "$status" = 0 ] ||
  fail "DSR_FAULT: $seen_before kills before the commit, $seen_after_kill after, last exit $status; expected 5, 1, 0"
echo "PASS: cli rectify"
