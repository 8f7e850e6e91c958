# `dsr consent withdraw|grant --subjects-file`: an unsubscribe list in one
# process, one report per line (each valid against the schema), each subject
# its own job: a ledger entry and the mirror column per subject, the audit
# entries of each; an ambiguous identity stops only its own line (exit 5,
# its line and file named, not its value); a malformed line is refused
# before anyone's consent is recorded; a dry run records nothing; options
# that cannot go with a batch are usage errors.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop 200)
state="$DSR_TMP/state.db"
common=(--policy "$SHOP_POLICY" --db "$shop" --state "$state" --keys "$DSR_TMP/keys")
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
q() { sql "$shop" "$1"; }
ledger_count() { sqlite3 "$state" "SELECT count(*) FROM consent_ledger" 2>/dev/null || echo 0; }
entries() { "$DSR" audit show --state "$state" --format json | jq '.entries | length'; }
opted_in() { q "SELECT count(*) FROM customers WHERE id IN (7, 9, 12) AND marketing_opt_in"; }

q "UPDATE customers SET marketing_opt_in = TRUE WHERE id IN (7, 9, 12)"
email9=$(q "SELECT email FROM customers WHERE id = 9")
guest=$(q "SELECT email FROM orders WHERE customer_id IS NULL AND email NOT IN (SELECT email FROM customers) LIMIT 1")
phone=$(q "SELECT phone FROM customers WHERE phone IS NOT NULL GROUP BY phone HAVING count(*) > 1 LIMIT 1")
[ -n "$guest" ] && [ -n "$phone" ] || fail "fixture: no guest email or shared phone"

# A malformed line: refused before anything is recorded, its text not echoed.
printf '%s\n' "customer_id=7" "nickname=$email9" >"$DSR_TMP/bad.txt"
run_dsr 2 consent withdraw "${common[@]}" --purpose marketing --source "unsubscribe list" \
  --subjects-file "$DSR_TMP/bad.txt"
expect_stderr "bad.txt:2"
grep -qF "$email9" "$DSR_TMP/err.txt" && fail "the refusal echoed the line"
[ "$(ledger_count)" = 0 ] || fail "a refused batch wrote the ledger"
[ "$(opted_in)" = 3 ] || fail "a refused batch changed the mirror column"

# Options that do not go with a batch.
printf '%s\n' "customer_id=7" >"$DSR_TMP/one.txt"
run_dsr 2 consent withdraw "${common[@]}" --purpose marketing --subjects-file "$DSR_TMP/one.txt" --request R-2026-000001
expect_stderr "--request"
run_dsr 2 consent withdraw "${common[@]}" --purpose marketing --subjects-file "$DSR_TMP/one.txt" --format text
run_dsr 2 consent withdraw "${common[@]}" --purpose marketing --subjects-file "$DSR_TMP/one.txt" --subject customer_id=7
run_dsr 2 consent withdraw "${common[@]}" --purpose marketing
expect_stderr "give one of --subject and --subjects-file"
[ "$(ledger_count)" = 0 ] || fail "refused options wrote the ledger"

# A dry run records nothing and reports every subject.
printf '%s\n' '# unsubscribed this week' "customer_id=7" '' "email=$email9" "email=$guest" >"$DSR_TMP/list.txt"
printf 'customer_id=12\r\n' >>"$DSR_TMP/list.txt"   # a Windows line end
run_dsr 0 consent withdraw "${common[@]}" --purpose marketing --source "unsubscribe list" \
  --subjects-file "$DSR_TMP/list.txt" --dry-run
[ "$(wc -l <"$DSR_TMP/out.json")" = 4 ] || fail "the dry run gave $(wc -l <"$DSR_TMP/out.json") lines, not 4"
validate_report
[ "$(ledger_count)" = 0 ] || fail "the dry run wrote the ledger"
[ "$(opted_in)" = 3 ] || fail "the dry run changed the mirror column"

# The batch: a report a line, in file order, the ledger and the mirror changed.
before=$(entries)
run_dsr 0 consent withdraw "${common[@]}" --purpose marketing --source "unsubscribe list" \
  --subjects-file "$DSR_TMP/list.txt"
cp "$DSR_TMP/out.json" "$DSR_TMP/list.jsonl"
[ "$(wc -l <"$DSR_TMP/list.jsonl")" = 4 ] || fail "expected 4 report lines"
validate_report "$DSR_TMP/list.jsonl"
[ "$(jq -c -s '[.[] | [.status, .subject.identity_kind, .subject.registered_matches]]' "$DSR_TMP/list.jsonl")" = \
  '[["ok","customer_id",1],["ok","email",1],["ok","email",0],["ok","customer_id",1]]' ] ||
  fail "statuses: $(jq -c -s '[.[] | [.status, .subject]]' "$DSR_TMP/list.jsonl")"
[ ! -s "$DSR_TMP/err.txt" ] || fail "stderr is not empty: $(cat "$DSR_TMP/err.txt")"
[ "$(ledger_count)" = 4 ] || fail "the ledger holds $(ledger_count) entries, not 4"
[ "$(opted_in)" = 0 ] || fail "the mirror column still says opted in for $(opted_in) customers"
[ "$(entries)" = $((before + 8)) ] || fail "expected an intent and a done entry per subject"
for id in 7 12; do
  run_dsr 0 consent show "${common[@]}" --subject "customer_id=$id" --purpose marketing --format json
  expect_json '[.consents[0].history[] | [.action, .source]]' '[["withdrawn","unsubscribe list"]]'
done

# An ambiguous identity stops its own line only; the exit is the worst line's.
printf '%s\n' "phone=$phone" "customer_id=20" >"$DSR_TMP/mixed.txt"
run_dsr 5 consent grant "${common[@]}" --purpose marketing --source "web form" --subjects-file "$DSR_TMP/mixed.txt"
validate_report
[ "$(jq -c -s '[.[] | [.status, (.error.exit_status // 0)]]' "$DSR_TMP/out.json")" = '[["ambiguous",5],["ok",0]]' ] ||
  fail "mixed batch: $(jq -c -s '[.[] | .status]' "$DSR_TMP/out.json")"
expect_stderr "mixed.txt:1"
grep -qF "$phone" "$DSR_TMP/err.txt" "$DSR_TMP/out.json" && fail "the phone number was echoed"
[ "$(ledger_count)" = 5 ] || fail "the ambiguous line was recorded"

# Nothing holds an email; the log verifies.
grep -qF "$email9" "$DSR_TMP/list.jsonl" "$state" && fail "an email reached a report or the state store"
run_dsr 0 audit verify --state "$state" --keys "$DSR_TMP/keys" --format json
