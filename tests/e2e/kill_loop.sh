# Issue 9, point 1: the kill loop. SIGKILL at random points of every kind of
# job that writes: erase (one subject), batch erase, purge, rectify,
# consent, an export (its file's rename) and an audit append alone (request
# open). Half the kills are DSR_FAULT=K (dsr kills itself after its K-th
# data-changing statement, K random), half a real `kill -9` from outside at
# a random moment of the job's run time. Each run starts from the same shop
# and state store, and after it:
#   - integrity_check is ok and foreign_key_check clean, on the shop and on
#     the state store;
#   - a one-unit job (one erasure, a rectification, a consent change) left
#     the shop exactly as before or exactly as after the job; an export left
#     no file or the whole file (never a partial one at the target path);
#   - the audit chain verifies, and an interrupted job's intent is there;
#   - a re-run exits as the uninterrupted job does, its intent refers to the
#     interrupted one, and the shop is then exactly as after the job: every
#     row outside the target set (the whole dump) as the uninterrupted job
#     leaves it.
# KILL_LOOP_RUNS (default 200; 14 under the sanitizers, two of each job,
# where dsr starts ten times slower) sets how many; KILL_LOOP_SEED makes a run repeatable.
source "$DSR_SOURCE/tests/e2e/lib.sh"
runs=${KILL_LOOP_RUNS:-$([ "${DSR_SANITIZED:-0}" = 1 ] && echo 14 || echo 200)}
seed=${KILL_LOOP_SEED:-$$}
RANDOM=$seed
echo "kill_loop: $runs runs, KILL_LOOP_SEED=$seed" >&2
base=$(new_shop base 60)
export DSR_NOW=2026-11-20T10:00:00Z
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
work=$DSR_TMP/work.db state=$DSR_TMP/state.db out=$DSR_TMP/export.json
common=(--policy "$SHOP_POLICY" --db "$work" --state "$state" --keys "$DSR_TMP/keys" --format json)

# Subjects: one with orders under the tax hold (erase exits 7, the others
# masked and deleted), three for the batch.
held=$(sql "$base" "SELECT customer_id FROM orders WHERE customer_id IS NOT NULL GROUP BY customer_id
                    HAVING count(*) >= 2 ORDER BY customer_id LIMIT 1")
sql "$base" "SELECT id FROM customers ORDER BY id LIMIT 3 OFFSET 10" | sed 's/^/customer_id=/' >"$DSR_TMP/batch.txt"
jobs=(erase batch_erase purge rectify consent export request_open)
# job_args NAME: the dsr command line of a job.
job_args() {
  case $1 in
    erase) echo erase --subject "customer_id=$held" --yes ;;
    batch_erase) echo erase --subjects-file "$DSR_TMP/batch.txt" --yes ;;
    purge) echo purge --batch-size 20 ;;
    rectify) echo rectify --subject "customer_id=$held" --set customers.first_name=Rectified --yes ;;
    consent) echo consent withdraw --subject "customer_id=$held" --purpose marketing --source phone ;;
    export) echo export --subject "customer_id=$held" --output "$out" --report-format json ;;
    request_open) echo request open --type access --subject "customer_id=$held" ;;
  esac
}
# The ledger commands name no database.
job_cmdline() {
  # shellcheck disable=SC2046
  set -- $(job_args "$1")
  if [ "$1" = request ]; then
    echo "$@" --policy "$SHOP_POLICY" --state "$state" --keys "$DSR_TMP/keys" --format json
  elif [ "$1" = export ]; then
    echo "$@" --policy "$SHOP_POLICY" --db "$work" --state "$state" --keys "$DSR_TMP/keys"
  else
    echo "$@" "${common[@]}"
  fi
}
one_unit() { case $1 in erase | rectify | consent) return 0 ;; *) return 1 ;; esac; }

