# `dsr access` and `dsr export` at the edges: an empty database (the shop's
# schema, no rows) finds nobody and writes nothing; identities carrying NUL
# bytes (possible only through --subjects-file) match nothing, even where a
# value cut at the NUL would match a real customer.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null

empty=$(new_db empty)
schema=schema.sql
on_backend postgresql && schema=schema_postgresql.sql
sql "$empty" <"$DSR_SOURCE/tools/shopgen/$schema"
[ "$(sql "$empty" "SELECT count(*) FROM customers")" = 0 ] || fail "fixture: the empty shop has customers"
common=(--policy "$SHOP_POLICY" --db "$empty" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
run_dsr 4 access "${common[@]}" --subject customer_id=1 --format json
validate_report
expect_json '.status' '"not_found"'
run_dsr 4 access "${common[@]}" --subject email=ana@example.com --format json
expect_json '.subject.registered_matches' '0'
run_dsr 4 export "${common[@]}" --subject email=ana@example.com --output "$DSR_TMP/copy.json"
validate_report
[ ! -e "$DSR_TMP/copy.json" ] || fail "an export from an empty database wrote a file"

shop=$(new_shop shop 50)
email=$(sql "$shop" "SELECT email FROM customers WHERE id = 7")
common=(--policy "$SHOP_POLICY" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
# Customer 7's email followed by a NUL and more: a C-string cut would find customer 7.
printf 'email=%s\0x\nemail=\0%s\n' "$email" "$email" >"$DSR_TMP/subjects.txt"
status=0
"$DSR" access "${common[@]}" --subjects-file "$DSR_TMP/subjects.txt" >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
[ "$status" = 4 ] || fail "NUL-bearing identities exited $status, expected 4: $(cat "$DSR_TMP/err.txt")"
[ "$(jq -r .status "$DSR_TMP/out.json" | sort -u)" = not_found ] || fail "a NUL-bearing identity matched: $(jq -c '[.status, .totals]' "$DSR_TMP/out.json")"
validate_report
grep -qaF "$email" "$DSR_TMP/out.json" "$DSR_TMP/err.txt" && fail "an identity was echoed"
# The same email without the NUL is found: the fixture is right.
printf 'email=%s\n' "$email" >"$DSR_TMP/subjects.txt"
run_dsr 0 access "${common[@]}" --subjects-file "$DSR_TMP/subjects.txt"
expect_json '.subject.registered_matches' '1'
echo "PASS: access edge cases"
