# `dsr erase` killed at every point: with DSR_FAULT=K the process SIGKILLs
# itself right after its K-th data-changing statement (the commit counts as
# one), for every K from 1 to the number of statements + 1, in rollback-
# journal and in WAL mode; then real `kill -9` at random moments of a long
# erasure. After each: integrity_check and foreign_key_check are clean; the
# whole database (a logical dump) is exactly as before, or exactly as after
# a complete erasure — the subject fully present or fully erased, every
# other row identical; the audit log shows the interrupted intent; a re-run
# completes, refers to it, and leaves the database as after.
#
# On PostgreSQL there are no journal modes: the kills run once, at every K
# as on SQLite (an erasure is short), and the database is compared after the
# server has rolled back the killed client's transaction, i.e. once no
# backend but ours is connected to it. "Whole" is check_shop (every declared
# foreign key holds) and the dump_shop comparison. The long erasure's guest
# has 600 orders rather than 3000 (PG_BIG_ORDERS) and is killed 3 times
# rather than 8 (PG_KILLS): every statement is a round trip to the server,
# and 1200 statements already take about a second there.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
base=$(new_shop base 300)
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-20T10:00:00Z
work=$(absent_db work)
state="$DSR_TMP/state.db"
erase_args() { echo --policy "$SHOP_POLICY" --db "$work" --state "$state" --keys "$DSR_TMP/keys" --yes --format json; }
dump() { dump_shop "$1"; }
if on_backend postgresql; then
  modes=postgresql
  big_orders=${PG_BIG_ORDERS:-600} kills=${PG_KILLS:-3}
else
  modes="delete wal"
  big_orders=3000 kills=8
fi

