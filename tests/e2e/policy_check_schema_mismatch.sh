# A policy that names what the database lacks is an error (exit 3); personal
# data the policy does not account for is a finding.
source "$DSR_SOURCE/tests/e2e/lib.sh"
make_shop "$DSR_TMP/shop.db"

# Rename a column in the database: the policy's column is now unknown.
sqlite3 "$DSR_TMP/shop.db" "ALTER TABLE customers RENAME COLUMN phone TO phone_number;"
# A table the policy has never heard of, linked to customers, with an email column.
sqlite3 "$DSR_TMP/shop.db" "CREATE TABLE wishlist (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), notify_email TEXT);"

run_dsr 3 policy check --policy "$SHOP_POLICY" --db "$DSR_TMP/shop.db" --format json
validate_report
expect_json '.status' '"invalid_policy"'
expect_json '[.errors[] | select(.kind == "unknown_column") | [.table, .column]] | unique' '[["customers","phone"]]'
expect_json '[.errors[] | select(.column == "phone")][0].message | test("did you mean .phone_number.")' 'true'
# Its customer_id has no index: erasing or purging customers would scan it.
expect_json '[.findings[] | select(.table == "wishlist") | .kind] | sort' \
  '["linked_table_unlisted","missing_index","personal_name_unlisted"]'
expect_json '[.findings[] | select(.kind == "unclassified_column") | .column]' '["phone_number"]'

# A dropped table is an unknown_table error naming it.
make_shop "$DSR_TMP/shop2.db"
sqlite3 "$DSR_TMP/shop2.db" "DROP TABLE returns;"
run_dsr 3 policy check --policy "$SHOP_POLICY" --db "$DSR_TMP/shop2.db" --format json
expect_json '[.errors[] | [.kind, .table]]' '[["unknown_table","returns"]]'

# A link whose column types cannot match.
make_shop "$DSR_TMP/shop3.db"
sqlite3 "$DSR_TMP/shop3.db" "PRAGMA foreign_keys=OFF; ALTER TABLE web_sessions RENAME TO ws_old;
  CREATE TABLE web_sessions (id INTEGER PRIMARY KEY, customer_id TEXT, ip_address TEXT NOT NULL, user_agent TEXT NOT NULL, started_at INTEGER NOT NULL);
  CREATE INDEX web_sessions_customer ON web_sessions(customer_id); CREATE INDEX web_sessions_started ON web_sessions(started_at);
  DROP TABLE ws_old;"
run_dsr 3 policy check --policy "$SHOP_POLICY" --db "$DSR_TMP/shop3.db" --format json
expect_json '[.errors[] | [.kind, .table, .column]]' '[["link_type_mismatch","web_sessions","customer_id"]]'
