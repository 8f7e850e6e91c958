# -v prints each statement on the shop's database, its time and SQL, on
# stderr, and never a value: the subject's identity and the values the
# report shows are nowhere in it. Without -v, no statement is printed.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop 200)
common=(--policy "$SHOP_POLICY" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
email=$(sql "$shop" "SELECT email FROM customers WHERE id = 17")
last_name=$(sql "$shop" "SELECT last_name FROM customers WHERE id = 17")

# statements: the -v lines of the last run.
statements() { grep -E '^dsr: sql +[0-9]+\.[0-9]{3} ms  ' "$DSR_TMP/err.txt" || true; }

run_dsr 0 access "${common[@]}" --subject "email=$email" --format json
[ -z "$(statements)" ] || fail "without -v, statements were printed: $(statements | head -3)"

run_dsr 0 access "${common[@]}" --subject "email=$email" --format json -v
n=$(statements | wc -l)
[ "$n" -ge 12 ] || fail "access -v printed $n statements, expected one at least for each of the 12 tables"
statements | grep -q 'FROM "orders"' || fail "access -v: no statement reads orders: $(statements | head -3)"
[ "$(grep -c . "$DSR_TMP/err.txt")" -eq "$n" ] || fail "access -v: stderr holds more than the statement lines"
for value in "$email" "$last_name"; do
  ! grep -qF -- "$value" "$DSR_TMP/err.txt" || fail "access -v printed a value of the subject"
done
# Every value of the report, checked: none reaches stderr.
jq -r '.. | strings' "$DSR_TMP/out.json" | awk 'length >= 6' | sort -u >"$DSR_TMP/values.txt"
[ "$(wc -l <"$DSR_TMP/values.txt")" -ge 10 ] || fail "fixture: the report holds too few values to look for"
while IFS= read -r value; do
  ! grep -qF -- "$value" "$DSR_TMP/err.txt" || fail "access -v printed a value from the report: '${value:0:40}'"
done < <(grep -v -E '^[a-z_0-9]+$' "$DSR_TMP/values.txt")

run_dsr 0 purge "${common[@]}" --dry-run --format json --verbose
[ "$(statements | wc -l)" -ge 11 ] || fail "purge --verbose printed $(statements | wc -l) statements"
run_dsr 0 policy check --policy "$SHOP_POLICY" --db "$shop" --format json -v
[ "$(statements | wc -l)" -ge 1 ] || fail "policy check -v printed no statement"
