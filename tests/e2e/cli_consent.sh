# `dsr consent grant|withdraw|show`: the ledger keeps every grant and
# withdrawal with its time and source, across the identities a person is
# named by; the mirror column changes and nothing else in the shop does;
# a dry run writes nothing; a withdrawal names the recipients to tell; a
# purpose not under consent, a source naming a person and an ambiguous
# identity are refused and write nothing; a kill leaves the shop and the
# ledger before or after; the audit log verifies and, like the state file
# and the reports, never holds the email; the ledger refuses changes.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop 300)
state="$DSR_TMP/state.db"
common=(--policy "$SHOP_POLICY" --db "$shop" --state "$state" --keys "$DSR_TMP/keys")
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
q() { sql "$shop" "$1"; }
ledger_count() { sqlite3 "$state" "SELECT count(*) FROM consent_ledger"; }
# shop_sha: a hash of the shop: of the SQLite file, byte for byte, or of the
# PostgreSQL database's full dump.
shop_sha() {
  if on_backend sqlite; then
    sha256sum <"$shop" | cut -d' ' -f1
  else
    dump_shop "$shop" | sha256sum | cut -d' ' -f1
  fi
}
# opt_in: the subject's mirror column as 1 or 0 (an integer in SQLite, a boolean in PostgreSQL).
opt_in() { q "SELECT CASE WHEN marketing_opt_in THEN 1 ELSE 0 END FROM customers WHERE id = $cid"; }
reports="$DSR_TMP/reports.jsonl"
: >"$reports"
# consent EXPECTED_EXIT ARGS...: one run, its JSON report kept for the final grep.
consent() {
  local want=$1; shift
  run_dsr "$want" consent "$@" "${common[@]}" --format json
  cat "$DSR_TMP/out.json" >>"$reports"
  [ ! -s "$DSR_TMP/out.json" ] || validate_report
}

cid=141
email=$(q "SELECT email FROM customers WHERE id = $cid")
[ "$(opt_in)" = 0 ] || fail "fixture: customer $cid has opted in"
dump_shop "$shop" >"$DSR_TMP/before.sql"

# --- the history: grant, withdraw under another identity, grant again --------
DSR_NOW=2026-11-20T09:00:00Z consent 0 grant --subject "email=$email" --purpose marketing --source "web form"
expect_json '[.command, .status, .dry_run, .consent.action, .consent.changed, .consent.repeated]' \
  '["consent grant","ok",false,"granted",true,false]'
expect_json '[.consent.previous.consents, .consent.previous.by_default, .consent.current.consents]' '[false,true,true]'
expect_json '[.consent.entry.seq, .consent.entry.at, .consent.entry.source, .consent.entry.under_current_policy]' \
  '[1,"2026-11-20T09:00:00Z","web form",true]'
expect_json '.consent.mirror' '{"table":"customers","column":"marketing_opt_in","rows":1,"rows_changed":1}'
expect_json '.notify' '[]'
[ "$(jq -r .consent.entry.policy_sha256 "$DSR_TMP/out.json")" = "$(sha256sum <"$SHOP_POLICY" | cut -d' ' -f1)" ] ||
  fail "the entry does not carry the policy's SHA-256"
if on_backend sqlite; then
  [ "$(q "SELECT typeof(marketing_opt_in) || ':' || marketing_opt_in FROM customers WHERE id = $cid")" = integer:1 ] ||
    fail "the mirror column is not the integer 1 after the grant"
else
  [ "$(q "SELECT pg_typeof(marketing_opt_in) || ':' || marketing_opt_in FROM customers WHERE id = $cid")" = boolean:true ] ||
    fail "the mirror column is not true after the grant"
fi
ledger_subject=$(jq -r .consent.entry.subject "$DSR_TMP/out.json")

# Exactly the mirror column of the subject's row changed, nothing else.
expected=$(copy_shop "$shop" expected)
sql "$expected" "UPDATE customers SET marketing_opt_in = false WHERE id = $cid"
dump_shop "$expected" >"$DSR_TMP/expected.sql"
diff "$DSR_TMP/before.sql" "$DSR_TMP/expected.sql" >/dev/null || fail "the grant changed more than the mirror column"

