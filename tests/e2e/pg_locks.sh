# PostgreSQL concurrency, on a generated shop, with other psql sessions:
#  (a) a customer's row held FOR UPDATE by another session: erase with
#      --busy-timeout 1000 exits 11 after about a second, changes nothing, and
#      the audit log records the failed attempt; once released, it erases;
#  (b) an order inserted for the customer while they are being erased (the
#      policy deleting customers): whichever comes first, no order is left
#      pointing at a deleted customer and the customer is erased completely:
#       1. the insert first, its transaction open: the erasure waits for it,
#          then erases the new order too;
#       2. the erasure first (held inside its transaction by a trigger that
#          waits on an advisory lock the test holds): the insert waits for the
#          customer's row, then fails its foreign key;
#  (c) --statement-timeout: a statement that runs past it is exit 11 and
#      changes nothing: a purge whose one batch deletes 50,000 rows, against
#      1 ms; an erasure's lock wait against 500 ms while --busy-timeout would
#      wait 30 s;
#  (d) two purges at once: while one runs (held inside a batch by the same
#      trigger), a second exits 11 at once naming the first's PostgreSQL
#      backend pid and changes nothing; a dry run still runs; when the first
#      has finished, a new purge runs.
# backends: postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
on_backend postgresql || fail "this script is for PostgreSQL only"
base=$(new_shop base 300)
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-20T10:00:00Z
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# session NAME FD DB: a psql session in the background reading SQL from a
# fifo, written through file descriptor FD; its output in $DSR_TMP/NAME.out.
# Its application_name is test_NAME. End it with end_session NAME FD.
session() {
  local name=$1 fd=$2 db=$3
  mkfifo "$DSR_TMP/$name.fifo"
  PGAPPNAME="test_$name" PGCLIENTENCODING=UTF8 "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$db" \
    <"$DSR_TMP/$name.fifo" >"$DSR_TMP/$name.out" 2>"$DSR_TMP/$name.err" &
  eval "pid_$name=$!"
  eval "exec $fd>\"\$DSR_TMP/\$name.fifo\""
}
end_session() {
  local name=$1 fd=$2 pid
  eval "exec $fd>&-"
  eval "pid=\$pid_$name"
  wait "$pid" || fail "session $name failed: $(cat "$DSR_TMP/$name.err")"
  rm -f "$DSR_TMP/$name.fifo"
}
# wait_for WHAT DB SQL: waits (up to 20 s) until SQL prints t on DB.
wait_for() {
  local what=$1 db=$2 i
  for i in $(seq 200); do
    [ "$(sql "$db" "$3")" = t ] && return 0
    sleep 0.1
  done
  fail "timed out waiting for $what"
}
# wait_output NAME LINE: waits until session NAME has printed LINE.
wait_output() {
  local i
  for i in $(seq 200); do
    grep -q -x -F -- "$2" "$DSR_TMP/$1.out" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "session $1 never printed '$2': $(cat "$DSR_TMP/$1.err")"
}
# dsr_waiting DB [EVENT]: SQL true while a dsr session on DB waits for a lock (of kind EVENT).
dsr_waiting() {
  echo "SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = 'dsr' AND datname = current_database()
          AND wait_event_type = 'Lock' ${2:+AND wait_event = '$2'}"
}
# gate DB: a trigger function that waits until the test opens the gate: it
# takes and drops advisory lock 4242, which session `gate` holds while closed.
install_gate() {
  sql "$1" "CREATE FUNCTION test_gate() RETURNS trigger LANGUAGE plpgsql AS
              \$\$ BEGIN PERFORM pg_advisory_lock(4242); PERFORM pg_advisory_unlock(4242); RETURN NULL; END \$\$;"
}
close_gate() {
  session gate 7 "$1"
  echo "SELECT pg_advisory_lock(4242); SELECT 'closed';" >&7
  wait_output gate closed
}
open_gate() {
  echo "SELECT pg_advisory_unlock(4242);" >&7
  end_session gate 7
}
# in_background NAME CMD...: runs CMD in the background, its stdout in
# $DSR_TMP/NAME.out, stderr in NAME.err, exit status in NAME.status when done.
in_background() {
  local name=$1
  shift
  ( status=0; "$@" >"$DSR_TMP/$name.out" 2>"$DSR_TMP/$name.err" || status=$?; echo "$status" >"$DSR_TMP/$name.status" ) &
}
audit_phases() {  # audit_phases STATE COMMAND: the command's audit phases, one line
  "$DSR" audit show --state "$1" --format json | jq -c "[.entries[] | select(.command == \"$2\") | .phase]"
}

