# `dsr purge` interrupted and resumed ends exactly where an uninterrupted
# purge ends (the whole logical dump, masked values included):
#  - killed: with DSR_FAULT=K the process SIGKILLs itself after its K-th
#    data-changing statement (a few fixed K, several random ones; set
#    PURGE_RESUME_KS="3 17" to replay chosen ones); the database is intact,
#    a re-run exits 0, its intent refers to the interrupted one, every
#    table that had a cursor left in the state store reports resumed, and
#    every table the killed run finished reports finished_earlier;
#  - killed twice (the resuming run killed too), then finished by a third;
#  - stopped by SIGTERM: exit 14, status incomplete, stopped_by "signal",
#    then a re-run finishes;
#  - stopped by --max-duration: each run exits 14 (incomplete, stopped_by
#    "max_duration") having done some work, the next continues where it
#    stopped (resumed), and the end state is the same; a run stopped before
#    it did a single batch would never finish, so --max-duration 0s must
#    either be refused as a usage error or still make progress each run,
#    until one exits 0.
#
# On PostgreSQL each batch is a server transaction: a killed run's open
# batch is rolled back by the server when the connection drops, and the
# database is examined once no other backend is connected to it (wait_idle).
# "Intact" is check_shop and the comparisons are dump_shop's. A running purge
# shows by its advisory lock rather than its lock file. Every purge there
# costs a round trip per statement, so PostgreSQL kills at fewer points: the
# fixed K of the list and three random ones (PG_RANDOM_KS), one double kill.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
base=$(new_shop base 600)
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-20T10:00:00Z
work=$(absent_db work)
state="$DSR_TMP/state.db"
args=(--policy "$SHOP_POLICY" --db "$work" --state "$state" --keys "$DSR_TMP/keys" --format json)
fresh() {
  rm -f "$state" "$state-wal" "$state-shm"
  drop_shop "$work"
  local copy
  copy=$(copy_shop "$base" work)
  [ "$copy" = "$work" ] || fail "fixture: the work copy is $copy, not $work"
}
if on_backend postgresql; then random_ks=${PG_RANDOM_KS:-3} pairs=1; else random_ks=5 pairs=2; fi
# wait_idle DB: returns once no other session is connected to DB (PostgreSQL:
# the server has noticed a killed client and rolled its transaction back).
wait_idle() {
  is_pg "$1" || return 0
  local i
  for i in $(seq 200); do
    [ "$(sql "$1" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")" = 0 ] &&
      return 0
    sleep 0.05
  done
  fail "a session is still connected to $(pg_dbname "$1") 10 s after its client was killed"
}
# purge_lock_held PID: the purge PID has taken its lock (SQLite: its pid is in
# the lock file; PostgreSQL: an advisory lock on the database is granted).
purge_lock_held() {
  if is_pg "$work"; then
    [ "$(sql "$work" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")" -ge 1 ]
  else
    grep -q "pid $(dsr_pid "$1")" "$work.dsr-purge.lock" 2>/dev/null
  fi
}
# cursors: the tables the state store holds a purge cursor (a key) for, one line.
cursors() {
  [ ! -e "$state" ] || sqlite3 "$state" "SELECT group_concat(table_name, ' ') FROM (SELECT table_name FROM purge_cursors WHERE last_key IS NOT NULL ORDER BY 1)"
}
# finished: the tables an unfinished cycle already walked to the end (a NULL key), one line.
finished() {
  [ ! -e "$state" ] || sqlite3 "$state" "SELECT group_concat(table_name, ' ') FROM (SELECT table_name FROM purge_cursors WHERE last_key IS NULL ORDER BY 1)"
}
# any_rows: every table with a cursor or a finished mark.
any_rows() { [ ! -e "$state" ] || sqlite3 "$state" "SELECT count(*) FROM purge_cursors" | grep -v '^0$' || true; }
# resumed_tables, finished_tables: the tables the last report says resumed / finished earlier, in the same form.
resumed_tables() { jq -r '[.tables[] | select(.resumed) | .table] | sort | join(" ")' "$DSR_TMP/out.json"; }
finished_tables() { jq -r '[.tables[] | select(.finished_earlier) | .table] | sort | join(" ")' "$DSR_TMP/out.json"; }
# same_as_reference LABEL: the database is intact and exactly as the uninterrupted purge left it.
same_as_reference() {
  wait_idle "$work"
  (check_shop "$work") || fail "$1: the database is not intact"
  dump_shop "$work" >"$DSR_TMP/now.sql"
  if ! cmp -s "$DSR_TMP/now.sql" "$DSR_TMP/reference.sql"; then
    diff "$DSR_TMP/reference.sql" "$DSR_TMP/now.sql" | head -6 >&2 || true
    fail "$1: the database differs from the uninterrupted purge's (< uninterrupted, > resumed)"
  fi
}
# rerun LABEL: a run without fault; cursors left behind show up as resumed
# tables, tables finished before as finished_earlier (not walked again).
rerun() {
  local left done_before
  left=$(cursors)
  done_before=$(finished)
  run_dsr 0 purge "${args[@]}" --batch-size 50
  expect_json '[.status, .complete, .stopped_by]' '["ok",true,null]'
  [ "$(resumed_tables)" = "$left" ] || fail "$1: cursors were left for [$left] but the re-run resumed [$(resumed_tables)]"
  [ "$(finished_tables)" = "$done_before" ] ||
    fail "$1: tables [$done_before] were finished before but the re-run skipped [$(finished_tables)]"
  [ -z "$(any_rows)" ] || fail "$1: the finished re-run left cursors or marks behind"
}

