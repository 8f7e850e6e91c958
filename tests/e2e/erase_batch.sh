# `dsr erase --subjects-file`: three subjects, one erased, one unknown, one an
# ambiguous phone. One valid JSON report per line in file order; only the
# known subject is erased, every other row is untouched; the exit status is
# the most severe (ambiguous 5 over not found 4 over held 7); a malformed line
# or no --yes without a terminal changes nothing; options that do not go with
# a batch are refused.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop 200)
export DSR_NOW=2026-11-01
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
common=(--policy "$SHOP_POLICY" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
q() { sql "$shop" "$1"; }
# sha: a hash of the shop: of the SQLite file, byte for byte, or of the
# PostgreSQL database's full dump.
sha() {
  if on_backend sqlite; then sha256sum "$shop" | cut -d' ' -f1; else dump_shop "$shop" | sha256sum | cut -d' ' -f1; fi
}
phone=$(q "SELECT phone FROM customers WHERE phone IS NOT NULL GROUP BY phone HAVING count(*) > 1 LIMIT 1")
[ -n "$phone" ] || fail "fixture: no shared phone"
cid=$(q "SELECT id FROM customers WHERE phone IS NULL OR phone <> '$phone' ORDER BY id LIMIT 1")
email=$(q "SELECT email FROM customers WHERE id = $cid")
printf '%s\n' '# tonight' "email=$email" '' "email=nobody@example.com" "phone=$phone" >"$DSR_TMP/batch.txt"
# Everything but the subject's customer row and what hangs off it, to compare after.
others() { q "SELECT * FROM customers WHERE id <> $cid ORDER BY id;
  SELECT * FROM addresses WHERE customer_id <> $cid ORDER BY id;
  SELECT * FROM orders WHERE (customer_id IS NULL OR customer_id <> $cid) AND email <> '$email' ORDER BY id"; }
others >"$DSR_TMP/others.before"
before=$(sha)

# Refusals that change nothing.
run_dsr 2 erase "${common[@]}" --subjects-file "$DSR_TMP/batch.txt" </dev/null
expect_stderr "standard input is not a terminal"
printf '%s\n' "email=$email" "not-a-subject" >"$DSR_TMP/bad.txt"
run_dsr 2 erase "${common[@]}" --subjects-file "$DSR_TMP/bad.txt" --yes
expect_stderr "bad.txt:2:"
for opt in "--subject customer_id=1" "--apply $DSR_TMP/x.json" "--plan-out $DSR_TMP/x.json" "--request R-2026-000001" "--format text"; do
  # shellcheck disable=SC2086
  run_dsr 2 erase "${common[@]}" --subjects-file "$DSR_TMP/batch.txt" --yes $opt
done
[ "$(sha)" = "$before" ] || fail "a refused batch changed the database"

# A dry run: three lines, nothing changed, the exit status of the real run.
run_dsr 5 erase "${common[@]}" --subjects-file "$DSR_TMP/batch.txt" --dry-run
validate_report
[ "$(wc -l <"$DSR_TMP/out.json")" = 3 ] || fail "expected 3 report lines"
[ "$(jq -c -s '[.[] | [.status, .dry_run]]' "$DSR_TMP/out.json")" = '[["partial",true],["not_found",true],["ambiguous",true]]' ] ||
  fail "dry statuses: $(jq -c -s '[.[] | .status]' "$DSR_TMP/out.json")"
[ "$(sha)" = "$before" ] || fail "the dry run changed the database"

# The real batch.
run_dsr 5 erase "${common[@]}" --subjects-file "$DSR_TMP/batch.txt" --yes
validate_report
cp "$DSR_TMP/out.json" "$DSR_TMP/batch.jsonl"
[ "$(wc -l <"$DSR_TMP/batch.jsonl")" = 3 ] || fail "expected 3 report lines"
[ "$(jq -c -s '[.[] | [.status, .subject.identity_kind]]' "$DSR_TMP/batch.jsonl")" = \
  '[["partial","email"],["not_found","email"],["ambiguous","phone"]]' ] ||
  fail "statuses: $(jq -c -s '[.[] | .status]' "$DSR_TMP/batch.jsonl")"
[ "$(sed -n 1p "$DSR_TMP/batch.jsonl" | jq -c '[.verification.passed, .erasure.changed, (.erasure.ledger_seq != null)]')" = '[true,true,true]' ] ||
  fail "the erased subject's report: $(sed -n 1p "$DSR_TMP/batch.jsonl" | head -c 400)"
[ "$(sed -n 3p "$DSR_TMP/batch.jsonl" | jq -c '[.error.exit_status, has("erasure")]')" = '[5,false]' ] || fail "the ambiguous line"
expect_stderr "batch.txt:4: no data is held"
expect_stderr "batch.txt:5: the identity matches"
if grep -qF -e "$phone" -e "$email" -e nobody@ "$DSR_TMP/err.txt" "$DSR_TMP/batch.jsonl"; then fail "a report or message names a subject"; fi
# Erased: the customer masked or gone, nothing else changed.
[ "$(q "SELECT count(*) FROM customers WHERE email = '$email'")" = 0 ] || fail "the subject's email is still there"
[ "$(q "SELECT count(*) FROM addresses WHERE customer_id = $cid")" = 0 ] || fail "the subject's addresses remain"
others >"$DSR_TMP/others.after"
cmp -s "$DSR_TMP/others.before" "$DSR_TMP/others.after" || fail "rows of other subjects changed"
# The shared phone's subjects are untouched.
[ "$(q "SELECT count(*) FROM customers WHERE phone = '$phone'")" = 2 ] || fail "the ambiguous subjects changed"

# Not found (4) is more severe than held rows remaining (7); a second erasure still reports its held rows.
printf '%s\n' "email=nobody@example.com" "email=$email" >"$DSR_TMP/two.txt"
run_dsr 4 erase "${common[@]}" --subjects-file "$DSR_TMP/two.txt" --yes
[ "$(jq -c -s '[.[] | .status]' "$DSR_TMP/out.json")" = '["not_found","partial"]' ] ||
  fail "second run statuses: $(jq -c -s '[.[] | .status]' "$DSR_TMP/out.json")"
run_dsr 0 audit verify --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" --format json
