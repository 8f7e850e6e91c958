# Each documented exit code that `dsr policy` can produce, one by one.
source "$DSR_SOURCE/tests/e2e/lib.sh"
make_shop "$DSR_TMP/shop.db"

# 0: help and version.
run_dsr 0 --help
run_dsr 0 policy check --help
run_dsr 0 --version

# 2: usage errors, never CLI11's own codes.
run_dsr 2
run_dsr 2 policy
run_dsr 2 frobnicate
run_dsr 2 policy check
run_dsr 2 policy check --policy "$SHOP_POLICY" --no-such-option
run_dsr 2 policy check --policy "$SHOP_POLICY" --format yaml
run_dsr 2 policy check --policy "$SHOP_POLICY" --format 1
run_dsr 2 policy check --policy "$SHOP_POLICY" --busy-timeout -5

# 3: invalid policy (see policy_invalid.sh for positions).
printf 'version: 1\n' > "$DSR_TMP/min.yaml"
run_dsr 3 policy check --policy "$DSR_TMP/min.yaml"

# 6: the database cannot be opened or is not a database.
run_dsr 6 policy check --policy "$SHOP_POLICY" --db "$DSR_TMP/absent.db" --format json
expect_stderr "dsr: error: $DSR_TMP/absent.db: database file does not exist"
validate_report
expect_json '[.status, .error.exit_status]' '["error",6]'
[ ! -e "$DSR_TMP/absent.db" ] || fail "dsr created the missing database"
echo "not a database" > "$DSR_TMP/junk.db"
run_dsr 6 policy check --policy "$SHOP_POLICY" --db "$DSR_TMP/junk.db"

# 8: findings with --strict.
run_dsr 8 policy check --policy "$SHOP_POLICY" --db "$DSR_TMP/shop.db" --strict

# 11: a writer holds an exclusive lock longer than --busy-timeout.
(printf 'BEGIN EXCLUSIVE;\nSELECT 1;\n'; sleep 4; printf 'COMMIT;\n') | sqlite3 "$DSR_TMP/shop.db" >/dev/null &
locker=$!
sleep 1
start=$(date +%s%N)
run_dsr 11 policy check --policy "$SHOP_POLICY" --db "$DSR_TMP/shop.db" --busy-timeout 300
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$locker"
expect_stderr "database is locked"
[ "$elapsed_ms" -lt 3000 ] || fail "waited ${elapsed_ms} ms for a 300 ms busy timeout"
