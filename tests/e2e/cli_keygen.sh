# `dsr keygen`: private files, never replaced without --force; missing keys are exit 13.
source "$DSR_SOURCE/tests/e2e/lib.sh"
keys="$DSR_TMP/keys"

run_dsr 0 keygen --keys "$keys" --format json
validate_report
expect_json '.command' '"keygen"'
expect_json '.public_key | test("^[0-9a-f]{64}$")' 'true'
public=$(jq -r .public_key "$DSR_TMP/out.json")
[ "$(cat "$keys/audit-signing.pub")" = "$public" ] || fail "printed public key differs from the file"
[ "$(stat -c %a "$keys")" = 700 ] || fail "key directory is not 0700"
for f in pseudonym.key audit-signing.key audit-signing.pub; do
  [ "$(stat -c %a "$keys/$f")" = 600 ] || fail "$f is not 0600"
done
[ "$(stat -c %s "$keys/pseudonym.key")" = 32 ] || fail "pseudonym key is not 32 bytes"
before=$(sha256sum "$keys/pseudonym.key")

# Never overwritten without --force.
run_dsr 2 keygen --keys "$keys"
expect_stderr "never replaced without --force"
[ "$(sha256sum "$keys/pseudonym.key")" = "$before" ] || fail "key changed without --force"
run_dsr 0 keygen --keys "$keys" --force --format json
[ "$(sha256sum "$keys/pseudonym.key")" != "$before" ] || fail "--force did not replace the key"

# DSR_KEYS is the second place looked; a missing key names where dsr looked.
DSR_KEYS="$DSR_TMP/nowhere" run_dsr 13 request open --policy "$SHOP_POLICY" --state "$DSR_TMP/state.db" \
  --type access --subject email=ana@example.com
expect_stderr "$DSR_TMP/nowhere/pseudonym.key"
expect_stderr "from DSR_KEYS"