DSR_NOW=2026-11-21T10:30:00Z consent 0 withdraw --subject "customer_id=$cid" --purpose marketing --source "email to support"
expect_json '[.consent.action, .consent.changed, .consent.previous.action, .consent.current.consents]' \
  '["withdrawn",true,"granted",false]'
expect_json '.consent.mirror.rows_changed' '1'
# The subject's entries share one pseudonym, whichever identity named them.
expect_json '.consent.entry.subject' "\"$ledger_subject\""
# Withdrawal takes effect for the purpose: the newsletter service is told.
expect_json '[.notify[] | [.recipient, .categories]]' '[["newsletter",["contact","marketing_preferences"]]]'
[ "$(opt_in)" = 0 ] || fail "the mirror column is not 0 after the withdrawal"
dump_shop "$shop" >"$DSR_TMP/after.sql"
diff "$DSR_TMP/before.sql" "$DSR_TMP/after.sql" >"$DSR_TMP/dump.diff" ||
  fail "grant then withdraw left the shop changed: $(head -c 1000 "$DSR_TMP/dump.diff")"

DSR_NOW=2026-11-22T18:45:00Z consent 0 grant --subject "email=${email^^}" --purpose marketing --source phone
expect_json '[.consent.entry.seq, .consent.previous.action, .consent.changed]' '[3,"withdrawn",true]'

consent 0 show --subject "customer_id=$cid" --purpose marketing
expect_json '[.status, (.consents | length), .consents[0].purpose, .consents[0].kind, .consents[0].separate]' \
  '["ok",1,"marketing","opt_in",false]'
expect_json '[.consents[0].history[] | [.seq, .at, .action, .source]]' \
  '[[1,"2026-11-20T09:00:00Z","granted","web form"],[2,"2026-11-21T10:30:00Z","withdrawn","email to support"],[3,"2026-11-22T18:45:00Z","granted","phone"]]'
expect_json '[.consents[0].current.consents, .consents[0].current.action, .consents[0].current.seq]' '[true,"granted",3]'
expect_json '.consents[0].mirror' '{"table":"customers","column":"marketing_opt_in","rows":1,"rows_out_of_step":0}'
# Without --purpose: every purpose under consent, made_to_measure never granted.
consent 0 show --subject "email=$email"
expect_json '[.consents[] | [.purpose, .current.consents, .current.by_default, (.history | length)]]' \
  '[["marketing",true,false,3],["made_to_measure",false,true,0]]'
run_dsr 0 consent show --subject "email=$email" "${common[@]}" --format text
grep -q "withdrawn  email to support" "$DSR_TMP/out.json" || fail "the text history lacks the withdrawal"

# --- a repeated grant: recorded again as evidence, the shop untouched ----------
sha=$(shop_sha)
DSR_NOW=2026-11-23T08:00:00Z consent 0 grant --subject "email=$email" --purpose marketing --source "preference centre"
expect_json '[.consent.entry.seq, .consent.repeated, .consent.changed, .consent.mirror.rows_changed]' '[4,true,false,0]'
[ "$(shop_sha)" = "$sha" ] || fail "a repeated grant changed the shop"

# --- a dry run writes nothing ----------------------------------------------------
n=$(ledger_count)
consent 0 withdraw --subject "email=$email" --purpose marketing --source unsubscribe --dry-run
expect_json '[.dry_run, .consent.entry.seq, .consent.current.consents, .consent.mirror.rows_changed, (.notify | length)]' \
  '[true,null,false,1,1]'
[ "$(ledger_count)" = "$n" ] || fail "a dry run wrote to the ledger"
[ "$(shop_sha)" = "$sha" ] || fail "a dry run changed the shop"
[ "$(opt_in)" = 1 ] || fail "a dry run changed the mirror"

