# A policy that names what the database lacks is an error (exit 3); personal
# data the policy does not account for is a finding.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop)
if on_backend postgresql; then int=bigint; else int=INTEGER; fi

# Rename a column in the database: the policy's column is now unknown.
sql "$shop" "ALTER TABLE customers RENAME COLUMN phone TO phone_number;"
# A table the policy has never heard of, linked to customers, with an email column.
sql "$shop" "CREATE TABLE wishlist (id $int PRIMARY KEY, customer_id $int REFERENCES customers(id), notify_email TEXT);"

run_dsr 3 policy check --policy "$SHOP_POLICY" --db "$shop" --format json
validate_report
expect_json '.status' '"invalid_policy"'
expect_json '[.errors[] | select(.kind == "unknown_column") | [.table, .column]] | unique' '[["customers","phone"]]'
expect_json '[.errors[] | select(.column == "phone")][0].message | test("did you mean .phone_number.")' 'true'
# Its customer_id has no index: erasing or purging customers would scan it.
expect_json '[.findings[] | select(.table == "wishlist") | .kind] | sort' \
  '["linked_table_unlisted","missing_index","personal_name_unlisted"]'
expect_json '[.findings[] | select(.kind == "unclassified_column") | .column]' '["phone_number"]'

# A dropped table is an unknown_table error naming it.
shop2=$(new_shop shop2)
sql "$shop2" "DROP TABLE returns;"
run_dsr 3 policy check --policy "$SHOP_POLICY" --db "$shop2" --format json
expect_json '[.errors[] | [.kind, .table]]' '[["unknown_table","returns"]]'

# A link whose column types cannot match.
# (Made anew, without the foreign key, whose types could not match either.)
shop3=$(new_shop shop3)
if on_backend postgresql; then
  sql "$shop3" "DROP TABLE web_sessions;
    CREATE TABLE web_sessions (id bigint PRIMARY KEY, customer_id text, ip_address text NOT NULL, user_agent text NOT NULL, started_at bigint NOT NULL);
    CREATE INDEX web_sessions_customer ON web_sessions(customer_id); CREATE INDEX web_sessions_started ON web_sessions(started_at);"
else
  sql "$shop3" "PRAGMA foreign_keys=OFF; ALTER TABLE web_sessions RENAME TO ws_old;
    CREATE TABLE web_sessions (id INTEGER PRIMARY KEY, customer_id TEXT, ip_address TEXT NOT NULL, user_agent TEXT NOT NULL, started_at INTEGER NOT NULL);
    CREATE INDEX web_sessions_customer ON web_sessions(customer_id); CREATE INDEX web_sessions_started ON web_sessions(started_at);
    DROP TABLE ws_old;"
fi
run_dsr 3 policy check --policy "$SHOP_POLICY" --db "$shop3" --format json
expect_json '[.errors[] | [.kind, .table, .column]]' '[["link_type_mismatch","web_sessions","customer_id"]]'
