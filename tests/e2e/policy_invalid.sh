# A malformed policy: every error on stderr as FILE:LINE:COL, a JSON report
# with the positions, exit 3, and the database is never opened.
source "$DSR_SOURCE/tests/e2e/lib.sh"
policy="$DSR_TMP/bad.yaml"
sed -e 's/^    key: id$/    kee: id/' -e '0,/basis: contract/s//basis: contrakt/' "$SHOP_POLICY" > "$policy"

# The database does not exist: a policy error must be reported before any connection.
run_dsr 3 policy check --policy "$policy" --db "$DSR_TMP/missing.db" --format json
validate_report
expect_json '.status' '"invalid_policy"'
line=$(grep -n "basis: contrakt" "$policy" | head -1 | cut -d: -f1)
expect_stderr "$policy:$line:12: error: unknown lawful basis 'contrakt'"
expect_stderr "did you mean 'contract'?"
expect_json "[.errors[] | select(.message | test(\"contrakt\")) | [.line, .col]]" "[[$line,12]]"
# Every table lost its key: one "unknown key" and one "missing required key" per table.
expect_json '[.errors[] | select(.message | test("unknown key in table"))] | length' '12'
expect_json '[.errors[] | select(.message | test("missing required key .key."))] | length' '12'
[ ! -e "$DSR_TMP/missing.db" ] || fail "the database file was created"

# Anchors are refused outright (billion laughs).
printf 'a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n' > "$DSR_TMP/laughs.yaml"
run_dsr 3 policy check --policy "$DSR_TMP/laughs.yaml" --format json
expect_stderr "laughs.yaml:1:4: error: anchors (&name) are not allowed"

# A missing policy file.
run_dsr 3 policy check --policy "$DSR_TMP/nope.yaml" --format json
expect_stderr "nope.yaml:1:1: error: cannot open policy file"
expect_json '.policy.sha256' 'null'