# A customer with orders, web sessions and addresses.
cid=$(sql "$base" "SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
                     AND EXISTS (SELECT 1 FROM web_sessions w WHERE w.customer_id = c.id)
                     AND EXISTS (SELECT 1 FROM addresses a WHERE a.customer_id = c.id) ORDER BY c.id LIMIT 1")
[ -n "$cid" ] || fail "fixture: no customer with orders, sessions and addresses"
email=$(sql "$base" "SELECT email FROM customers WHERE id = $cid")
new_order() {  # new_order ID: the INSERT of a new order of the customer
  echo "INSERT INTO orders (id, customer_id, email, placed_at, status, total_cents, currency)
          VALUES ($1, $cid, '$email', '2026-11-19 12:00:00+00', 'paid', 4200, 'EUR')"
}
next_id=$(( $(sql "$base" "SELECT max(id) FROM orders") + 1 ))

# The shop's policy with customers deleted rather than masked, and a day when
# every tax hold has ended: an erased customer's row is gone, so an order
# left pointing at it would be an orphan.
delete_policy="$DSR_TMP/delete.yaml"
perl -0pe 's/(\n  customers:\n(?:.*\n)*?    erasure:\n(?:      #.*\n)*)      action: mask\n      mask:\n(?:        .*\n)+/$1      action: delete\n/' \
  "$SHOP_POLICY" >"$delete_policy"
grep -q -x '      action: delete' <(sed -n '/^  customers:/,/^  addresses:/p' "$delete_policy") ||
  fail "fixture: the deleting policy was not made"

# --- (a) the customer's row locked by another session -----------------------------
a=$(copy_shop "$base" a)
a_args=(--policy "$SHOP_POLICY" --db "$a" --state "$DSR_TMP/a-state.db" --keys "$DSR_TMP/keys" --format json)
session locker 8 "$a"
echo "BEGIN; SELECT id FROM customers WHERE id = $cid FOR UPDATE; SELECT 'locked';" >&8
wait_output locker locked
dump_shop "$a" >"$DSR_TMP/a.before"
start=$(date +%s%N)
run_dsr 11 erase "${a_args[@]}" --subject customer_id=$cid --yes --busy-timeout 1000
elapsed=$(ms_since "$start")
[ "$elapsed" -ge 1000 ] || fail "(a) gave up after $elapsed ms, before its 1000 ms lock_timeout"
[ "$elapsed" -lt 4000 ] || fail "(a) took $elapsed ms to give up on a 1000 ms lock_timeout"
expect_stderr "lock_timeout 1000 ms ran out"
expect_json '[.status, .error.exit_status]' '["error",11]'
dump_shop "$a" | cmp -s - "$DSR_TMP/a.before" || fail "(a) the erasure that found the row locked changed the shop"
[ "$(audit_phases "$DSR_TMP/a-state.db" erase)" = '["intent","failed"]' ] ||
  fail "(a) audit log: $(audit_phases "$DSR_TMP/a-state.db" erase)"
echo "COMMIT;" >&8
end_session locker 8
status=0
"$DSR" erase "${a_args[@]}" --subject customer_id=$cid --yes --busy-timeout 1000 >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" ||
  status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 7 ] || fail "(a) the erasure after the lock was released exited $status: $(cat "$DSR_TMP/err.txt")"
expect_json '[.erasure.changed, .verification.passed]' '[true,true]'
[ "$(sql "$a" "SELECT email FROM customers WHERE id = $cid")" != "$email" ] || fail "(a) the customer was not erased"
check_shop "$a"
echo "pg_locks: (a) gave up after $elapsed ms" >&2

# --- (b1) the order's insert first, still open: the erasure waits, then erases it too --
export DSR_NOW=2040-06-01T00:00:00Z
b1=$(copy_shop "$base" b1)
b_args=(--policy "$delete_policy" --state "$DSR_TMP/b-state.db" --keys "$DSR_TMP/keys" --format json --yes
        --busy-timeout 30000)
