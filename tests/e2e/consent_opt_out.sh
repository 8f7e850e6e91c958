# CCPA "do not sell or share" as an opt-out purpose (the fixture
# tests/fixtures/policies/ccpa_sale.yaml): everyone counts as consenting to
# `sale` until they withdraw; `withdraw --purpose sale` records the opt-out,
# sets customers.do_not_sell to the integer 1 and names the advertising
# partner to tell; `list --granted` is every registered customer not opted
# out with --db, and only those the ledger knows without it. A purpose
# needing separate consent (PIPL Art. 39) says so.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
policy="$DSR_SOURCE/tests/fixtures/policies/ccpa_sale.yaml"
shop=$(new_db ccpa)
# (the same DDL in both: INTEGER is an integer column in PostgreSQL too)
sql "$shop" "
  CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE,
    marketing_opt_in INTEGER NOT NULL DEFAULT 0, do_not_sell INTEGER NOT NULL DEFAULT 0, last_ip TEXT);
  CREATE TABLE measurements (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), chest_cm REAL);
  INSERT INTO customers (id, email, last_ip) VALUES
    (1, 'sam@example.com', '198.51.100.1'), (2, 'ria@example.com', '198.51.100.2'), (3, 'lee@example.com', NULL);
  INSERT INTO measurements (id, customer_id, chest_cm) VALUES (1, 1, 98.5);"
# typed_do_not_sell ID: the column's type and value, "integer:1" for an integer 1.
typed_do_not_sell() {
  if on_backend sqlite; then
    sql "$shop" "SELECT typeof(do_not_sell) || ':' || do_not_sell FROM customers WHERE id = $1"
  else
    sql "$shop" "SELECT pg_typeof(do_not_sell) || ':' || do_not_sell FROM customers WHERE id = $1"
  fi
}
common=(--policy "$policy" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-20T10:00:00Z
run_dsr 0 policy check --policy "$policy" --db "$shop" --format json  # the fixture matches its schema

# --- before anything is recorded: everyone consents to the sale -------------------
run_dsr 0 consent show "${common[@]}" --db "$shop" --subject email=sam@example.com --purpose sale --format json
validate_report
expect_json '[.consents[0] | .kind, .lawful_basis, .current.consents, .current.by_default, .mirror.rows_out_of_step]' \
  '["opt_out","legitimate_interest",true,true,0]'
run_dsr 0 consent list "${common[@]}" --purpose sale --granted --db "$shop" --format text
[ "$(cat "$DSR_TMP/out.json")" = "$(printf '%s\n' sam@example.com ria@example.com lee@example.com)" ] ||
  fail "before any opt-out, the sale list is not every customer"
# Without the database the ledger knows nobody yet, and says its list is not everyone.
run_dsr 0 consent list "${common[@]}" --purpose sale --granted --format json
validate_report
expect_json '[.consent_list.kind, .consent_list.complete, .consent_list.count]' '["opt_out",false,0]'
expect_stderr "sale is opt-out: without --db only subjects the ledger knows are listed"

# --- Sam opts out through the Do Not Sell link -------------------------------------
run_dsr 0 consent withdraw "${common[@]}" --db "$shop" --subject email=sam@example.com --purpose sale \
  --source "Do Not Sell or Share link" --format json
validate_report
expect_json '[.consent.kind, .consent.previous.consents, .consent.previous.by_default, .consent.current.consents, .consent.changed]' \
  '["opt_out",true,true,false,true]'
expect_json '.consent.mirror' '{"table":"customers","column":"do_not_sell","rows":1,"rows_changed":1}'
expect_json '[.notify[] | [.recipient, .role, .categories]]' '[["adnetwork","third_party",["contact","online_identifier"]]]'
[ "$(typed_do_not_sell 1)" = integer:1 ] ||
  fail "do_not_sell is not the integer 1 after the opt-out"
[ "$(sql "$shop" "SELECT sum(do_not_sell) FROM customers")" = 1 ] || fail "another customer's do_not_sell changed"
sam=$(jq -r .consent.entry.subject "$DSR_TMP/out.json")

run_dsr 0 consent list "${common[@]}" --purpose sale --granted --db "$shop" --format text
[ "$(cat "$DSR_TMP/out.json")" = "$(printf '%s\n' ria@example.com lee@example.com)" ] || fail "Sam is still sold to"
run_dsr 0 consent list "${common[@]}" --purpose sale --withdrawn --db "$shop" --format text
[ "$(cat "$DSR_TMP/out.json")" = sam@example.com ] || fail "the opt-outs are not Sam"
run_dsr 0 consent list "${common[@]}" --purpose sale --withdrawn --format text
[ "$(cat "$DSR_TMP/out.json")" = "$sam" ] || fail "the opted-out pseudonyms are not Sam's"

# --- opting back in ----------------------------------------------------------------
run_dsr 0 consent grant "${common[@]}" --db "$shop" --subject customer_id=1 --purpose sale --source "account settings" --format json
expect_json '[.consent.current.consents, .consent.mirror.rows_changed, .notify]' '[true,1,[]]'
[ "$(typed_do_not_sell 1)" = integer:0 ] || fail "do_not_sell not reset to the integer 0"
run_dsr 0 consent show "${common[@]}" --db "$shop" --subject email=sam@example.com --purpose sale --format json
expect_json '[.consents[0].history[] | [.action, .source]]' \
  '[["withdrawn","Do Not Sell or Share link"],["granted","account settings"]]'
run_dsr 0 consent list "${common[@]}" --purpose sale --granted --format json
expect_json '[.consent_list.subjects, .consent_list.complete]' "[[\"$sam\"],false]"

# --- opt-in purposes beside it: marketing is not presumed, the transfer abroad is separate --
run_dsr 0 consent show "${common[@]}" --db "$shop" --subject email=ria@example.com --format json
validate_report
expect_json '[.consents[] | [.purpose, .kind, .separate, .current.consents]]' \
  '[["marketing","opt_in",false,false],["sale","opt_out",false,true],["measurements_abroad","opt_in",true,false]]'
run_dsr 0 consent show "${common[@]}" --db "$shop" --subject email=ria@example.com --format text
grep -q "measurements_abroad (opt-in, separate consent, lawful basis consent): no consent (never granted)" "$DSR_TMP/out.json" ||
  fail "the text does not say the transfer needs separate consent: $(cat "$DSR_TMP/out.json")"
grep -q "sale (opt-out, lawful basis legitimate_interest): consenting by default" "$DSR_TMP/out.json" ||
  fail "the text does not say the sale is consented by default"
run_dsr 0 consent grant "${common[@]}" --db "$shop" --subject email=sam@example.com --purpose measurements_abroad \
  --source "separate consent screen" --format json
expect_json '[.consent.separate, .consent.mirror, .consent.current.consents]' '[true,null,true]'

run_dsr 0 audit verify --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" --format json
if cat "$DSR_TMP/state.db"* | grep -a -q -F -e sam@example.com -e ria@example.com; then fail "an email reached the state"; fi
echo "PASS: consent opt-out"
