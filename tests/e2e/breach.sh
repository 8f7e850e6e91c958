# `dsr breach` against the generator's own record of whose rows it wrote
# (--ground-truth for every customer): the people an assessment counts, and
# the contacts a notify list writes, equal what that record says, and the
# records per table equal a plain count of the window; a contact that a
# spreadsheet would run as a formula is neutralised. Then the incident's
# life: deadlines from --discovered-at, list --overdue (exit 9) until the
# authority is recorded as told, close; a dry run records nothing; bad
# scopes are usage errors with a "did you mean" and change nothing; reports
# match the schema and hold no email; the audit chain verifies.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
export LC_ALL=C
customers=300
truth="$DSR_TMP/truth.json"
shop=$(new_shop shop "$customers" --ground-truth "$truth" --ground-truth-customers "$(seq -s, 1 "$customers")")
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
state="$DSR_TMP/state.db"
S=(--policy "$SHOP_POLICY" --state "$state" --keys "$DSR_TMP/keys")
D=("${S[@]}" --db "$shop")

# expected_people TABLE KEYS_FILE: how many registered customers own a row of
# TABLE whose key is in KEYS_FILE, according to the generator's record.
expected_people() {
  python3 - "$truth" "$1" "$2" <<'PY'
import json, sys
truth, table, keys = json.load(open(sys.argv[1])), sys.argv[2], set(open(sys.argv[3]).read().split())
print(sum(1 for s in truth["subjects"] if keys & {str(k) for k in s["tables"][table]}))
PY
}

# --- all web sessions of March 2026 -------------------------------------------------
since=$(date -u -d 2026-03-01 +%s) until=$(date -u -d 2026-04-01 +%s)
sql "$shop" "SELECT id FROM web_sessions WHERE started_at >= $((since * 1000)) AND started_at < $((until * 1000))" \
  >"$DSR_TMP/march.keys"
rows=$(wc -l <"$DSR_TMP/march.keys")
[ "$rows" -gt 5 ] || fail "fixture: only $rows web sessions in March 2026"
people=$(expected_people web_sessions "$DSR_TMP/march.keys")
run_dsr 0 breach assess "${D[@]}" --scope web_sessions --since 2026-03-01 --until 2026-04-01 \
  --discovered-at 2026-12-05T09:30:00Z --format json
validate_report
expect_json '.breach.incident' '"B-2026-000001"'
expect_json '.breach.subjects' "{\"total\":$people,\"registered\":$people,\"guests\":0}"
expect_json '.breach.records' "[{\"table\":\"web_sessions\",\"rows\":$rows}]"
expect_json '[.breach.categories[] | .category]' '["online_identifier"]'
expect_json '.breach.risk.level' '"normal"'
expect_json '[.breach.deadlines[] | [.notify, .due]]' '[["authority","2026-12-08T09:30:00Z"]]'
expect_json '.breach.scope.tables[0].time_column' '{"table":"web_sessions","column":"started_at","format":"unix_millis"}'

# --- every guest and customer email, with the payments --------------------------------
# Rows of nobody in the record are guest orders; their distinct emails are the guests.
python3 - "$truth" <(sql "$shop" "SELECT o.id, o.email FROM orders o") \
  <(sql "$shop" "SELECT p.id, p.order_id FROM payments p") >"$DSR_TMP/expected.txt" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))
orders = dict(line.rstrip("\n").split("|", 1) for line in open(sys.argv[2]))
payments = dict(line.rstrip("\n").split("|", 1) for line in open(sys.argv[3]))
owned_orders = {str(k) for s in truth["subjects"] for k in s["tables"]["orders"]}
owned_payments = {str(k) for s in truth["subjects"] for k in s["tables"]["payments"]}
registered = [s for s in truth["subjects"]
              if any(orders.get(str(k)) for k in s["tables"]["orders"]) or s["tables"]["payments"]]
guest_orders = [o for o in orders if o not in owned_orders and orders[o]]
guest_orders += [payments[p] for p in payments if p not in owned_payments]
guests = {orders[o] for o in guest_orders if orders.get(o)}
print(len(registered), len(guests), len(orders) - sum(1 for e in orders.values() if not e), len(payments))
for email in sorted({s["email"] for s in registered} | guests):
    print(email)
