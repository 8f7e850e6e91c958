# Each documented exit code that `dsr policy` can produce, one by one.
# On PostgreSQL: a database that does not exist is exit 6 and is not
# created; "not a database" is a server that is not there (a socket
# directory without a server); the lock held past --busy-timeout is a session
# holding pg_constraint, which `policy check` reads, in ACCESS EXCLUSIVE mode:
# the read waits lock_timeout, exit 11.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop)

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
if on_backend postgresql; then
  # A password in the connection string is refused before connecting, and not repeated.
  run_dsr 2 policy check --policy "$SHOP_POLICY" --db "postgresql://postgres:s3cr3t-pw@localhost/shop"
  expect_stderr "password"
  if grep -qF "s3cr3t-pw" "$DSR_TMP/err.txt" "$DSR_TMP/out.json"; then fail "the password was repeated"; fi
fi

# 3: invalid policy (see policy_invalid.sh for positions).
printf 'version: 1\n' > "$DSR_TMP/min.yaml"
run_dsr 3 policy check --policy "$DSR_TMP/min.yaml"

# 6: the database cannot be opened or is not a database.
absent=$(absent_db absent)
run_dsr 6 policy check --policy "$SHOP_POLICY" --db "$absent" --format json
if on_backend postgresql; then
  expect_stderr "dsr: error: postgresql:$(pg_dbname "$absent")@"
  expect_stderr "cannot connect"
else
  expect_stderr "dsr: error: $DSR_TMP/absent.db: database file does not exist"
fi
validate_report
expect_json '[.status, .error.exit_status]' '["error",6]'
if on_backend postgresql; then
  [ "$(psql_admin -c "SELECT count(*) FROM pg_database WHERE datname = '$(pg_dbname "$absent")'")" = 0 ] ||
    fail "dsr created the missing database"
  mkdir "$DSR_TMP/no-server"
  run_dsr 6 policy check --policy "$SHOP_POLICY" --db "postgresql:///shop?host=$DSR_TMP/no-server&port=5432&user=postgres"
else
  [ ! -e "$DSR_TMP/absent.db" ] || fail "dsr created the missing database"
  echo "not a database" > "$DSR_TMP/junk.db"
  run_dsr 6 policy check --policy "$SHOP_POLICY" --db "$DSR_TMP/junk.db"
  # dsr alone, without the PostgreSQL module it loads for a PostgreSQL URL:
  # the database cannot be opened, and the message says why.
  mkdir "$DSR_TMP/bare"
  cp "${DSR_BINARY:-$DSR}" "$DSR_TMP/bare/dsr"
  DSR="$DSR_TMP/bare/dsr" run_dsr 6 policy check --policy "$SHOP_POLICY" --db "postgresql:///shop?host=/nonexistent"
  expect_stderr "dsr-postgresql.so is not installed"
fi

# 8: findings with --strict.
run_dsr 8 policy check --policy "$SHOP_POLICY" --db "$shop" --strict

# 11: a writer holds an exclusive lock longer than --busy-timeout.
if on_backend postgresql; then
  (printf 'BEGIN;\nLOCK TABLE pg_catalog.pg_constraint IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(4);\nCOMMIT;\n' |
     sql "$shop" >/dev/null) &
  locker=$!
  for _ in $(seq 100); do
    [ "$(sql "$shop" "SELECT count(*) FROM pg_locks WHERE relation = 'pg_catalog.pg_constraint'::regclass
                      AND mode = 'AccessExclusiveLock' AND granted")" -ge 1 ] && break
    sleep 0.1
  done
else
  (printf 'BEGIN EXCLUSIVE;\nSELECT 1;\n'; sleep 4; printf 'COMMIT;\n') | sqlite3 "$shop" >/dev/null &
  locker=$!
  sleep 1
fi
start=$(date +%s%N)
run_dsr 11 policy check --policy "$SHOP_POLICY" --db "$shop" --busy-timeout 300
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$locker"
if on_backend postgresql; then expect_stderr "lock_timeout 300 ms ran out"; else expect_stderr "database is locked"; fi
[ "$elapsed_ms" -lt 3000 ] || fail "waited ${elapsed_ms} ms for a 300 ms busy timeout"