# wait_idle DB: returns once no other session is connected to DB (PostgreSQL:
# the server has noticed a killed client and rolled its transaction back).
wait_idle() {
  is_pg "$1" || return 0
  local i others
  for i in $(seq 200); do
    others=$(sql "$1" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
    [ "$others" = 0 ] && return 0
    sleep 0.05
  done
  fail "a session is still connected to $(pg_dbname "$1") 10 s after its client was killed"
}

# A customer with several orders, some of them under the tax hold.
cid=$(sql "$base" "SELECT customer_id FROM orders WHERE customer_id IS NOT NULL GROUP BY customer_id
                   HAVING count(*) >= 3 AND max(placed_at) > '2017-01-01' ORDER BY customer_id LIMIT 1")
[ -n "$cid" ] || fail "fixture: no customer with three orders"

# fresh MODE: the work database as the base (SQLite: in journal MODE), and an empty state store.
fresh() {
  rm -f "$state" "$state-wal" "$state-shm"
  drop_shop "$work"
  local copy
  copy=$(copy_shop "$base" work)
  [ "$copy" = "$work" ] || fail "fixture: the work copy is $copy, not $work"
  if on_backend sqlite; then sqlite3 "$work" "PRAGMA journal_mode = $1" >/dev/null; fi
}

# check_whole LABEL [exited]: the database is intact and exactly before or
# after; prints which. Unless dsr exited by itself (EXITED), first waits for
# the server to be done with the killed client.
check_whole() {
  [ -n "${2:-}" ] || wait_idle "$work"
  (check_shop "$work") || fail "$1: the database is not intact"
  dump "$work" >"$DSR_TMP/now.sql"
  if cmp -s "$DSR_TMP/now.sql" "$DSR_TMP/before.sql"; then echo before
  elif cmp -s "$DSR_TMP/now.sql" "$DSR_TMP/after.sql"; then echo after
  else
    diff "$DSR_TMP/before.sql" "$DSR_TMP/now.sql" | head -5 >&2
    fail "$1: the database is neither as before nor as after the erasure"
  fi
}

# check_rerun LABEL: a re-run completes; the audit log shows the interrupted
# erase intent (the only erase entry before the re-run's) and the re-run's
# intent refers to it; the database is as after.
check_rerun() {
  local status=0
  # shellcheck disable=SC2046
  "$DSR" erase $(erase_args) --subject customer_id=$cid >"$DSR_TMP/rerun.json" 2>"$DSR_TMP/rerun.err" || status=$?
  [ "$status" -eq 7 ] || fail "$1: the re-run exited $status: $(cat "$DSR_TMP/rerun.err")"
  jq -e '.verification.passed' "$DSR_TMP/rerun.json" >/dev/null || fail "$1: the re-run's verification failed"
  "$DSR" audit show --state "$state" --format jsonl >"$DSR_TMP/audit.jsonl"
  jq -s -e '[.[] | select(.command == "erase")] | length == 3 and .[0].phase == "intent" and
      .[1].phase == "intent" and .[1].refers_to == .[0].seq and
      .[2].phase == "done" and .[2].refers_to == .[1].seq' "$DSR_TMP/audit.jsonl" >/dev/null ||
    fail "$1: the audit log does not show the interrupted intent, or the re-run's entries do not refer to it: $(cat "$DSR_TMP/audit.jsonl")"
  [ "$(check_whole "$1 re-run" exited)" = after ] || fail "$1: the re-run did not leave the database as after"
  if on_backend sqlite; then [ ! -s "$work-wal" ] || fail "$1: the re-run left a non-empty write-ahead log"; fi
}

for mode in $modes; do
  # The reference: a complete erasure, its statement count and the state after.
  fresh $mode
  dump "$work" >"$DSR_TMP/before.sql"
  # shellcheck disable=SC2046
  run_dsr 7 erase $(erase_args) --subject customer_id=$cid
  statements=$(jq .erasure.statements "$DSR_TMP/out.json")
  [ "$statements" -ge 5 ] || fail "fixture: only $statements statements"
  dump "$work" >"$DSR_TMP/after.sql"
  cmp -s "$DSR_TMP/before.sql" "$DSR_TMP/after.sql" && fail "fixture: the reference erasure changed nothing"
  commit=$((statements + 1))

  ks=$(seq 1 $((commit + 1)))
  if [ "${DSR_SANITIZED:-0}" = 1 ] && [ "$mode" = wal ]; then
    # Under the sanitizers, where dsr starts ten times slower, WAL mode gets
    # the ends and a sample between (journal mode swept in full): the same
    # code is killed at every K there, only the journal differs.
    ks="1 2 $((commit - 1)) $commit $((commit + 1))$(for _ in 1 2 3 4; do printf ' %d' $((RANDOM % commit + 1)); done)"
  fi
  for k in $ks; do
    fresh $mode
    status=0
    # The group's stderr hides bash's own "Killed" notice.
    # shellcheck disable=SC2046
    { DSR_FAULT=$k "$DSR" erase $(erase_args) --subject customer_id=$cid >"$DSR_TMP/k.json" 2>"$DSR_TMP/k.err"; } 2>/dev/null ||
      status=$?
    if [ "$k" -le "$commit" ]; then
      [ "$status" -eq 137 ] || fail "$mode K=$k: exited $status, expected to be killed (137)"
      state_now=$(check_whole "$mode K=$k")
      if [ "$k" -lt "$commit" ]; then want=before; else want=after; fi
      [ "$state_now" = "$want" ] || fail "$mode K=$k: the database is as $state_now, expected $want"
      check_rerun "$mode K=$k"
    else
      # One more than there are statements: the job runs to the end.
      [ "$status" -eq 7 ] || fail "$mode K=$k: exited $status, expected 7: $(cat "$DSR_TMP/k.err")"
      [ "$(check_whole "$mode K=$k" exited)" = after ] || fail "$mode K=$k: not as after"
    fi
  done
  echo "erase_crash: $mode mode: killed after each of $commit statements, all whole" >&2
done

# --- real SIGKILLs at random moments of a long erasure ---------------------------
# A guest with thousands of orders under the hold: one UPDATE per held order
# and per payment, so the erasure runs long enough to be hit mid-way.
big=big.spender@example.com
if on_backend postgresql; then
  minute="CAST('2025-01-01T00:00:00Z' AS timestamptz) + i * interval '1 minute'"
else
  minute="strftime('%Y-%m-%dT%H:%M:%SZ', '2025-01-01', '+' || i || ' minutes')"
fi
# (Keys given: the PostgreSQL shop's keys have no default. The new orders,
# payments and shipments take the keys after each table's last.)
read -r max_order max_payment max_shipment <<<"$(sql "$base" "SELECT (SELECT max(id) FROM orders),
  (SELECT max(id) FROM payments), (SELECT max(id) FROM shipments)" | tr '|' ' ')"
sql "$base" "
  INSERT INTO orders (id, customer_id, email, placed_at, status, total_cents, currency)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $big_orders)
    SELECT $max_order + i, NULL, '$big', $minute, 'delivered', 1000 + i, 'EUR' FROM n;
  INSERT INTO payments (id, order_id, method, card_token, card_last4, amount_cents, paid_at, status)
    SELECT $max_payment + id - $max_order, id, 'card', 'tok_' || id, '4242', total_cents, placed_at, 'captured'
    FROM orders WHERE email = '$big';
  INSERT INTO shipments (id, order_id, carrier, tracking_number, ship_to_name, ship_to_line1, ship_to_city, ship_to_postcode, ship_to_country, shipped_at)
    SELECT $max_shipment + id - $max_order, id, 'An Post', 'TRK' || id, 'Big Spender', '1 Main St', 'Dublin', 'D02 X285', 'IE', placed_at
    FROM orders WHERE email = '$big';"
cid=
erase_big() { "$DSR" erase $(erase_args) --subject "email=$big"; }
fresh delete
dump "$work" >"$DSR_TMP/before.sql"
start=$(date +%s%N)
erase_big >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || [ $? -eq 7 ] || fail "the long erasure failed: $(cat "$DSR_TMP/err.txt")"
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
dump "$work" >"$DSR_TMP/after.sql"
echo "erase_crash: the long erasure ran $(jq .erasure.statements "$DSR_TMP/out.json") statements in ${took_ms} ms" >&2
seen_before=0 seen_after=0
# Delays up to half as long again as the erasure: some kills land after it.
for attempt in $(seq "$kills"); do
  fresh delete
  delay_ms=$(( RANDOM % (took_ms * 3 / 2 + 1) ))
  {
    # exec: $! is dsr itself, not a subshell that would die alone.
    # shellcheck disable=SC2046
    (exec "$DSR" erase $(erase_args) --subject "email=$big" >/dev/null 2>&1) &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    await_dsr_death "$pid"
  } 2>/dev/null
  result=$(check_whole "kill -9 after ${delay_ms} ms")
  [ "$result" = before ] && seen_before=$((seen_before + 1))
  [ "$result" = after ] && seen_after=$((seen_after + 1))
  status=0
  erase_big >"$DSR_TMP/rerun.json" 2>"$DSR_TMP/rerun.err" || status=$?
  [ "$status" -eq 7 ] || fail "re-run after kill -9 at ${delay_ms} ms exited $status: $(cat "$DSR_TMP/rerun.err")"
  [ "$(check_whole "re-run after kill -9 at ${delay_ms} ms" exited)" = after ] || fail "the re-run did not finish the job"
done
echo "erase_crash: kill -9 at random moments: $seen_before times as before, $seen_after as after, all whole" >&2