# --- the reference: uninterrupted, 50 rows per batch --------------------------------
fresh
dump_shop "$work" >"$DSR_TMP/before.sql"
run_dsr 0 purge "${args[@]}" --batch-size 50
dump_shop "$work" >"$DSR_TMP/reference.sql"
batches=$(jq .totals.batches "$DSR_TMP/out.json")
masked=$(jq .totals.masked "$DSR_TMP/out.json")
[ "$batches" -ge 30 ] && [ "$masked" -ge 100 ] || fail "fixture: only $batches batches and $masked masked rows"
# Each writing batch is a DELETE, one UPDATE per masked row and a COMMIT.
bound=$((2 * batches + masked))

# --- killed after K statements, then resumed -----------------------------------------
ks=${PURGE_RESUME_KS:-"1 2 3 $((masked / 2)) $((bound - 1))$(for _ in $(seq "$random_ks"); do printf ' %d' $((RANDOM % bound + 1)); done)"}
echo "purge_resume: DSR_FAULT at K = $ks (of at most $bound statements)" >&2
for k in $ks; do
  fresh
  status=0
  # The group's stderr hides bash's own "Killed" notice.
  { DSR_FAULT=$k "$DSR" purge "${args[@]}" --batch-size 50 >"$DSR_TMP/k.json" 2>"$DSR_TMP/k.err"; } 2>/dev/null || status=$?
  if [ "$status" -eq 0 ]; then
    # K is past the last statement: the run finished.
    same_as_reference "K=$k, not killed"
    continue
  fi
  [ "$status" -eq 137 ] || fail "K=$k: exited $status, expected to be killed (137): $(head -c 500 "$DSR_TMP/k.err")"
  wait_idle "$work"
  (check_shop "$work") || fail "K=$k: the database is not intact after the kill"
  { dump_shop "$work" >"$DSR_TMP/now.dump"; cmp -s "$DSR_TMP/now.dump" "$DSR_TMP/before.sql"; } && [ "$k" -ge 2 ] &&
    fail "K=$k: the killed run committed nothing"
  rerun "K=$k"
  same_as_reference "K=$k"
  # The audit log: the killed intent, then an intent referring to it and its done.
  "$DSR" audit show --state "$state" --format json >"$DSR_TMP/audit.json"
  jq -e '[.entries[] | select(.command == "purge")] | length == 3 and .[0].phase == "intent" and
         .[1].phase == "intent" and .[1].refers_to == .[0].seq and .[2].phase == "done" and .[2].refers_to == .[1].seq' \
    "$DSR_TMP/audit.json" >/dev/null || fail "K=$k: the audit log does not show the interrupted run: $(jq -c .entries "$DSR_TMP/audit.json")"
done

# --- killed twice: the resumed run killed too, then a third run finishes ------------
all_pairs=("$((RANDOM % bound + 1)) $((RANDOM % (bound / 2) + 1))" "$((bound / 3)) $((bound / 3))")
for pair in "${all_pairs[@]:0:$pairs}"; do
  read -r k1 k2 <<<"$pair"
  fresh
  status=0
  { DSR_FAULT=$k1 "$DSR" purge "${args[@]}" --batch-size 50 >/dev/null 2>&1; } 2>/dev/null || status=$?
  [ "$status" -eq 137 ] || [ "$status" -eq 0 ] || fail "K=$k1 then $k2: the first run exited $status"
  wait_idle "$work"
  left=$(cursors)
  status=0
  { DSR_FAULT=$k2 "$DSR" purge "${args[@]}" --batch-size 50 >"$DSR_TMP/out.json" 2>/dev/null; } 2>/dev/null || status=$?
  [ "$status" -eq 137 ] || [ "$status" -eq 0 ] || fail "K=$k1 then $k2: the second run exited $status"
  wait_idle "$work"
  [ "$status" -eq 137 ] || [ "$(resumed_tables)" = "$left" ] || fail "K=$k1 then $k2: cursors [$left], resumed [$(resumed_tables)]"
  rerun "K=$k1 then $k2"
  same_as_reference "K=$k1 then $k2"
  "$DSR" audit verify --state "$state" --keys "$DSR_TMP/keys" >/dev/null || fail "K=$k1 then $k2: the audit log does not verify"