fresh() {
  rm -f "$work" "$work-journal" "$work-wal" "$work-shm" "$state" "$state-journal" "$state-wal" "$state-shm" "$out"
  cp "$base" "$work"
}
# intact FILE LABEL: integrity and foreign keys of one SQLite file.
intact() {
  local check
  check=$(sqlite3 -batch "$1" "PRAGMA integrity_check; PRAGMA foreign_key_check;") || fail "$2: sqlite3 cannot read $1"
  [ "$check" = ok ] || fail "$2: $1 is damaged: $check"
}

# --- the reference of each job: uninterrupted ------------------------------------
dump_shop "$base" >"$DSR_TMP/before.sql"
declare -A status_of statements_of millis_of
for job in "${jobs[@]}"; do
  fresh
  started=$(date +%s%N) status=0
  # shellcheck disable=SC2046
  "$DSR" $(job_cmdline "$job") >"$DSR_TMP/ref.json" 2>"$DSR_TMP/ref.err" || status=$?
  millis_of[$job]=$(( ($(date +%s%N) - started) / 1000000 ))
  [ "$status" -eq 0 ] || [ "$status" -eq 7 ] || fail "reference $job exited $status: $(cat "$DSR_TMP/ref.err")"
  status_of[$job]=$status
  dump_shop "$work" >"$DSR_TMP/after-$job.sql"
  [ "$job" != export ] || cp "$out" "$DSR_TMP/reference-export.json"
  # How many data-changing statements it makes: the largest K that kills
  # it (a job dies at every K up to that number, and at none beyond),
  # found by bisection.
  statements_of[$job]=0
  if [ "$job" != export ] && [ "$job" != request_open ]; then
    low=0 high=401  # killed at low (or low is 0), survives at high
    while [ $((high - low)) -gt 1 ]; do
      k=$(((low + high) / 2))
      fresh
      status=0
      # shellcheck disable=SC2046
      { DSR_FAULT=$k "$DSR" $(job_cmdline "$job") >/dev/null 2>&1; } 2>/dev/null || status=$?
      if [ "$status" -eq 137 ]; then low=$k; else high=$k; fi
    done
    [ "$high" -le 400 ] || fail "$job: still killed after 400 statements"
    statements_of[$job]=$low
  fi
done
echo "kill_loop: statements ${statements_of[*]@K}; ms ${millis_of[*]@K}" >&2