# --- someone not registered: recorded, no row to mirror --------------------------
consent 0 grant --subject email=newsletter.only@example.org --purpose marketing --source "web form"
expect_json '[.subject.registered_matches, .consent.mirror.rows, .consent.entry.seq]' "[0,0,$((n + 1))]"
[ "$(shop_sha)" = "$sha" ] || fail "a grant for someone not registered changed the shop"

# --- refused: nothing written, no value repeated ---------------------------------
n=$(ledger_count)
refuse() {  # EXIT MESSAGE ARGS...
  local want=$1 message=$2; shift 2
  consent "$want" "$@"
  expect_stderr "$message"
  [ "$(ledger_count)" = "$n" ] || fail "a refused run ($message) wrote to the ledger"
  [ "$(shop_sha)" = "$sha" ] || fail "a refused run ($message) changed the shop"
}
refuse 2 "'newsletter' is not a purpose of the policy; purposes under consent: marketing, made_to_measure" \
  grant --subject "email=$email" --purpose newsletter
expect_json '[.status, .error.exit_status]' '["error",2]'
refuse 2 "'account' is not under consent in the policy (its lawful basis is contract)" \
  withdraw --subject "email=$email" --purpose account
refuse 2 "--source names how consent was given" \
  grant --subject "email=$email" --purpose marketing --source "email from $email"
refuse 2 "is not a purpose of the policy" grant --subject "email=$email" --purpose "$email"
phone=$(q "SELECT phone FROM customers WHERE phone IS NOT NULL GROUP BY phone HAVING count(*) > 1 LIMIT 1")
refuse 5 "the identity matches 2 registered subjects; nothing was written" \
  grant --subject "phone=$phone" --purpose marketing --source phone
expect_json '[.status, .error.exit_status, .subject.identity_kind]' '["ambiguous",5,"phone"]'
refuse 5 "nothing was read" show --subject "phone=$phone"
# A mirror value the column (SQLite INTEGER, PostgreSQL boolean) cannot hold:
# exit 3 before anything is logged.
sed 's/granted: "1"/granted: "maybe"/' "$SHOP_POLICY" >"$DSR_TMP/bad-mirror.yaml"
grep -q 'granted: "maybe"' "$DSR_TMP/bad-mirror.yaml" || fail "fixture: the mirror value was not replaced"
audit_before=$(sqlite3 "$state" "SELECT count(*) FROM audit_entries")
run_dsr 3 consent grant --policy "$DSR_TMP/bad-mirror.yaml" --db "$shop" --state "$state" --keys "$DSR_TMP/keys" \
  --subject "email=$email" --purpose marketing --format json
if on_backend sqlite; then
  expect_stderr "the granted value 'maybe' does not fit customers.marketing_opt_in, a INTEGER column"
else
  expect_stderr "the granted value 'maybe' does not fit customers.marketing_opt_in, a boolean column"
fi
[ "$(sqlite3 "$state" "SELECT count(*) FROM audit_entries")" = "$audit_before" ] || fail "a refused mirror was logged"
# No subject at all: show exits 4 and still shows the defaults.
consent 4 show --subject email=nobody@example.invalid
expect_json '[.status, [.consents[].current.consents]]' '["not_found",[false,false]]'
if grep -q -F -- "$email" "$DSR_TMP/err.txt"; then fail "an error message repeats the email"; fi

# --- a request answered ---------------------------------------------------------
"$DSR" request open --policy "$SHOP_POLICY" --state "$state" --keys "$DSR_TMP/keys" \
  --type consent --subject "email=$email" >/dev/null
request=$("$DSR" request list --policy "$SHOP_POLICY" --state "$state" --format json | jq -r '.requests[0].id')
consent 0 withdraw --subject "email=$email" --purpose marketing --source unsubscribe --request "$request"
expect_json '[.request_id, .consent.entry.request_id]' "[\"$request\",\"$request\"]"
run_dsr 0 request show --policy "$SHOP_POLICY" --state "$state" --id "$request" --format json
expect_json '[.request.status, .request.outcome]' '["closed","consent withdrawn"]'

