# `dsr erase --dry-run --plan-out` then `--apply`: four-eyes review. The plan
# file is private (0600), holds no value of the subject, and is never
# overwritten without --force; applying it does exactly what a direct erasure
# of a copy does (full dumps equal); a plan for another subject, identity
# kind or policy, a malformed plan, and a plan whose rows changed since (a row
# added, a row changed) are refused with exit 2 and no byte changed.
# On PostgreSQL "no byte changed" is: the full dump unchanged; a saved copy
# is a database copied by CREATE DATABASE ... TEMPLATE, put back by dropping
# the shop and copying the saved one under the shop's name.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop 300)
export DSR_NOW=2026-11-01
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
st=(--policy "$SHOP_POLICY" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
q() { sql "$shop" "$1"; }
# db_sha DB: a hash of DB: of the SQLite file, byte for byte, or of the
# PostgreSQL database's full dump.
db_sha() {
  if on_backend sqlite; then sha256sum "$1" | cut -d' ' -f1; else dump_shop "$1" | sha256sum | cut -d' ' -f1; fi
}
sha() { db_sha "$shop"; }
# restore SAVED: the shop becomes a copy of the database SAVED again.
restore() {
  local back
  drop_shop "$shop"
  back=$(copy_shop "$1" shop)
  [ "$back" = "$shop" ] || fail "fixture: the shop came back as $back, not $shop"
}
plan="$DSR_TMP/plan.json"

cid=$(q "SELECT c.id FROM customers c WHERE (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) >= 2
         AND EXISTS (SELECT 1 FROM addresses a WHERE a.customer_id = c.id) ORDER BY c.id LIMIT 1")
[ -n "$cid" ] || fail "fixture: no customer with orders and an address"
email=$(q "SELECT email FROM customers WHERE id = $cid")
copy=$(copy_shop "$shop" copy)
before=$(sha)

# --- the plan ------------------------------------------------------------------
run_dsr 7 erase "${st[@]}" --db "$shop" --subject "email=$email" --dry-run --plan-out "$plan" --format json
validate_report
cp "$DSR_TMP/out.json" "$DSR_TMP/dry.json"
[ "$(stat -c %a "$plan")" = 600 ] || fail "the plan's mode is $(stat -c %a "$plan"), expected 600"
[ "$(sha)" = "$before" ] || fail "the dry run changed the database"
jq -e '.format == "dsr-erase-plan" and .version == 1 and .subject.identity_kind == "email"' "$plan" >/dev/null ||
  fail "plan header: $(head -c 400 "$plan")"
[ "$(jq -r .digest "$plan")" = "$(jq -r .erasure.plan_digest "$DSR_TMP/dry.json")" ] || fail "plan digest differs from the report's"
[ "$(jq -r .subject.pseudonym "$plan")" = "$(jq -r .subject.pseudonym "$DSR_TMP/dry.json")" ] || fail "plan pseudonym"
[ "$(jq -c '[.tables[] | [.table, .deleted, .masked]]' "$plan")" = \
  "$(jq -c '[.erasure.tables[] | [.table, .deleted, .masked]]' "$DSR_TMP/dry.json")" ] || fail "plan tables differ from the report's"
# No value of the subject: not the email, its local part, phone, name or address.
local_part=${email%@*}
if grep -qiF -e "$email" -e "$local_part" "$plan"; then fail "the plan holds the subject's email"; fi
while IFS= read -r v; do
  [ ${#v} -ge 4 ] || continue
  if grep -qF -- "$v" "$plan"; then fail "the plan holds a value of the subject"; fi
done < <(q "SELECT phone FROM customers WHERE id = $cid AND phone IS NOT NULL
            UNION SELECT first_name FROM customers WHERE id = $cid UNION SELECT last_name FROM customers WHERE id = $cid
            UNION SELECT recipient_name FROM addresses WHERE customer_id = $cid
            UNION SELECT line1 FROM addresses WHERE customer_id = $cid")
# Never overwritten without --force.
cp "$plan" "$DSR_TMP/plan.keep"
run_dsr 12 erase "${st[@]}" --db "$shop" --subject "email=$email" --dry-run --plan-out "$plan"
cmp -s "$plan" "$DSR_TMP/plan.keep" || fail "the plan was overwritten without --force"
run_dsr 7 erase "${st[@]}" --db "$shop" --subject "email=$email" --dry-run --plan-out "$plan" --force --format json
[ "$(jq -r .digest "$plan")" = "$(jq -r .digest "$DSR_TMP/plan.keep")" ] || fail "a second dry run made another digest"
# --plan-out only with --dry-run; --apply not with --dry-run.
run_dsr 2 erase "${st[@]}" --db "$shop" --subject "email=$email" --plan-out "$DSR_TMP/p2.json" --yes
run_dsr 2 erase "${st[@]}" --db "$shop" --subject "email=$email" --apply "$plan" --dry-run
[ ! -e "$DSR_TMP/p2.json" ] || fail "--plan-out without --dry-run wrote a file"

# --- refusals: each exit 2, not a byte changed ------------------------------------
# (A refusal leaves the hash as it found it, so the next refusal starts from
# it: $known_sha, emptied whenever the test itself changes the database.)
known_sha=
refused() {  # refused MESSAGE ARGS...: exit 2, MESSAGE on stderr, the database unchanged
  local msg=$1; shift
  local was=${known_sha:-$(sha)}
  run_dsr 2 erase "$@"
  expect_stderr "$msg"
  expect_stderr "nothing was changed"
  known_sha=$(sha)
  [ "$known_sha" = "$was" ] || fail "a refused --apply changed the database ($msg)"
}
other=$(q "SELECT id FROM customers WHERE id <> $cid ORDER BY id LIMIT 1")
other_email=$(q "SELECT email FROM customers WHERE id = $other")
refused "not the subject the plan was made for" "${st[@]}" --subject "email=$other_email" --apply "$plan" --yes
refused "names its subject by email, --subject by customer_id" "${st[@]}" --subject "customer_id=$cid" --apply "$plan" --yes
if grep -qF "$other_email" "$DSR_TMP/err.txt" "$DSR_TMP/out.json"; then fail "a refusal echoed an identity"; fi
# A changed policy (one comment more is another SHA-256).
{ cat "$SHOP_POLICY"; echo "# reviewed again"; } >"$DSR_TMP/policy2.yaml"
refused "another version of the policy" --policy "$DSR_TMP/policy2.yaml" --state "$DSR_TMP/state.db" \
  --keys "$DSR_TMP/keys" --subject "email=$email" --apply "$plan" --yes
# Another database.
refused "the plan is for database" "${st[@]}" --db "$copy" --subject "email=$email" --apply "$plan" --yes
# Malformed plans: not JSON, a field missing, a field of the wrong form, an unknown field, edited counts.
head -c 200 "$plan" >"$DSR_TMP/bad.json"
refused "not a valid dsr erase plan: not JSON" "${st[@]}" --subject "email=$email" --apply "$DSR_TMP/bad.json" --yes
jq 'del(.digest)' "$plan" >"$DSR_TMP/bad.json"
refused "digest is missing" "${st[@]}" --subject "email=$email" --apply "$DSR_TMP/bad.json" --yes
jq '.digest = "xyz"' "$plan" >"$DSR_TMP/bad.json"
refused "digest is not 64 lowercase hex digits" "${st[@]}" --subject "email=$email" --apply "$DSR_TMP/bad.json" --yes
jq '.subject.email = "a@b.c"' "$plan" >"$DSR_TMP/bad.json"
refused "subject.email is not a field of a plan" "${st[@]}" --subject "email=$email" --apply "$DSR_TMP/bad.json" --yes
jq '.tables[0].deleted += 1 | .tables[0].matched += 1 | .totals.deleted += 1 | .totals.matched += 1' "$plan" >"$DSR_TMP/bad.json"
refused "per-table counts are not those its digest stands for" "${st[@]}" --subject "email=$email" --apply "$DSR_TMP/bad.json" --yes
jq '.totals.deleted += 1' "$plan" >"$DSR_TMP/bad.json"
refused "totals.deleted is not the sum over the tables" "${st[@]}" --subject "email=$email" --apply "$DSR_TMP/bad.json" --yes
run_dsr 12 erase "${st[@]}" --subject "email=$email" --apply "$DSR_TMP/absent.json" --yes
# No terminal and no --yes.
refused "standard input is not a terminal" "${st[@]}" --subject "email=$email" --apply "$plan" </dev/null

# Rows of the subject changed between plan and apply: refused, database as it was.
saved=$(copy_shop "$shop" saved)
known_sha=
q "INSERT INTO addresses (id, customer_id, kind, recipient_name, line1, city, postcode, country, created_at)
   SELECT (SELECT max(id) + 1 FROM addresses), customer_id, kind, recipient_name, line1, city, postcode, country,
          created_at FROM addresses
   WHERE customer_id = $cid ORDER BY id LIMIT 1"
refused "rows changed since the plan was made" "${st[@]}" --subject "email=$email" --apply "$plan" --yes
restore "$saved"
# A value the erasure masks, and one it neither reads for a link nor masks
# (an order's status): the digest covers whole rows.
known_sha=
q "UPDATE payments SET card_token = coalesce(card_token, '') || 'x'
   WHERE id = (SELECT min(p.id) FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.customer_id = $cid)"
[ "$(sha)" != "$(db_sha "$saved")" ] || fail "fixture: the payment was not changed"
refused "rows changed since the plan was made" "${st[@]}" --subject "email=$email" --apply "$plan" --yes
restore "$saved"
known_sha=
q "UPDATE orders SET status = status || '-x' WHERE id = (SELECT min(id) FROM orders WHERE customer_id = $cid)"
[ "$(sha)" != "$(db_sha "$saved")" ] || fail "fixture: the order was not changed"
refused "rows changed since the plan was made" "${st[@]}" --subject "email=$email" --apply "$plan" --yes
restore "$saved"
[ "$(sha)" = "$before" ] || fail "fixture: the database was not restored"

# --- apply = a direct erasure of a copy ---------------------------------------------
# Without --db: the plan names its database.
run_dsr 7 erase "${st[@]}" --subject "email=$email" --apply "$plan" --yes --format json
validate_report
cp "$DSR_TMP/out.json" "$DSR_TMP/applied.json"
expect_json '.erasure.plan_digest' "$(jq -c .digest "$plan")"
[ "$(sha)" != "$before" ] || fail "the apply changed nothing"
run_dsr 7 erase --policy "$SHOP_POLICY" --state "$DSR_TMP/state-copy.db" --keys "$DSR_TMP/keys" --db "$copy" \
  --subject "email=$email" --yes --format json
[ "$(jq -c .erasure.tables "$DSR_TMP/out.json")" = "$(jq -c .erasure.tables "$DSR_TMP/applied.json")" ] ||
  fail "the applied plan's report differs from a direct erasure's"
dump_shop "$shop" >"$DSR_TMP/applied.sql"
dump_shop "$copy" >"$DSR_TMP/direct.sql"
diff -q "$DSR_TMP/applied.sql" "$DSR_TMP/direct.sql" >/dev/null || fail "applying the plan differs from a direct erasure"
# Applied once: the same plan again is stale.
known_sha=
refused "rows changed since the plan was made" "${st[@]}" --subject "email=$email" --apply "$plan" --yes
# The audit log holds the refusals and the erasure, and verifies.
run_dsr 0 audit verify --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" --format json
