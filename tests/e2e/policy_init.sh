# dsr policy init drafts a policy from a live schema and a sample of values:
#   - on the demo shop the draft finds every personal column, link and
#     identity of policies/shop.yaml, and passes `dsr policy check` (exit 0,
#     no errors, only the findings it leaves for review);
#   - no sampled value reaches the draft, the report or stderr;
#   - an existing --output is refused (exit 12) and left as it was;
#   - a second schema with other naming (tests/fixtures/policy_init_camel.sql:
#     camelCase, quoted identifiers, no foreign keys) gets a draft that checks too.
# SQLite only (no backends line): both databases are SQLite files, the
# fixture loaded with sqlite3; PostgreSQL shares the schema reader policy
# check already tests there.
source "$DSR_SOURCE/tests/e2e/lib.sh"
export DSR_NOW=2026-11-01
shop=$(new_shop shop)
draft=$DSR_TMP/draft.yaml

# personal_columns POLICY: TABLE.COLUMN for each entry under a table's
# `columns:` (block style, two spaces per level, as shop.yaml and drafts
# are written); commented lines are not the policy's.
personal_columns() {
  awk '
    /^[^ #]/ { in_tables = ($0 ~ /^tables:/); next }
    !in_tables || /^ *#/ { next }
    /^  [^ ]/ { table = $1; sub(/:$/, "", table); gsub(/"/, "", table); in_columns = 0; next }
    /^    [^ ]/ { in_columns = ($1 == "columns:"); next }
    in_columns && /^      [^ ]/ { column = $1; sub(/:.*/, "", column); print table "." column }
  ' "$1" | sort
}
# links POLICY: TABLE COLUMN TARGET per link (TARGET: references or identity:KIND).
links() {
  awk '
    /^[^ #]/ { in_tables = ($0 ~ /^tables:/); next }
    !in_tables || /^ *#/ { next }
    /^  [^ ]/ { table = $1; sub(/:$/, "", table); next }
    /^      - \{column:/ {
      line = $0; sub(/^ *- \{/, "", line); sub(/\}.*/, "", line)
      n = split(line, parts, /, */); column = ""; target = ""
      for (i = 1; i <= n; i++) {
        split(parts[i], kv, /: */)
        if (kv[1] == "column") column = kv[2]
        else if (kv[1] == "references") target = kv[2]
        else if (kv[1] == "identity") target = "identity:" kv[2]
      }
      print table, column, target
    }
  ' "$1" | sort
}

# --- the demo shop ------------------------------------------------------------
run_dsr 0 policy init --db "$shop" --output "$draft" --format json
expect_json '.command' '"policy init"'
expect_json '.status' '"ok"'
expect_json '.draft.database_tables' '13'
expect_json '.draft.drafted_tables' '12'
expect_json '.draft.subject_table' '"customers"'
expect_json '.draft.identities' '3'
validate_report
expect_json '.draft.non_personal_tables' '1'
expect_json '.policy.sha256' "\"$(sha256sum "$draft" | cut -d' ' -f1)\""
expect_json '.draft.path' "\"$draft\""
[ "$(stat -c %a "$draft")" = 644 ] || fail "the draft's mode is $(stat -c %a "$draft"), expected 644"
cp "$DSR_TMP/out.json" "$DSR_TMP/report.json"
cp "$DSR_TMP/err.txt" "$DSR_TMP/report.err"

# Every column shop.yaml declares personal is personal in the draft. The
# list is read from shop.yaml; a column the draft may miss would be named in
# `missed_on_purpose` with the reason. The draft misses none.
missed_on_purpose=""
personal_columns "$SHOP_POLICY" >"$DSR_TMP/shop-columns.txt"
personal_columns "$draft" >"$DSR_TMP/draft-columns.txt"
[ "$(wc -l <"$DSR_TMP/shop-columns.txt")" -ge 60 ] || fail "read too few personal columns from shop.yaml: $(wc -l <"$DSR_TMP/shop-columns.txt")"
missed=$(comm -23 "$DSR_TMP/shop-columns.txt" "$DSR_TMP/draft-columns.txt" | paste -sd' ')
[ "$missed" = "$missed_on_purpose" ] || fail "the draft misses personal columns of shop.yaml: '$missed'"
expect_json '.draft.personal_columns' "$(wc -l <"$DSR_TMP/draft-columns.txt")"
# Its extra personal columns are those shop.yaml lists as links or non_personal: none.
extra=$(comm -13 "$DSR_TMP/shop-columns.txt" "$DSR_TMP/draft-columns.txt" | paste -sd' ')
[ -z "$extra" ] || fail "the draft has personal columns shop.yaml does not: '$extra'"

# Every link of shop.yaml is in the draft (which adds loyalty_ledger.order_id
# -> orders.id, a declared foreign key shop.yaml leaves unused on purpose).
links "$SHOP_POLICY" >"$DSR_TMP/shop-links.txt"
links "$draft" >"$DSR_TMP/draft-links.txt"
[ "$(wc -l <"$DSR_TMP/shop-links.txt")" -ge 14 ] || fail "read too few links from shop.yaml"
missing_links=$(comm -23 "$DSR_TMP/shop-links.txt" "$DSR_TMP/draft-links.txt" | paste -sd';')
[ -z "$missing_links" ] || fail "the draft lacks links of shop.yaml: $missing_links"
[ "$(comm -13 "$DSR_TMP/shop-links.txt" "$DSR_TMP/draft-links.txt")" = "loyalty_ledger order_id orders.id" ] ||
  fail "unexpected extra links: $(comm -13 "$DSR_TMP/shop-links.txt" "$DSR_TMP/draft-links.txt" | paste -sd';')"

# The identities of shop.yaml, guessed.
for identity in "email:" "column: customers.email" "customer_id:" "column: customers.id" "phone:" "column: customers.phone"; do
  grep -qF -- "  $identity" "$draft" || fail "the draft lacks identity line '$identity'"
done
grep -q '^non_personal_tables:' "$draft" && grep -q '^  - products  # REVIEW:' "$draft" ||
  fail "products is not drafted as non-personal"

# A review comment on every guess: each column, link, identity, non-personal entry.
for pattern in '{category:' '- {column:' '^  - ' '^    column:'; do
  while IFS= read -r line; do
    case $line in *"# REVIEW:"*) ;; *) fail "a guess without a review comment: $line" ;; esac
  done < <(grep -E -- "$pattern" "$draft" | grep -v '^ *#' | grep -v '^    column:')
done
# Retention is left to a person: suggested in comments, never drafted.
! grep -qE '^ +retention:' "$draft" || fail "the draft decides retention"
grep -q '^    # retention:' "$draft" || fail "the draft suggests no retention"

# It passes policy check: no errors, exit 0; the findings are the ones it
# leaves for review on purpose (purposes and retention are decisions).
run_dsr 0 policy check --policy "$draft" --db "$shop" --format json
expect_json '.errors' '[]'
expect_json '[.findings[].kind] | unique' '["no_purpose","no_retention"]'
expect_json '[.findings[] | select(.kind == "no_retention")] | length' '12'
# With no --db, the draft's own url names the shop (relative to the draft).
run_dsr 0 policy check --policy "$draft" --format json
expect_json '.errors' '[]'

# Without --output the YAML alone goes to stdout (the same draft, but for
# the url: absolute, as there is no file to be relative to); no report.
status=0
"$DSR" policy init --db "sqlite:$shop" >"$DSR_TMP/stdout.yaml" 2>"$DSR_TMP/stdout.err" || status=$?
[ "$status" -eq 0 ] || fail "policy init to stdout exited $status"
[ ! -s "$DSR_TMP/stdout.err" ] || fail "policy init wrote to stderr: $(head -c 300 "$DSR_TMP/stdout.err")"
diff <(grep -v '^    url:' "$draft") <(grep -v '^    url:' "$DSR_TMP/stdout.yaml") >/dev/null ||
  fail "the stdout draft differs from the file"
grep -qF "    url: \"sqlite:$shop\"" "$DSR_TMP/stdout.yaml" || fail "the stdout draft does not name the shop absolutely"

# No sampled value anywhere: real emails, phones, IP addresses, postcodes,
# dates of birth, names and card tokens of the shop.
sql "$shop" "SELECT email FROM customers LIMIT 5;
             SELECT phone FROM customers WHERE phone IS NOT NULL LIMIT 5;
             SELECT birth_date FROM customers WHERE birth_date IS NOT NULL LIMIT 3;
             SELECT last_name FROM customers WHERE length(last_name) > 4 LIMIT 3;
             SELECT ip_address FROM web_sessions LIMIT 3;
             SELECT postcode FROM addresses LIMIT 3;
             SELECT card_token FROM payments WHERE card_token IS NOT NULL LIMIT 3;
             SELECT email FROM orders WHERE customer_id IS NULL LIMIT 3" >"$DSR_TMP/values.txt"
[ "$(wc -l <"$DSR_TMP/values.txt")" -ge 25 ] || fail "too few sample values to look for"
for file in "$draft" "$DSR_TMP/stdout.yaml" "$DSR_TMP/report.json" "$DSR_TMP/report.err" "$DSR_TMP/stdout.err"; do
  if found=$(grep -F -f "$DSR_TMP/values.txt" "$file"); then
    fail "a sampled value is in $(basename "$file"): $(head -c 200 <<<"$found")"
  fi
done

# An existing --output is refused before the database is read, and kept.
before=$(sha256sum "$draft")
run_dsr 12 policy init --db "$shop" --output "$draft" --format json
expect_stderr "refusing to overwrite"
expect_json '.status' '"error"'
expect_json '.error.exit_status' '12'
[ "$(sha256sum "$draft")" = "$before" ] || fail "the refused --output was changed"
# --force replaces it (the same draft again).
run_dsr 0 policy init --db "$shop" --output "$draft" --force --format text
grep -q "^Drafted $draft from 13 tables" "$DSR_TMP/out.json" || fail "text report: $(head -c 300 "$DSR_TMP/out.json")"
[ "$(sha256sum "$draft")" = "$before" ] || fail "the draft is not reproducible"
ls -a "$DSR_TMP" | grep -q '\.tmp-' && fail "a temporary file was left behind"

# Usage and database errors; without --output nothing reaches stdout.
run_dsr 2 policy init --db "$shop" --force
run_dsr 2 policy init
run_dsr 6 policy init --db "$DSR_TMP/absent.db"
[ ! -s "$DSR_TMP/out.json" ] || fail "a failed draft to stdout printed: $(head -c 200 "$DSR_TMP/out.json")"
expect_stderr "dsr: error:"

# --- another team's naming: camelCase, quoted identifiers, no foreign keys ---
camel=$DSR_TMP/camel.db
sqlite3 -batch -bail "$camel" <"$DSR_SOURCE/tests/fixtures/policy_init_camel.sql"
camel_draft=$DSR_TMP/camel.yaml
run_dsr 0 policy init --db "$camel" --output "$camel_draft" --format json
expect_json '.draft.subject_table' '"Customers"'
expect_json '.draft.drafted_tables' '5'
expect_json '.draft.unlinked_tables' '1'
expect_json '.draft.non_personal_tables' '1'
expect_json '.draft.guessed_links' '4'
expect_json '.draft.identities' '3'
validate_report
for line in \
  '  email:  # REVIEW:' '    column: Customers.emailAddress' '    column: Customers.mobileNo' \
  '      - {column: customerId, references: Customers.customerId}' \
  '      - {column: buyerEmail, identity: email}' \
  '      - {column: orderId, references: Orders.orderId}' \
  '  "Payment Cards":' '      - {column: customerID, references: Customers.customerId}' \
  '      pan: {category: payment,' '      recoveryAddress: {category: contact,' \
  '      dateOfBirth: {category: demographic,' '      zip: {category: address,' \
  '  # WebVisits:' '  - Products  # REVIEW:'; do
  grep -qF -- "$line" "$camel_draft" || fail "the camelCase draft lacks '$line'"
done
# The misleading name loses to the values, and says so.
grep -F '      recoveryAddress:' "$camel_draft" | grep -qF 'though its name' || fail "no note on recoveryAddress's name"
run_dsr 0 policy check --policy "$camel_draft" --db "$camel" --format json
expect_json '.errors' '[]'
# Left for review: purposes, retention, indexes the fixture lacks, and the
# commented-out WebVisits (its link, customerRef, follows no naming rule).
expect_json '[.findings[].kind] | unique' '["missing_index","no_purpose","no_retention","personal_name_unlisted"]'
expect_json '[.findings[] | select(.kind == "personal_name_unlisted") | .table] | unique' '["WebVisits"]'
for value in aoife.byrne@example.com guest.buyer@example.com '+353 87 123 4567' '1984-07-19' \
             '4111 1111 1111 1111' 5555555555554444 203.0.113.7 '2001:db8::42' 'D02 X285' Byrne; do
  ! grep -qF -- "$value" "$camel_draft" "$DSR_TMP/out.json" "$DSR_TMP/err.txt" ||
    fail "a fixture value is in the camelCase draft or its check: $value"
done
