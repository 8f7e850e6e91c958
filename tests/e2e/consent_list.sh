# `dsr consent list`: without --db, the pseudonyms whose latest entry is in
# the state, one per person whichever identity named them; with --db, the
# identities a mailing job may use: registered subjects by their latest
# entry under any identity, newsletter-only sign-ups found again by the
# email their events carry, and subjects the shop does not hold counted,
# not listed. The audit entry of a list with identities records the count,
# never a name.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop 300)
state="$DSR_TMP/state.db"
common=(--policy "$SHOP_POLICY" --state "$state" --keys "$DSR_TMP/keys")
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-20T10:00:00Z
q() { sql "$shop" "$1"; }
# record ACTION SUBJECT: one grant or withdrawal of marketing; prints the pseudonym it is recorded under.
record() {
  "$DSR" consent "$1" "${common[@]}" --db "$shop" --subject "$2" --purpose marketing --source test --format json |
    jq -r .consent.entry.subject
}
sorted() { printf '%s\n' "$@" | sort; }

a_email=$(q "SELECT email FROM customers WHERE id = 20")
b_email=$(q "SELECT email FROM customers WHERE id = 21")
c_email=$(q "SELECT email FROM customers WHERE id = 22")
guest=$(q "SELECT email FROM newsletter_events WHERE customer_id IS NULL AND email NOT IN (SELECT email FROM customers) LIMIT 1")
[ -n "$guest" ] || fail "fixture: no newsletter-only sign-up"
stranger=stranger@example.org

a=$(record grant "email=$a_email")           # A: granted
b=$(record grant "email=$b_email")           # B: granted, then withdrawn under another identity
[ "$(record withdraw customer_id=21)" = "$b" ] || fail "B's withdrawal is not under the pseudonym of their grant"
c=$(record withdraw customer_id=22)          # C: only ever withdrew
g=$(record grant "email=$guest")             # a newsletter-only sign-up
s=$(record grant "email=$stranger")          # someone the shop holds nothing about
[ -n "$a" ] && [ "$a" != "$g" ] && [ "$g" != "$s" ] || fail "fixture: pseudonyms"

# --- pseudonyms ----------------------------------------------------------------
run_dsr 0 consent list "${common[@]}" --purpose marketing --granted --format json
validate_report
expect_json '[.command, .consent_list.names, .consent_list.state, .consent_list.complete, .consent_list.unresolved]' \
  '["consent list","pseudonyms","granted",true,null]'
[ "$(jq -r '.consent_list.subjects[]' "$DSR_TMP/out.json")" = "$(sorted "$a" "$g" "$s")" ] ||
  fail "the granted pseudonyms are not A's, the sign-up's and the stranger's: $(jq -c .consent_list.subjects "$DSR_TMP/out.json")"
run_dsr 0 consent list "${common[@]}" --purpose marketing --withdrawn --format text
[ "$(cat "$DSR_TMP/out.json")" = "$(sorted "$b" "$c")" ] || fail "the withdrawn pseudonyms are not B's and C's"

# --- identities, for the mailing job -----------------------------------------------
run_dsr 0 consent list "${common[@]}" --purpose marketing --granted --db "$shop" --format json
validate_report
expect_json '[.consent_list.names, .consent_list.identity_kind, .consent_list.count, .consent_list.unresolved]' \
  '["identities","email",2,1]'
expect_json '.consent_list.subjects' "[\"$a_email\",\"$guest\"]"
expect_stderr "1 subject(s) granted in the ledger have no email in the database"
run_dsr 0 consent list "${common[@]}" --purpose marketing --granted --db "$shop" --format text
[ "$(cat "$DSR_TMP/out.json")" = "$(printf '%s\n' "$a_email" "$guest")" ] || fail "the text list is not one email per line"
run_dsr 0 consent list "${common[@]}" --purpose marketing --withdrawn --db "$shop" --format jsonl
[ "$(jq -c . "$DSR_TMP/out.json")" = "$(printf '{"email":"%s"}\n' "$b_email" "$c_email")" ] ||
  fail "the withdrawn jsonl is not B's and C's emails: $(cat "$DSR_TMP/out.json")"
run_dsr 0 consent list "${common[@]}" --purpose marketing --granted --db "$shop" --identity customer_id --format json
expect_json '[.consent_list.subjects, .consent_list.unresolved]' '[["20"],2]'
# Every subject in the state is listed or counted, whatever the identity (a phone may be missing).
run_dsr 0 consent list "${common[@]}" --purpose marketing --granted --db "$shop" --identity phone --format json
expect_json '.consent_list.count + .consent_list.unresolved' '3'
# The ledger is the record: customers flagged in the shop without an entry are not mailed.
[ "$(q "SELECT count(*) FROM customers WHERE marketing_opt_in = true")" -gt 2 ] || fail "fixture: few opted-in customers"
run_dsr 0 consent list "${common[@]}" --purpose made_to_measure --granted --db "$shop" --format json
expect_json '[.consent_list.count, .consent_list.unresolved]' '[0,0]'

# --- refused --------------------------------------------------------------------
run_dsr 2 consent list "${common[@]}" --purpose marketing --format json
expect_stderr "give one of --granted and --withdrawn"
run_dsr 2 consent list "${common[@]}" --purpose marketing --granted --withdrawn --format json
run_dsr 2 consent list "${common[@]}" --purpose marketing --granted --identity email --format json
expect_stderr "--identity chooses what --db prints"
run_dsr 2 consent list "${common[@]}" --purpose account --granted --format json
expect_stderr "'account' is not under consent"
run_dsr 2 consent list "${common[@]}" --purpose marketing --granted --db "$shop" --identity shoe_size --format json

# --- the audit log: counts, never names ------------------------------------------------
run_dsr 0 audit verify --state "$state" --keys "$DSR_TMP/keys" --format json
"$DSR" audit show --state "$state" --format jsonl >"$DSR_TMP/audit.jsonl"
jq -e -s '[.[] | select(.command == "consent list" and .phase == "done" and .summary.identity_kind == "email"
  and .summary.state == "granted")] | .[0].summary | .count == 2 and .unresolved == 1 and .purpose == "marketing"' \
  "$DSR_TMP/audit.jsonl" >/dev/null || fail "the list's done entry lacks its counts"
for v in "$a_email" "$b_email" "$c_email" "$guest" "$stranger"; do
  if cat "$state"* "$DSR_TMP/audit.jsonl" | grep -a -q -F -- "$v"; then fail "an email reached the state or the audit log: $v"; fi
done
echo "PASS: consent list"
