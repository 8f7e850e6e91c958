# `dsr purge` beside other processes on the same shop:
#  - one purge per database: while another process holds the purge lock
#    (<db>.dsr-purge.lock, here by flock(1) and by a running purge) a second
#    purge exits 11 at once, saying "another dsr purge" and the holder's pid,
#    writes a "failed" audit entry and changes nothing; a dry run, which only
#    reads, still runs; once the lock is free a purge runs;
#  - a live shop: while a writer process keeps inserting orders and web
#    sessions (sqlite3 with a 5 s busy timeout) throughout a purge of short
#    batches, in rollback-journal and WAL mode, the purge exits 0, the writer
#    never fails, every row it wrote is there, and the rows of the shop that
#    were there before are exactly those an undisturbed purge keeps;
#  - a database held by BEGIN EXCLUSIVE in another process past
#    --busy-timeout 300 gives exit 11 within a few seconds and changes nothing.
source "$DSR_SOURCE/tests/e2e/lib.sh"
base="$DSR_TMP/base.db"
make_shop "$base" 600
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-20T10:00:00Z
work="$DSR_TMP/work.db"
state="$DSR_TMP/state.db"
args=(--policy "$SHOP_POLICY" --db "$work" --state "$state" --keys "$DSR_TMP/keys" --format json)
fresh() {  # fresh [JOURNAL_MODE]
  rm -f "$work" "$work-wal" "$work-shm" "$work-journal" "$state" "$state-wal" "$state-shm"
  cp "$base" "$work"
  [ -z "${1:-}" ] || sqlite3 "$work" "PRAGMA journal_mode = $1" >/dev/null
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
tables="addresses body_measurements order_items payments shipments returns support_tickets loyalty_ledger orders
        newsletter_events web_sessions"

# The reference: what an undisturbed purge leaves, as each table's keys.
fresh
run_dsr 0 purge "${args[@]}"
for t in $tables; do
  sqlite3 "$work" "SELECT '$t', group_concat(id, ' ') FROM (SELECT id FROM $t ORDER BY id)"
done >"$DSR_TMP/reference.keys"

# --- the purge lock held by flock(1) -------------------------------------------------
fresh
sqlite3 "$work" .dump >"$DSR_TMP/before.sql"
exec 9>"$work.dsr-purge.lock"
flock -n 9 || fail "fixture: flock could not take the lock"
start=$(date +%s%N)
run_dsr 11 purge "${args[@]}" 9>&-
[ "$(ms_since "$start")" -lt 3000 ] || fail "lock held: the second purge took $(ms_since "$start") ms to give up"
expect_stderr "another dsr purge"
expect_json '[.status, .error.exit_status]' '["error",11]'
sqlite3 "$work" .dump | cmp -s - "$DSR_TMP/before.sql" || fail "lock held: the refused purge changed the database"
"$DSR" audit show --state "$state" --format json >"$DSR_TMP/audit.json"
jq -e '[.entries[] | select(.command == "purge") | .phase] == ["intent", "failed"]' "$DSR_TMP/audit.json" >/dev/null ||
  fail "lock held: the audit log does not show the refused purge as failed: $(jq -c .entries "$DSR_TMP/audit.json")"
# A dry run only reads: it needs no lock.
run_dsr 0 purge "${args[@]}" --dry-run 9>&-
expect_json '.dry_run' 'true'
exec 9>&-
run_dsr 0 purge "${args[@]}"
expect_json '.status' '"ok"'

# --- the purge lock held by a running purge ------------------------------------------
fresh
# One row per batch: the first purge runs for many seconds unless stopped.
(exec "$DSR" purge "${args[@]}" --batch-size 1 >"$DSR_TMP/first.json" 2>"$DSR_TMP/first.err") &
first=$!
for _ in $(seq 100); do
  grep -q "pid $first" "$work.dsr-purge.lock" 2>/dev/null && break
  sleep 0.1
done
grep -q "pid $first" "$work.dsr-purge.lock" || fail "fixture: the first purge did not take the lock"
start=$(date +%s%N)
run_dsr 11 purge "${args[@]}"
[ "$(ms_since "$start")" -lt 3000 ] || fail "second purge: took $(ms_since "$start") ms to give up"
expect_stderr "another dsr purge (pid $first"
kill -0 "$first" 2>/dev/null || fail "fixture: the first purge finished before the second was refused"
kill -TERM "$first"
status=0
wait "$first" || status=$?
[ "$status" -eq 14 ] || fail "the first purge, stopped by SIGTERM, exited $status: $(head -c 500 "$DSR_TMP/first.err")"
run_dsr 0 purge "${args[@]}"

# --- a purge while another process writes ---------------------------------------------
# writer LOG STOP: inserts an order and a web session (both recent, so never
# expired) per transaction until STOP exists; LOG gets a line per commit,
# LOG.failed one per failure.
writer() {
  local i=0
  while [ ! -e "$2" ]; do
    i=$((i + 1))
    if sqlite3 -bail -cmd ".timeout 5000" "$work" "
         BEGIN IMMEDIATE;
         INSERT INTO orders (customer_id, email, placed_at, status, total_cents, currency)
           VALUES (1, 'writer-$i@example.com', '2026-11-19T12:00:00Z', 'paid', $i, 'EUR');
         INSERT INTO web_sessions (customer_id, ip_address, user_agent, started_at)
           VALUES (1, '198.51.100.7', 'writer-$i', 1795089600000);
         COMMIT;" >/dev/null 2>>"$1.err"; then
      echo "$i" >>"$1"
    else
      echo "$i" >>"$1.failed"
    fi
  done
}
lines() { if [ -e "$1" ]; then wc -l <"$1"; else echo 0; fi; }
for mode in delete wal; do
  fresh "$mode"
  log="$DSR_TMP/writer-$mode.log" stop="$DSR_TMP/stop-$mode"
  writer "$log" "$stop" &
  writer_pid=$!
  for _ in $(seq 100); do [ "$(lines "$log")" -ge 3 ] && break; sleep 0.1; done
  [ "$(lines "$log")" -ge 3 ] || fail "$mode: fixture: the writer does not write: $(head -c 300 "$log.err" 2>/dev/null)"
  at_start=$(lines "$log")
  run_dsr 0 purge "${args[@]}" --batch-size 5
  at_end=$(lines "$log")
  touch "$stop"
  wait "$writer_pid"
  expect_json '[.status, .complete]' '["ok",true]'
  batches=$(jq .totals.batches "$DSR_TMP/out.json")
  [ "$(lines "$log.failed")" -eq 0 ] || fail "$mode: the writer failed $(lines "$log.failed") times: $(head -c 500 "$log.err")"
  [ $((at_end - at_start)) -ge 3 ] ||
    fail "$mode: fixture: the writer committed only $((at_end - at_start)) times during the purge's $batches batches"
  wrote=$(lines "$log")
  [ "$(sqlite3 "$work" "SELECT count(*) FROM orders WHERE email LIKE 'writer-%'")" -eq "$wrote" ] ||
    fail "$mode: the writer committed $wrote orders, the shop holds $(sqlite3 "$work" "SELECT count(*) FROM orders WHERE email LIKE 'writer-%'")"
  [ "$(sqlite3 "$work" "SELECT count(*) FROM web_sessions WHERE user_agent LIKE 'writer-%'")" -eq "$wrote" ] ||
    fail "$mode: the writer committed $wrote web sessions, the shop holds fewer or more"
  # The shop's own rows: exactly what the undisturbed purge kept.
  for t in $tables; do
    max=$(sqlite3 "$base" "SELECT max(id) FROM $t")
    sqlite3 "$work" "SELECT '$t', group_concat(id, ' ') FROM (SELECT id FROM $t WHERE id <= $max ORDER BY id)"
  done >"$DSR_TMP/now.keys"
  cmp -s "$DSR_TMP/reference.keys" "$DSR_TMP/now.keys" || fail "$mode: the purge beside a writer kept other rows than an undisturbed one"
  [ "$(sqlite3 "$work" "PRAGMA integrity_check")" = ok ] || fail "$mode: integrity_check"
  [ -z "$(sqlite3 "$work" "PRAGMA foreign_key_check")" ] || fail "$mode: foreign_key_check is not empty"
  echo "purge_concurrency: $mode: $batches batches beside $((at_end - at_start)) writer commits ($wrote in all), none failed" >&2
done

# --- a database locked past --busy-timeout ----------------------------------------------
for mode in delete wal; do
  fresh "$mode"
  sqlite3 "$work" .dump >"$DSR_TMP/before.sql"
  (printf 'BEGIN EXCLUSIVE;\nSELECT 1;\n'; sleep 4; printf 'COMMIT;\n') | sqlite3 "$work" >/dev/null &
  locker=$!
  sleep 1
  start=$(date +%s%N)
  run_dsr 11 purge "${args[@]}" --busy-timeout 300
  elapsed=$(ms_since "$start")
  wait "$locker"
  [ "$elapsed" -lt 3000 ] || fail "$mode: waited ${elapsed} ms for a 300 ms busy timeout"
  expect_stderr "database is locked"
  expect_json '[.status, .error.exit_status]' '["error",11]'
  sqlite3 "$work" .dump | cmp -s - "$DSR_TMP/before.sql" || fail "$mode: the purge that found the database locked changed it"
done
