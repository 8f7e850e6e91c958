# The audit log through the CLI: entries from request commands, a signed head,
# verify, and each kind of tampering on a copy of the state found (exit 10).
source "$DSR_SOURCE/tests/e2e/lib.sh"
state="$DSR_TMP/state.db"
keys="$DSR_TMP/keys"
common=(--policy "$SHOP_POLICY" --state "$state" --keys "$keys")
"$DSR" keygen --keys "$keys" >/dev/null

export DSR_NOW=2026-11-02T09:00:00Z
run_dsr 0 request open "${common[@]}" --type erase --subject email=Ana.Lopez@Example.com --format json
run_dsr 0 request open "${common[@]}" --type access --subject phone="+353 87 123 4567" --format json
run_dsr 0 request close "${common[@]}" --id R-2026-000001 --format json

run_dsr 0 audit verify "${common[@]}" --format json
validate_report
expect_json '[.verified, .entries_checked, .heads_checked]' '[true,3,3]'

run_dsr 0 audit show "${common[@]}" --format json
validate_report
expect_json '[.entries[] | .command]' '["request open","request open","request close"]'
expect_json '.entries[0].subject | test("^[0-9a-f]{64}$")' 'true'
run_dsr 0 audit show "${common[@]}" --request R-2026-000001 --format jsonl
[ "$(wc -l < "$DSR_TMP/out.json")" -eq 2 ] || fail "jsonl filter by request"

# The state never holds a raw identity, in the database or its WAL.
if cat "$state"* | grep -a -i -q -e "ana.lopez" -e "871234567"; then fail "raw identity in the state store"; fi

# The signed head, saved elsewhere, later catches a truncated log.
run_dsr 0 audit head "${common[@]}"
cp "$DSR_TMP/out.json" "$DSR_TMP/saved-head.json"
jq -e '.seq == 3 and (.signature | length) == 128' "$DSR_TMP/saved-head.json" >/dev/null || fail "head line"

tampered() { # NAME SQL: a copy of the state with SQL applied
  cp "$state" "$DSR_TMP/$1.db"
  sqlite3 "$DSR_TMP/$1.db" "$2"
}
tampered changed "UPDATE audit_entries SET command = 'request show' WHERE seq = 2"
run_dsr 10 audit verify --state "$DSR_TMP/changed.db" --keys "$keys" --format json
validate_report
expect_json '[.verified, .first_bad_seq]' '[false,2]'
expect_stderr "does not verify at entry 2"

tampered deleted "DELETE FROM audit_heads WHERE seq = 2; DELETE FROM audit_entries WHERE seq = 2"
run_dsr 10 audit verify --state "$DSR_TMP/deleted.db" --keys "$keys" --format json
expect_json '.first_bad_seq' '2'

tampered truncated "DELETE FROM audit_heads WHERE seq = 3; DELETE FROM audit_entries WHERE seq = 3"
run_dsr 0 audit verify --state "$DSR_TMP/truncated.db" --keys "$keys" --format json
run_dsr 10 audit verify --state "$DSR_TMP/truncated.db" --keys "$keys" --expect-head "$DSR_TMP/saved-head.json" --format json
expect_json '.first_bad_seq' '3'

# A public key given explicitly, and the wrong one.
run_dsr 0 audit verify --state "$state" --pubkey "$keys/audit-signing.pub" --format json
"$DSR" keygen --keys "$DSR_TMP/other" >/dev/null
run_dsr 10 audit verify --state "$state" --pubkey "$DSR_TMP/other/audit-signing.pub" --format json
expect_json '.first_bad_seq' '1'

# A missing state store is an error naming it, not a new empty log.
run_dsr 6 audit verify --state "$DSR_TMP/none.db" --keys "$keys"
[ ! -e "$DSR_TMP/none.db" ] || fail "audit verify created a state store"