session writer 8 "$b1"
echo "BEGIN; $(new_order "$next_id"); SELECT 'inserted';" >&8
wait_output writer inserted
in_background b1 "$DSR" erase "${b_args[@]}" --db "$b1" --subject customer_id=$cid
eraser=$!
wait_for "(b1) the erasure to wait for the writer" "$b1" "$(dsr_waiting "$b1")"
[ ! -e "$DSR_TMP/b1.status" ] || fail "(b1) the erasure ended while the insert was open: $(cat "$DSR_TMP/b1.err")"
echo "COMMIT;" >&8
end_session writer 8
wait "$eraser"
[ "$(cat "$DSR_TMP/b1.status")" = 0 ] || fail "(b1) the erasure exited $(cat "$DSR_TMP/b1.status"): $(cat "$DSR_TMP/b1.err")"
jq -e '.verification.passed' "$DSR_TMP/b1.out" >/dev/null || fail "(b1) verification: $(jq -c .verification "$DSR_TMP/b1.out")"
[ "$(sql "$b1" "SELECT (SELECT count(*) FROM customers WHERE id = $cid), (SELECT count(*) FROM orders WHERE customer_id = $cid OR id = $next_id OR email = '$email')")" = '0|0' ] ||
  fail "(b1) the customer or an order of theirs (the new one: $(sql "$b1" "SELECT count(*) FROM orders WHERE id = $next_id")) remains"
check_shop "$b1"

# --- (b2) the erasure first, inside its transaction: the insert waits, then fails ----------
b2=$(copy_shop "$base" b2)
install_gate "$b2"
sql "$b2" "CREATE TRIGGER test_gate BEFORE DELETE ON customers FOR EACH STATEMENT EXECUTE FUNCTION test_gate()"
close_gate "$b2"
in_background b2 "$DSR" erase "${b_args[@]}" --db "$b2" --subject customer_id=$cid
eraser=$!
# The erasure has locked the customer and deleted their orders; it waits at the gate.
wait_for "(b2) the erasure to reach the gate" "$b2" "$(dsr_waiting "$b2" advisory)"
PGAPPNAME=test_inserter PGCLIENTENCODING=UTF8 in_background insert "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$b2" \
  -c "$(new_order "$next_id")"
inserter=$!
wait_for "(b2) the insert to wait for the customer's row" "$b2" \
  "SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = 'test_inserter' AND wait_event_type = 'Lock'"
[ ! -e "$DSR_TMP/b2.status" ] || fail "(b2) the erasure ended before the gate opened: $(cat "$DSR_TMP/b2.err")"
open_gate
wait "$eraser" "$inserter"
[ "$(cat "$DSR_TMP/b2.status")" = 0 ] || fail "(b2) the erasure exited $(cat "$DSR_TMP/b2.status"): $(cat "$DSR_TMP/b2.err")"
[ "$(cat "$DSR_TMP/insert.status")" != 0 ] || fail "(b2) the insert of an order for an erased customer succeeded"
grep -q 'violates foreign key constraint' "$DSR_TMP/insert.err" || fail "(b2) the insert failed otherwise: $(cat "$DSR_TMP/insert.err")"
[ "$(sql "$b2" "SELECT (SELECT count(*) FROM customers WHERE id = $cid), (SELECT count(*) FROM orders WHERE customer_id = $cid OR id = $next_id OR email = '$email')")" = '0|0' ] ||
  fail "(b2) the customer or an order of theirs remains"
check_shop "$b2"
export DSR_NOW=2026-11-20T10:00:00Z

# --- (c) statement_timeout ----------------------------------------------------------
c=$(copy_shop "$base" c)
c_args=(--policy "$SHOP_POLICY" --db "$c" --state "$DSR_TMP/c-state.db" --keys "$DSR_TMP/keys" --format json)
# 50,000 expired web sessions: a purge of that table in one batch deletes them
# in one DELETE, which takes far longer than 1 ms on any machine (every other
# statement of the run may time out first: the exit status is the same, and
# the only change the run makes is that DELETE).
sql "$c" "INSERT INTO web_sessions (id, customer_id, ip_address, user_agent, started_at)
          SELECT (SELECT max(id) FROM web_sessions) + i, $cid, '192.0.2.1', 'Mozilla/5.0 session ' || i, 1500000000000 + i
          FROM generate_series(1, 50000) i"
dump_shop "$c" >"$DSR_TMP/c.before"
run_dsr 11 purge "${c_args[@]}" --table web_sessions --batch-size 100000 --statement-timeout 1
expect_stderr "statement_timeout 1 ms ran out"
expect_json '[.status, .error.exit_status]' '["error",11]'
dump_shop "$c" | cmp -s - "$DSR_TMP/c.before" || fail "(c) the purge stopped by its statement timeout changed the shop"
[ "$(audit_phases "$DSR_TMP/c-state.db" purge)" = '["intent","failed"]' ] ||
  fail "(c) audit log: $(audit_phases "$DSR_TMP/c-state.db" purge)"
