# A policy naming two databases, a table in each: policy check reads each
# database's own schema, purge walks the tables of both, and the subject
# commands, which read one database, refuse the policy (exit 3) rather than
# leave the second database's rows out of an access report or an erasure.
source "$DSR_SOURCE/tests/e2e/lib.sh"
make_shop "$DSR_TMP/shop.db" 200
cp "$DSR_TMP/shop.db" "$DSR_TMP/archive.db"
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-20T10:00:00Z
policy="$DSR_TMP/two.yaml"
# web_sessions moves to the archive database; everything else stays.
sed -e "s|^databases:|databases:\n  archive:\n    url: sqlite:$DSR_TMP/archive.db|" \
    -e "s|url: sqlite:../demo/shop.db|url: sqlite:$DSR_TMP/shop.db\n    default: true|" \
    -e "s|^  web_sessions:|  web_sessions:\n    database: archive|" "$SHOP_POLICY" >"$policy"
common=(--policy "$policy" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")

run_dsr 0 policy check --policy "$policy" --format json
validate_report
expect_json '.errors | length' '0'

# Drop the table from the shop: the check must still pass, since it looks
# for web_sessions in the archive only; dropping it there is an error.
sqlite3 "$DSR_TMP/shop.db" "DROP TABLE web_sessions"
run_dsr 0 policy check --policy "$policy" --format json
sqlite3 "$DSR_TMP/archive.db" "ALTER TABLE web_sessions RENAME TO old_sessions"
run_dsr 3 policy check --policy "$policy" --format json
expect_json '[.errors[] | .table] | unique' '["web_sessions"]'
sqlite3 "$DSR_TMP/archive.db" "ALTER TABLE old_sessions RENAME TO web_sessions"

# purge: each database's own tables, counted per database.
expired=$(sqlite3 "$DSR_TMP/archive.db" "SELECT count(*) FROM web_sessions WHERE started_at < (strftime('%s', '2026-11-20') - 90 * 86400) * 1000")
[ "$expired" -gt 0 ] || fail "fixture: no expired web session in the archive"
run_dsr 0 purge "${common[@]}" --format json
validate_report
expect_json '[.tables[] | select(.table == "web_sessions") | .database]' '["archive"]'
expect_json '[.tables[] | select(.table == "orders") | .database]' '["shop"]'
left=$(sqlite3 "$DSR_TMP/archive.db" "SELECT count(*) FROM web_sessions WHERE started_at < (strftime('%s', '2026-11-20') - 90 * 86400) * 1000")
[ "$left" -eq 0 ] || fail "purge left $left expired web sessions in the archive"

# The subject commands read one database: refused before any row is read or changed.
before=$(sqlite3 "$DSR_TMP/shop.db" .dump | sha256sum)
for cmd in access "erase --yes" "rectify --set customers.first_name=Ana"; do
  # shellcheck disable=SC2086 # the command and its own options
  run_dsr 3 $cmd "${common[@]}" --subject customer_id=1 --format json
  expect_stderr "live in another"
  expect_stderr "'web_sessions' (archive)"
done
[ "$(sqlite3 "$DSR_TMP/shop.db" .dump | sha256sum)" = "$before" ] || fail "a refused command changed the shop"
