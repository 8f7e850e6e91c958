# `dsr access --subjects-file`: many subjects in one process, one complete
# access report per line (each valid against the schema, each the same as
# the single-subject report), audit entries per subject, blank lines and
# comments skipped; the exit status is the most severe subject's (ambiguous
# 5 over not found 4 over ok 0); a malformed line is refused before anyone's
# data is read, without echoing the line; options that cannot go together
# are usage errors.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop 200)
common=(--policy "$SHOP_POLICY" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-01
q() { sql "$shop" "$1"; }
email=$(q "SELECT email FROM customers WHERE id = 7")
phone=$(q "SELECT phone FROM customers WHERE phone IS NOT NULL GROUP BY phone HAVING count(*) > 1 LIMIT 1")
guest=$(q "SELECT email FROM orders WHERE customer_id IS NULL AND email NOT IN (SELECT email FROM customers) LIMIT 1")
entries() { "$DSR" audit show --state "$DSR_TMP/state.db" --format json | jq '.entries | length'; }
# same_report FILE LINE: line LINE of FILE is the last single-subject report, timings aside.
same_report() {
  local strip='del(.started_at, .duration_ms)'
  [ "$(sed -n "$2p" "$1" | jq -c "$strip")" = "$(jq -c "$strip" "$DSR_TMP/out.json")" ] ||
    fail "line $2 of the batch differs from the single-subject report"
}

# All found: exit 0, one report per subject, in file order.
printf '%s\n' '# night batch' "customer_id=7" '' "   # indented comment" "email=$email" "email=$guest" >"$DSR_TMP/ok.txt"
printf 'customer_id=12\r\n' >>"$DSR_TMP/ok.txt"   # a Windows line end
run_dsr 0 access "${common[@]}" --subjects-file "$DSR_TMP/ok.txt"
cp "$DSR_TMP/out.json" "$DSR_TMP/ok.jsonl"
[ "$(wc -l <"$DSR_TMP/ok.jsonl")" = 4 ] || fail "expected 4 report lines, got $(wc -l <"$DSR_TMP/ok.jsonl")"
validate_report "$DSR_TMP/ok.jsonl"
[ "$(jq -c -s '[.[] | [.status, .subject.identity_kind, .subject.registered_matches]]' "$DSR_TMP/ok.jsonl")" = \
  '[["ok","customer_id",1],["ok","email",1],["ok","email",0],["ok","customer_id",1]]' ] ||
  fail "statuses: $(jq -c -s '[.[] | .status]' "$DSR_TMP/ok.jsonl")"
[ "$(sed -n 4p "$DSR_TMP/ok.jsonl" | jq -c '[.tables[] | select(.table == "customers") | .rows[].id]')" = '[12]' ] ||
  fail "the CRLF line did not name customer 12"
[ ! -s "$DSR_TMP/err.txt" ] || fail "stderr is not empty: $(cat "$DSR_TMP/err.txt")"
# Customer 7 by id and by email: the same rows.
[ "$(sed -n 1p "$DSR_TMP/ok.jsonl" | jq -c '.tables')" = "$(sed -n 2p "$DSR_TMP/ok.jsonl" | jq -c '.tables')" ] ||
  fail "customer 7 by id and by email differ"
# Each line is the report a single run gives.
run_dsr 0 access "${common[@]}" --subject customer_id=7 --format json
same_report "$DSR_TMP/ok.jsonl" 1
run_dsr 0 access "${common[@]}" --subject "email=$guest" --format json
same_report "$DSR_TMP/ok.jsonl" 3

# Every subject has its intent and its done entry, and the log verifies. A
# batch logs a group's intents together before reading, then their done
# entries in the same order (cli/access.cpp, group_size), and signs a head
# after each half: two signatures for the group, not one a subject, or
# `audit verify` of a batch-written log takes ten times as long. (The two
# single-subject runs since then add two entries and two heads each.)
run_dsr 0 audit show --state "$DSR_TMP/state.db" --format json
expect_json '[.entries[] | .phase] | .[0:8]' '["intent","intent","intent","intent","done","done","done","done"]'
expect_json '[.entries[0:8][] | select(.phase == "done") | .refers_to]' '[1,2,3,4]'
expect_json '[.entries[0:8][] | .subject] | unique | length' '4'
run_dsr 0 audit verify --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" --format json
expect_json '[.entries_checked, .heads_checked]' '[12,6]'

# Not found and ambiguous: every subject is still reported; exit the most severe.
printf '%s\n' "email=nobody@example.com" "customer_id=7" >"$DSR_TMP/missing.txt"
run_dsr 4 access "${common[@]}" --subjects-file "$DSR_TMP/missing.txt"
validate_report
[ "$(jq -c -s '[.[] | .status]' "$DSR_TMP/out.json")" = '["not_found","ok"]' ] || fail "statuses with one missing"
expect_stderr "missing.txt:1: no data found for the subject"
printf '%s\n' "phone=$phone" "email=nobody@example.com" "customer_id=7" >"$DSR_TMP/mixed.txt"
run_dsr 5 access "${common[@]}" --subjects-file "$DSR_TMP/mixed.txt"
validate_report
[ "$(jq -c -s '[.[] | .status]' "$DSR_TMP/out.json")" = '["ambiguous","not_found","ok"]' ] || fail "statuses when mixed"
[ "$(head -1 "$DSR_TMP/out.json" | jq -c '[.subject.registered_matches, .error.exit_status, has("tables")]')" = '[2,5,false]' ] ||
  fail "the ambiguous line: $(head -1 "$DSR_TMP/out.json")"
expect_stderr "mixed.txt:1: the identity matches 2 registered subjects"
if grep -q -F -e "$phone" -e "nobody@" "$DSR_TMP/err.txt"; then fail "stderr names a subject"; fi
# --all-matches reports the shared phone's subjects together.
run_dsr 4 access "${common[@]}" --subjects-file "$DSR_TMP/mixed.txt" --all-matches
[ "$(jq -c -s '[.[] | .status]' "$DSR_TMP/out.json")" = '["ok","not_found","ok"]' ] || fail "statuses with --all-matches"

# A malformed line: usage error, nothing read, nothing logged, the line not echoed.
before=$(entries)
printf '%s\n' "customer_id=7" "secret.person@example.com" >"$DSR_TMP/bad.txt"
run_dsr 2 access "${common[@]}" --subjects-file "$DSR_TMP/bad.txt" --format json
expect_stderr "bad.txt:2: not KIND=VALUE with KIND one of email, customer_id, phone"
if grep -q -F "secret.person" "$DSR_TMP/err.txt" "$DSR_TMP/out.json"; then fail "the malformed line was echoed"; fi
printf '%s\n' "customer_id=7" "passport=X1" >"$DSR_TMP/bad.txt"
run_dsr 2 access "${common[@]}" --subjects-file "$DSR_TMP/bad.txt"
[ "$(entries)" = "$before" ] || fail "a refused batch wrote audit entries"
printf '# nothing\n\n' >"$DSR_TMP/empty.txt"
run_dsr 2 access "${common[@]}" --subjects-file "$DSR_TMP/empty.txt"
expect_stderr "names no subject"
run_dsr 12 access "${common[@]}" --subjects-file "$DSR_TMP/absent.txt"

# Options that do not go with a batch.
run_dsr 2 access "${common[@]}" --subjects-file "$DSR_TMP/ok.txt" --subject customer_id=7
run_dsr 2 access "${common[@]}" --subjects-file "$DSR_TMP/ok.txt" --output "$DSR_TMP/x.json"
run_dsr 2 access "${common[@]}" --subjects-file "$DSR_TMP/ok.txt" --request R-2026-000001
run_dsr 2 access "${common[@]}" --subjects-file "$DSR_TMP/ok.txt" --format text
run_dsr 2 access "${common[@]}"
[ ! -e "$DSR_TMP/x.json" ] || fail "--output was written"
[ "$(entries)" = "$before" ] || fail "refused options wrote audit entries"

# A database that cannot be read stops the batch with its own exit status.
run_dsr 6 access --policy "$SHOP_POLICY" --db "$(absent_db no_such)" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" \
  --subjects-file "$DSR_TMP/ok.txt"
expect_json '.status' '"error"'
