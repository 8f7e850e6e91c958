# The shipped policy describes the generated shop: no errors, and exactly the
# two findings the policy explains in its comments.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop)

run_dsr 0 policy check --policy "$SHOP_POLICY" --db "$shop" --format json
validate_report
expect_json '.command' '"policy check"'
expect_json '.status' '"findings"'
expect_json '.errors' '[]'
expect_json '[.findings[] | [.kind, .table, .column]] | sort' \
  '[["no_retention","customers",null],["unused_foreign_key","loyalty_ledger","order_id"]]'
expect_json '.summary.policy_tables' '12'
expect_json '.policy.sha256' "\"$(sha256sum "$SHOP_POLICY" | cut -d' ' -f1)\""

# --strict turns findings into exit 8 for CI pipelines that want a clean policy.
run_dsr 8 policy check --policy "$SHOP_POLICY" --db "$shop" --format json --strict
expect_json '.status' '"findings"'

# Text for a person, with the database named in the other form --db takes:
# sqlite:PATH, or a libpq keyword string.
if on_backend sqlite; then
  other_form="sqlite:$shop"
else
  other_form="$DSR_PG_CONNINFO dbname=$(pg_dbname "$shop")"
fi
run_dsr 0 policy check --policy "$SHOP_POLICY" --db "$other_form" --format text
grep -q "0 errors, 2 findings" "$DSR_TMP/out.json" || fail "text summary missing"