# --- the loop ----------------------------------------------------------------------
killed=0 by_fault=0 by_signal=0 interrupted_intents=0
for run in $(seq "$runs"); do
  job=${jobs[(run - 1) % ${#jobs[@]}]}  # in turn: every kind as often; K and the moment random
  label="run $run ($job)"
  fresh
  status=0
  if [ "${statements_of[$job]}" -gt 0 ] && [ $((RANDOM % 2)) = 0 ]; then
    k=$((RANDOM % statements_of[$job] + 1))
    label="$label DSR_FAULT=$k"
    # shellcheck disable=SC2046
    { DSR_FAULT=$k "$DSR" $(job_cmdline "$job") >"$DSR_TMP/k.json" 2>"$DSR_TMP/k.err"; } 2>/dev/null || status=$?
    [ "$status" -eq 137 ] && by_fault=$((by_fault + 1))
  else
    # A moment within the job's own run time (startup included).
    delay=$((RANDOM % (millis_of[$job] + 1)))
    label="$label kill -9 after ${delay} ms"
    # shellcheck disable=SC2046
    "$DSR" $(job_cmdline "$job") >"$DSR_TMP/k.json" 2>"$DSR_TMP/k.err" &
    pid=$!
    sleep "$(printf '0.%03d' "$delay")"
    kill -9 "$pid" 2>/dev/null || true
    { wait "$pid"; } 2>/dev/null || status=$?
    await_dsr_death "$pid"
    [ "$status" -eq 137 ] && by_signal=$((by_signal + 1))
  fi
  if [ "$status" -ne 137 ]; then
    # The job finished before the kill: it must have finished as the reference did.
    [ "$status" -eq "${status_of[$job]}" ] || fail "$label: exited $status, expected ${status_of[$job]}: $(cat "$DSR_TMP/k.err")"
  else
    killed=$((killed + 1))
  fi

  # What the kill left.
  intact "$work" "$label"
  [ ! -e "$state" ] || intact "$state" "$label"
  dump_shop "$work" >"$DSR_TMP/now.sql"
  if one_unit "$job" && ! cmp -s "$DSR_TMP/now.sql" "$DSR_TMP/before.sql" &&
    ! cmp -s "$DSR_TMP/now.sql" "$DSR_TMP/after-$job.sql"; then
    diff "$DSR_TMP/before.sql" "$DSR_TMP/now.sql" | head -5 >&2
    fail "$label: the shop is neither as before nor as after the job"
  fi
  if [ "$job" = export ] && [ -e "$out" ]; then
    cmp -s "$out" "$DSR_TMP/reference-export.json" || fail "$label: a partial or different export at the target path"
  fi
  # The export writes an unnamed file (O_TMPFILE) until it links it whole.
  if compgen -G "$DSR_TMP/.export.json.tmp-*" >/dev/null; then fail "$label: a temporary export file was left behind"; fi
  [ "$status" -eq 137 ] || continue
  [ ! -e "$state" ] || "$DSR" audit verify --policy "$SHOP_POLICY" --state "$state" --keys "$DSR_TMP/keys" \
    --format json >"$DSR_TMP/verify.json" 2>&1 || fail "$label: the audit chain does not verify: $(cat "$DSR_TMP/verify.json")"
  open_intent=""
  if [ -e "$state" ]; then
    "$DSR" audit show --policy "$SHOP_POLICY" --state "$state" --keys "$DSR_TMP/keys" --format jsonl >"$DSR_TMP/audit.jsonl"
    # An intent that no later entry refers to: the interrupted job.
    open_intent=$(jq -s -r '[.[] | select(.phase == "intent")] as $i | [.[] | .refers_to] as $r |
                            [$i[] | select(.seq as $s | $r | index($s) | not)] | last | .seq // empty' "$DSR_TMP/audit.jsonl")
  fi

  # The re-run finishes the job (an export already complete is done).
  [ "$job" = export ] && [ -e "$out" ] && continue
  [ "$job" = request_open ] && continue  # a second request would be a new one: the ledger entry is the unit
  status=0
  # shellcheck disable=SC2046
  "$DSR" $(job_cmdline "$job") >"$DSR_TMP/rerun.json" 2>"$DSR_TMP/rerun.err" || status=$?
  [ "$status" -eq "${status_of[$job]}" ] || fail "$label: the re-run exited $status: $(cat "$DSR_TMP/rerun.err")"
  dump_shop "$work" >"$DSR_TMP/now.sql"
  cmp -s "$DSR_TMP/now.sql" "$DSR_TMP/after-$job.sql" || {
    diff "$DSR_TMP/after-$job.sql" "$DSR_TMP/now.sql" | head -5 >&2
    fail "$label: after the re-run the shop is not as after the uninterrupted job"
  }
  [ "$job" != export ] || cmp -s "$out" "$DSR_TMP/reference-export.json" || fail "$label: the re-run's export differs"
  if [ -n "$open_intent" ]; then
    interrupted_intents=$((interrupted_intents + 1))
    "$DSR" audit show --policy "$SHOP_POLICY" --state "$state" --keys "$DSR_TMP/keys" --format jsonl >"$DSR_TMP/audit.jsonl"
    jq -s -e --argjson seq "$open_intent" 'any(.[]; .phase == "intent" and .refers_to == $seq)' "$DSR_TMP/audit.jsonl" \
      >/dev/null || fail "$label: the re-run's intent does not refer to the interrupted intent $open_intent"
  fi
  "$DSR" audit verify --policy "$SHOP_POLICY" --state "$state" --keys "$DSR_TMP/keys" --format json \
    >"$DSR_TMP/verify.json" 2>&1 || fail "$label: after the re-run the audit chain does not verify"
done
[ "$killed" -ge $((runs / 2)) ] || fail "only $killed of $runs runs were killed mid-job"
echo "kill_loop: $runs runs, $killed killed mid-job ($by_fault by DSR_FAULT, $by_signal by kill -9), $interrupted_intents re-runs referring to an interrupted intent: all consistent"