# --- a kill after the mirror's UPDATE, or after the commit ------------------------
# Statements on the shop: the UPDATE (1), then the ledger entry, then the commit (2).
killed() {  # K ACTION: the exit status of ACTION killed after its K-th statement on the shop
  local status=0
  { DSR_FAULT=$1 "$DSR" consent "$2" "${common[@]}" --subject "customer_id=$cid" --purpose marketing \
      --source "web form" --format json >/dev/null 2>&1; } 2>/dev/null || status=$?
  echo "$status"
}
last_intent_refers() {
  "$DSR" audit show --state "$state" --format jsonl |
    jq -s --arg c "$1" '[.[] | select(.command == $c and .phase == "intent")] | last | .refers_to != null'
}
n=$(ledger_count)
[ "$(killed 1 grant)" = 137 ] || fail "DSR_FAULT=1 did not kill the grant"
[ "$(ledger_count)" = "$n" ] || fail "a grant killed before its commit left a ledger entry"
[ "$(opt_in)" = 0 ] || fail "a grant killed before its commit changed the shop"
# Run again, it does the job, and its intent refers to the killed attempt.
consent 0 grant --subject "customer_id=$cid" --purpose marketing --source "web form"
[ "$(ledger_count)" = "$((n + 1))" ] && [ "$(opt_in)" = 1 ] ||
  fail "the grant after a kill did not complete"
[ "$(last_intent_refers "consent grant")" = true ] || fail "the run after a kill does not refer to the interrupted attempt"
[ "$(killed 2 withdraw)" = 137 ] || fail "DSR_FAULT=2 did not kill the withdrawal"
[ "$(ledger_count)" = "$((n + 2))" ] || fail "a withdrawal killed after its commit has no ledger entry"
[ "$(opt_in)" = 0 ] || fail "a withdrawal killed after its commit lost the change"
consent 0 withdraw --subject "customer_id=$cid" --purpose marketing --source "web form"
expect_json '[.consent.repeated, .consent.mirror.rows_changed]' '[true,0]'
check_shop "$shop"

# --- the audit log and the state hold pseudonyms and counts, never the email ------
run_dsr 0 audit verify --state "$state" --keys "$DSR_TMP/keys" --format json
"$DSR" audit show --state "$state" --format jsonl >"$DSR_TMP/audit.jsonl"
[ "$(jq -s '[.[] | select(.command | startswith("consent"))] | length' "$DSR_TMP/audit.jsonl")" -ge 20 ] ||
  fail "the consent commands are not in the audit log"
jq -e -s '[.[] | select(.command == "consent withdraw" and .phase == "done" and .dry_run == false)] | .[0].summary
  | .purpose == "marketing" and .action == "withdrawn" and .mirror_rows_changed == 1 and .notify == 1' \
  "$DSR_TMP/audit.jsonl" >/dev/null || fail "the withdrawal's done entry lacks its counts"
[ "$(jq -s '[.[] | select(.command == "consent grant" and .phase == "failed")] | length' "$DSR_TMP/audit.jsonl")" -ge 1 ] ||
  fail "the ambiguous grant is not logged as failed"
for v in "$email" "${email^^}" newsletter.only@example.org "$phone"; do
  if cat "$state"* "$DSR_TMP/audit.jsonl" "$reports" | grep -a -q -i -F -- "$v"; then
    fail "an identity value reached the state, the audit log or a report: $v"
  fi
done

# --- the ledger refuses changes ---------------------------------------------------
if sqlite3 "$state" "UPDATE consent_ledger SET action = 'granted' WHERE action = 'withdrawn'" 2>"$DSR_TMP/sqlite.err"; then
  fail "the ledger accepted an UPDATE"
fi
grep -q "append-only" "$DSR_TMP/sqlite.err" || fail "the UPDATE was refused for another reason: $(cat "$DSR_TMP/sqlite.err")"
if sqlite3 "$state" "DELETE FROM consent_ledger" 2>/dev/null; then fail "the ledger accepted a DELETE"; fi
echo "PASS: cli consent"