done

# --- stopped by SIGTERM --------------------------------------------------------------
# One row per batch makes the run long (a few hundred milliseconds here);
# the signal ends it between batches. The lock is taken once the signal
# handlers are in place; dsr itself (under the canary wrapper, its child)
# is stopped while the signal is sent, so it cannot finish in between, and
# then let go to act on it.
fresh
(exec "$DSR" purge "${args[@]}" --batch-size 1 >"$DSR_TMP/term.json" 2>"$DSR_TMP/term.err") &
pid=$!
for _ in $(seq 500); do purge_lock_held "$pid" && break; sleep 0.02; done
real=$(dsr_pid "$pid")
kill -STOP "$real"
kill -TERM "$real"
kill -CONT "$real"
status=0
wait "$pid" || status=$?
[ "$status" -eq 14 ] || fail "SIGTERM: exited $status, expected 14: $(head -c 500 "$DSR_TMP/term.err")"
jq -e '.status == "incomplete" and .complete == false and .stopped_by == "signal" and .totals.batches >= 1' \
  "$DSR_TMP/term.json" >/dev/null || fail "SIGTERM: the report does not say it was stopped: $(head -c 500 "$DSR_TMP/term.json")"
# The signal can land between two tables: the one it finished has no cursor
# left and the next has none yet, which a re-run handles the same way.
[ -n "$(cursors)" ] || [ "$(jq '[.tables[] | select(.complete)] | length' "$DSR_TMP/term.json")" -ge 1 ] ||
  fail "SIGTERM: stopped, with no cursor to continue from and no table finished"
rerun "SIGTERM"
same_as_reference "SIGTERM"

# --- stopped by --max-duration, again and again --------------------------------------
# One row per batch and a second per run: several runs' work on most
# machines (timing decides, so only what is stopped is checked). After five
# runs one without a limit finishes; the 0s part below needs no timing.
fresh
runs=0 stopped=0 resumed=0 status=14
while [ "$runs" -lt 5 ] && [ "$status" -eq 14 ]; do
  runs=$((runs + 1))
  left=$(cursors)
  status=0
  "$DSR" purge "${args[@]}" --batch-size 1 --max-duration 1s >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
  [ "$(resumed_tables)" = "$left" ] || fail "--max-duration run $runs: cursors [$left], resumed [$(resumed_tables)]"
  [ -z "$left" ] || resumed=$((resumed + 1))
  [ "$status" -eq 0 ] && break
  [ "$status" -eq 14 ] || fail "--max-duration run $runs: exited $status: $(head -c 500 "$DSR_TMP/err.txt")"
  expect_json '[.status, .complete, .stopped_by]' '["incomplete",false,"max_duration"]'
  [ "$(jq .totals.batches "$DSR_TMP/out.json")" -ge 1 ] || fail "--max-duration run $runs: stopped without doing a batch"
  [ -n "$(cursors)" ] || [ "$(jq '[.tables[] | select(.complete)] | length' "$DSR_TMP/out.json")" -ge 1 ] ||
    fail "--max-duration run $runs: stopped, with no cursor and no table finished"
  stopped=$((stopped + 1))
done
[ "$stopped" -ge 1 ] || echo "purge_resume: note: --max-duration 1s never stopped a run on this machine" >&2
[ "$status" -eq 0 ] || rerun "--max-duration 1s, then without"
same_as_reference "--max-duration 1s after $runs runs"
echo "purge_resume: --max-duration 1s: $stopped runs stopped, $resumed resumed" >&2

# --- --max-duration 0s: refused, or each run still makes progress to the end -------
# A run stopped before its first batch would leave a cron job that never finishes.
fresh
runs=0
while :; do
  runs=$((runs + 1))
  [ "$runs" -le 60 ] || fail "--max-duration 0s: not finished after 60 runs (each stopped after one batch: is the same work done again each run?)"
  status=0
  "$DSR" purge "${args[@]}" --batch-size 400 --max-duration 0s >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
  [ "$status" -eq 2 ] && [ "$runs" -eq 1 ] && break  # refused as a usage error: also fine
  [ "$status" -eq 0 ] && { same_as_reference "--max-duration 0s after $runs runs"; break; }
  [ "$status" -eq 14 ] || fail "--max-duration 0s, run $runs: exited $status: $(head -c 500 "$DSR_TMP/err.txt")"
  [ "$(jq .totals.batches "$DSR_TMP/out.json")" -ge 1 ] ||
    fail "--max-duration 0s, run $runs: exit 14 without a single batch (tables: $(jq -c '[.tables[] | [.table, .batches, .complete]]' "$DSR_TMP/out.json")): a cron job running it never finishes"
done
echo "purge_resume: --max-duration 0s: $runs runs" >&2
