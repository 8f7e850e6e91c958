# Where dsr finds the policy, the database, the state store and the keys: a
# flag, else DSR_POLICY / DSR_DB / DSR_STATE / DSR_KEYS, else the policy's own
# setting (dsr(1) ENVIRONMENT). Two shops of different sizes tell the
# databases apart: customer 250 exists only in the larger one.
# backends: sqlite
source "$DSR_SOURCE/tests/e2e/lib.sh"
small=$(new_shop small 200)
large=$(new_shop large 300)
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
unset DSR_POLICY DSR_DB DSR_STATE DSR_KEYS

# --- the environment alone: the policy's url (../demo/shop.db) is not used ---------
env_state=$DSR_TMP/env-state.db
export DSR_POLICY=$SHOP_POLICY DSR_DB=$large DSR_STATE=$env_state DSR_KEYS=$DSR_TMP/keys
run_dsr 0 access --subject customer_id=250 --format json
validate_report
expect_json '.subject.registered_matches' '1'
expect_json '.policy.path' "\"$SHOP_POLICY\""
[ -s "$env_state" ] || fail "DSR_STATE: no state store at $env_state"
entries=$("$DSR" audit show --state "$env_state" --keys "$DSR_TMP/keys" --format json | jq '.entries | length')
[ "$entries" -ge 1 ] || fail "DSR_STATE: the access was not audited in $env_state"

# --- a flag beats its variable ---------------------------------------------------------
run_dsr 4 access --db "$small" --subject customer_id=250 --format json
expect_json '.status' '"not_found"'
flag_state=$DSR_TMP/flag-state.db
before=$(sha256sum "$env_state")
run_dsr 0 access --state "$flag_state" --subject customer_id=250 --format json
[ -s "$flag_state" ] || fail "--state: no state store at $flag_state"
[ "$(sha256sum "$env_state")" = "$before" ] || fail "--state given, yet the DSR_STATE store changed"
DSR_POLICY=$DSR_TMP/no-such-policy.yaml run_dsr 0 policy check --policy "$SHOP_POLICY" --format json
DSR_KEYS=$DSR_TMP/no-such-keys run_dsr 0 access --keys "$DSR_TMP/keys" --subject customer_id=250 --format json

# --- the variable is what is used when set -------------------------------------------
DSR_POLICY=$DSR_TMP/no-such-policy.yaml run_dsr 3 policy check --format json
expect_stderr "no-such-policy.yaml"
DSR_DB=$small run_dsr 0 policy check --format json
DSR_KEYS=$DSR_TMP/no-such-keys run_dsr 13 access --subject customer_id=250 --format json
expect_stderr "from DSR_KEYS"

# --- neither flag nor variable: the usual usage error ----------------------------------
unset DSR_POLICY
run_dsr 2 policy check
expect_stderr "--policy"
# An empty variable counts as unset.
DSR_POLICY= run_dsr 2 policy check