PY
read -r registered guests order_rows payment_rows <"$DSR_TMP/expected.txt"
[ "$guests" -gt 0 ] || fail "fixture: no guest orders"
run_dsr 0 breach assess "${D[@]}" --scope orders.email --scope payments --note "laptop left on a train"
validate_report
expect_json '.breach.incident' '"B-2026-000002"'
expect_json '.breach.subjects' "{\"total\":$((registered + guests)),\"registered\":$registered,\"guests\":$guests}"
expect_json '[.breach.records[] | .rows]' "[$order_rows,$payment_rows]"
expect_json '.breach.risk.level' '"high"'
expect_json '[.breach.categories[] | [.category, .sensitive]]' '[["contact",false],["payment",true]]'
expect_json '[.breach.recipients[] | .id] | length > 0' 'true'
grep -qF '@' "$DSR_TMP/out.json" && fail "the assessment report holds an email address"

# The notify list: exactly the expected emails, one a line after the header, 0600.
run_dsr 0 breach notify-list "${D[@]}" --incident B-2026-000002 --output "$DSR_TMP/notify.csv"
validate_report
expect_json '[.notify_list.subjects, .notify_list.written, .notify_list.unreachable]' \
  "[$((registered + guests)),$((registered + guests)),0]"
[ "$(stat -c %a "$DSR_TMP/notify.csv")" = 600 ] || fail "notify list is not mode 0600"
[ "$(head -n 1 "$DSR_TMP/notify.csv" | tr -d '\r')" = email ] || fail "notify list header is not 'email'"
tail -n +2 "$DSR_TMP/notify.csv" | tr -d '\r' | sort >"$DSR_TMP/got.txt"
tail -n +2 "$DSR_TMP/expected.txt" >"$DSR_TMP/want.txt"
cmp -s "$DSR_TMP/got.txt" "$DSR_TMP/want.txt" || fail "notify list differs: $(diff "$DSR_TMP/got.txt" "$DSR_TMP/want.txt" | head -5)"
grep -qF '@' "$DSR_TMP/out.json" "$DSR_TMP/err.txt" && fail "the notify-list report or stderr holds an email address"
# An existing file is refused and kept.
before=$(sha256sum <"$DSR_TMP/notify.csv")
run_dsr 12 breach notify-list "${D[@]}" --incident B-2026-000002 --output "$DSR_TMP/notify.csv"
[ "$(sha256sum <"$DSR_TMP/notify.csv")" = "$before" ] || fail "an existing notify list was changed"
# A policy that names no notify columns gets no list, and no file.
sed -e '/^breach:$/d' -e '/^  notify: \[customers.email\]$/d' "$SHOP_POLICY" >"$DSR_TMP/no-notify.yaml"
run_dsr 3 breach notify-list --policy "$DSR_TMP/no-notify.yaml" --state "$state" --keys "$DSR_TMP/keys" \
  --db "$shop" --incident B-2026-000002 --output "$DSR_TMP/none.csv"
expect_stderr "breach: notify"
[ ! -e "$DSR_TMP/none.csv" ] || fail "a refused notify list left a file"
# Encrypted to an age recipient: age decrypts it to the same list.
age-keygen -o "$DSR_TMP/age.key" 2>/dev/null
run_dsr 0 breach notify-list "${D[@]}" --incident B-2026-000002 --output "$DSR_TMP/notify.csv.age" \
  --encrypt-to "$(age-keygen -y "$DSR_TMP/age.key")"
expect_json '.notify_list.encrypted' 'true'
age -d -i "$DSR_TMP/age.key" "$DSR_TMP/notify.csv.age" | cmp -s - "$DSR_TMP/notify.csv" ||
  fail "the encrypted notify list does not decrypt to the plain one"

# Staff open the list in a spreadsheet: a contact it would run as a formula
# gets an apostrophe first; one that only looks like a telephone number does not.
first=$(sed -n 1p "$DSR_TMP/want.txt") second=$(sed -n 2p "$DSR_TMP/want.txt")
for table in customers orders; do
  sql "$shop" "UPDATE $table SET email = '=2+5' WHERE email = '$first'"
  sql "$shop" "UPDATE $table SET email = '+44 20 7946 0958' WHERE email = '$second'"