run_dsr 0 purge "${c_args[@]}" --table web_sessions --batch-size 100000
[ "$(sql "$c" "SELECT count(*) FROM web_sessions WHERE user_agent LIKE 'Mozilla/5.0 session %'")" = 0 ] ||
  fail "(c) the purge without a statement timeout left the expired sessions"
# A lock wait is a statement that runs too: the statement timeout ends it
# long before the lock timeout would, and the erasure changes nothing.
session locker 8 "$c"
echo "BEGIN; SELECT id FROM customers WHERE id = $cid FOR UPDATE; SELECT 'locked';" >&8
wait_output locker locked
dump_shop "$c" >"$DSR_TMP/c2.before"
start=$(date +%s%N)
run_dsr 11 erase "${c_args[@]}" --subject customer_id=$cid --yes --busy-timeout 30000 --statement-timeout 500
elapsed=$(ms_since "$start")
[ "$elapsed" -lt 4000 ] || fail "(c) took $elapsed ms to give up on a 500 ms statement_timeout"
expect_stderr "statement_timeout 500 ms ran out"
dump_shop "$c" | cmp -s - "$DSR_TMP/c2.before" || fail "(c) the timed-out erasure changed the shop"
echo "COMMIT;" >&8
end_session locker 8

# --- (d) two purges at once -------------------------------------------------------------
d=$(copy_shop "$base" d)
# (the second purge keeps its own state store: the refusal must come from
# the database's purge lock, not from the first purge's state store)
d_args=(--policy "$SHOP_POLICY" --db "$d" --keys "$DSR_TMP/keys" --format json)
install_gate "$d"
sql "$d" "CREATE TRIGGER test_gate BEFORE DELETE ON web_sessions FOR EACH STATEMENT EXECUTE FUNCTION test_gate()"
[ "$(sql "$d" "SELECT count(*) > 0 FROM web_sessions WHERE started_at < 1700000000000")" = t ] ||
  fail "fixture: no expired web session"
close_gate "$d"
in_background first "$DSR" purge "${d_args[@]}" --state "$DSR_TMP/d-state.db" --busy-timeout 60000
first=$!
wait_for "(d) the first purge to reach the gate" "$d" "$(dsr_waiting "$d" advisory)"
holder=$(sql "$d" "SELECT pid FROM pg_stat_activity WHERE application_name = 'dsr' AND datname = current_database()")
[[ $holder =~ ^[0-9]+$ ]] || fail "(d) fixture: the first purge's backend is not one pid: '$holder'"
dump_shop "$d" >"$DSR_TMP/d.before"
start=$(date +%s%N)
run_dsr 11 purge "${d_args[@]}" --state "$DSR_TMP/d2-state.db"
elapsed=$(ms_since "$start")
[ "$elapsed" -lt 3000 ] || fail "(d) the second purge took $elapsed ms to give up"
expect_stderr "another dsr purge (PostgreSQL backend pid $holder"
expect_json '[.status, .error.exit_status]' '["error",11]'
[ "$(audit_phases "$DSR_TMP/d2-state.db" purge)" = '["intent","failed"]' ] ||
  fail "(d) audit log of the refused purge: $(audit_phases "$DSR_TMP/d2-state.db" purge)"
run_dsr 0 purge "${d_args[@]}" --state "$DSR_TMP/d2-state.db" --dry-run
expect_json '.dry_run' 'true'
dump_shop "$d" | cmp -s - "$DSR_TMP/d.before" || fail "(d) the refused purge or the dry run changed the shop"
[ ! -e "$DSR_TMP/first.status" ] || fail "(d) the first purge ended at the gate: $(cat "$DSR_TMP/first.err")"
open_gate
wait "$first"
[ "$(cat "$DSR_TMP/first.status")" = 0 ] || fail "(d) the first purge exited $(cat "$DSR_TMP/first.status"): $(cat "$DSR_TMP/first.err")"
[ "$(sql "$d" "SELECT count(*) FROM web_sessions WHERE started_at < 1700000000000")" = 0 ] ||
  fail "(d) the first purge left expired web sessions"
run_dsr 0 purge "${d_args[@]}" --state "$DSR_TMP/d2-state.db"
expect_json '[.status, .totals.deleted]' '["ok",0]'
check_shop "$d"