done
run_dsr 0 breach notify-list "${D[@]}" --incident B-2026-000002 --output "$DSR_TMP/formulas.csv"
tail -n +2 "$DSR_TMP/formulas.csv" | tr -d '\r' >"$DSR_TMP/formulas.txt"
grep -qxF "'=2+5" "$DSR_TMP/formulas.txt" || fail "a formula in the notify list was not neutralised"
grep -qxF "+44 20 7946 0958" "$DSR_TMP/formulas.txt" || fail "a telephone-like contact was changed"
[ "$(wc -l <"$DSR_TMP/formulas.txt")" = "$(wc -l <"$DSR_TMP/want.txt")" ] || fail "the notify list changed length"

# --- deadlines and the incident's life ----------------------------------------------
run_dsr 0 breach assess "${D[@]}" --scope customers --dry-run
expect_json '.breach.incident' 'null'
DSR_NOW=2026-12-08T09:00:00Z run_dsr 0 breach list "${S[@]}" --overdue
expect_json '.incidents' '[]'
DSR_NOW=2026-12-08T10:00:00Z run_dsr 9 breach list "${S[@]}" --overdue
validate_report
expect_json '[.incidents[] | .id]' '["B-2026-000001"]'
run_dsr 0 breach list "${S[@]}"
expect_json '[.incidents[] | .id]' '["B-2026-000001","B-2026-000002"]'  # the dry run recorded nothing
run_dsr 0 breach notified "${S[@]}" --incident B-2026-000001 --to authority --at 2026-12-07T12:00:00Z \
  --reference DPC-4711
validate_report
expect_json '[.incident.authority_notified_at, .incident.authority_reference]' '["2026-12-07T12:00:00Z","DPC-4711"]'
DSR_NOW=2026-12-08T10:00:00Z run_dsr 0 breach list "${S[@]}" --overdue
expect_json '.incidents' '[]'
run_dsr 0 breach close "${S[@]}" --incident B-2026-000001
validate_report
expect_json '.incident.status' '"closed"'
run_dsr 2 breach close "${S[@]}" --incident B-2026-000001
run_dsr 4 breach notified "${S[@]}" --incident B-2026-000099 --to subjects
validate_report

# --- bad scopes: usage errors that change nothing ------------------------------------
sql "$shop" "SELECT count(*) FROM customers; SELECT count(*) FROM web_sessions" >"$DSR_TMP/counts.before"
run_dsr 2 breach assess "${D[@]}" --scope web_session
expect_stderr "did you mean 'web_sessions'"
run_dsr 2 breach assess "${D[@]}" --scope customers.emai
expect_stderr "did you mean 'email'"
run_dsr 2 breach assess "${D[@]}" --scope customers --since 2026-01-01
expect_stderr "--time-column customers.COLUMN"
run_dsr 2 breach assess "${D[@]}" --scope web_sessions --since 2026-13-01
run_dsr 2 breach assess "${D[@]}" --scope web_sessions --since 2026-04-01 --until 2026-03-01
validate_report
sql "$shop" "SELECT count(*) FROM customers; SELECT count(*) FROM web_sessions" | cmp -s - "$DSR_TMP/counts.before" ||
  fail "a refused assessment changed the shop"
# A window on the customers' own creation date, named explicitly.
sql "$shop" "SELECT count(*) FROM customers WHERE created_at >= '2026-01-01'" >"$DSR_TMP/new.count"
run_dsr 0 breach assess "${D[@]}" --scope customers.email --since 2026-01-01 --time-column customers.created_at --dry-run
expect_json '.breach.subjects.registered' "$(cat "$DSR_TMP/new.count")"

# --- nothing personal in the state store; the audit chain verifies ---------------------
sqlite3 "$state" .dump | grep -qF '@' && fail "the state store holds an email address"
run_dsr 0 audit verify "${S[@]}"
run_dsr 0 audit show "${S[@]}" --format json
expect_json '[.entries[] | select(.command == "breach assess" and .phase == "done") | .request_id]' \
  '["B-2026-000001","B-2026-000002",null,null]'
echo "ok"
