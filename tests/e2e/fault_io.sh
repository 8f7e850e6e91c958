# I/O errors at every point of an erasure, a purge batch and an export:
# with DSR_FAULT=write:N (sync:N, full:N+) SQLite's N-th write (sync) in
# the process fails, in the shop or in the state store alike
# (lib/db/sqlite/fault_vfs.h). For each N, from 1 until a run no longer
# reaches the fault:
#  - dsr exits 12 (io) with one schema-valid JSON report, status "error";
#    or, where SQLite itself absorbed the failure (a checkpoint as the
#    state store closes: its frames stay safe in the write-ahead log), it
#    exits as the job without a fault does, the job done;
#  - the shop passes integrity_check and foreign_key_check, and its dump is
#    exactly as before the job or exactly as the completed job leaves it;
#  - an export that failed left nothing at its --output path, not even a
#    temporary file; one that succeeded left the file its report describes;
#  - `dsr audit verify` passes: an intent is committed with its signed
#    head, and a failed commit leaves no half-written entry;
#  - after a failure, a re-run without the fault completes, the shop as after.
# Jobs: the erasure of one customer (rollback journal, a state store with a
# history), one purge batch (--table shipments: 2 deletes and 61 masks in
# one transaction), an export. full:N+ fails every write from the N-th, as
# a disk that fills up does: the failure's own audit entry cannot be written.
#
# Time: the whole sweep is about 135 writes and 9 syncs for the erasure, 57
# writes and 12 syncs for the purge, 20 writes for the export; each N costs
# a fault run, the checks, an audit verify and (after a failure) a re-run.
# CI samples: N = 1 and FAULT_SAMPLES more evenly spaced from a random
# offset (printed: FAULT_OFFSET=K repeats it), 2 a sweep; under the
# sanitizers (DSR_SANITIZED=1; dsr takes a quarter of a second to start
# there) one N a sweep. The reference run, under a fault never reached,
# stands for the N beyond the last call. DSR_FAULT_SWEEP=full runs every N
# (372 runs, about 3 minutes plain).
#
# fault_oom.sh and disk_full.sh source this file with FAULT_SWEEP_LIBRARY=1
# for the fixture and the checks alone.
source "$DSR_SOURCE/tests/e2e/lib.sh"

sanitized=0
if is_sanitized; then sanitized=1; fi
sweep_mode=${DSR_FAULT_SWEEP:-sample}
[ "$sweep_mode" = full ] || [ "$sweep_mode" = sample ] || fail "DSR_FAULT_SWEEP=$sweep_mode: give full or sample"
if [ "$sanitized" = 1 ]; then samples=${FAULT_SAMPLES:-1}; else samples=${FAULT_SAMPLES:-2}; fi
script=${FAULT_SCRIPT:-fault_io}

export DSR_NOW=2026-11-20T10:00:00Z
base=$(new_shop base 60)
keys="$DSR_TMP/keys"
"$DSR" keygen --keys "$keys" >/dev/null
work="$DSR_TMP/work.db"
state="$DSR_TMP/state.db"
state0="$DSR_TMP/state0.db"
out_dir="$DSR_TMP/out"
mkdir -p "$out_dir"
# A customer with orders under the tax hold: the erasure deletes, masks and keeps.
cid=$(sql "$base" "SELECT customer_id FROM orders WHERE customer_id IS NOT NULL GROUP BY customer_id
                   HAVING count(*) >= 3 AND max(placed_at) > '2017-01-01' ORDER BY customer_id LIMIT 1")
[ -n "$cid" ] || fail "fixture: no customer with three orders"
# A state store with a history, as a live one has (a dry run changes no shop).
"$DSR" erase --policy "$SHOP_POLICY" --db "$base" --state "$state0" --keys "$keys" \
  --dry-run --format json --subject customer_id=$((cid + 1)) >/dev/null || true
[ -s "$state0" ] || fail "fixture: the dry run did not start the state store"
[ ! -e "$state0-wal" ] || fail "fixture: the state store kept its write-ahead log"

# jobs: the command lines, for the paths above (disk_full.sh moves them).
jobs() {
  local common=(--policy "$SHOP_POLICY" --db "$work" --state "$state" --keys "$keys" --format json)
  erase_job=(erase "${common[@]}" --yes --subject "customer_id=$cid")
  purge_job=(purge "${common[@]}" --table shipments)
  export_job=(export "${common[@]/--format/--report-format}" --subject "customer_id=$cid" --output "$out_dir/copy.json")
}
jobs

# fresh: the shop, the state store and the output directory as before any job.
fresh() {
  rm -rf "$work" "$work-journal" "$work-wal" "$work-shm" "$work.dsr-purge.lock" "$state" "$state-wal" "$state-shm" \
    "${out_dir:?}"/* "$out_dir"/.[!.]*
  cp "$base" "$work"
  cp "$state0" "$state"
}

# snapshot LABEL FILE: writes to FILE what sqlite3 prints for integrity_check,
# foreign_key_check and .dump: "ok" and the dump when the shop is intact.
# (One sqlite3 for the three, rather than check_shop and dump_shop's three,
# and no other process when it matches a reference: this runs twice per N.
# Opening the shop rolls back a journal the failed job left hot, as the
# next user's would.)
snapshot() {
  sqlite3 -batch -bail "$work" "PRAGMA integrity_check" "PRAGMA foreign_key_check" .dump >"$2" ||
    fail "$1: sqlite3 cannot read the shop"
}

# intact LABEL FILE: fails unless FILE, a snapshot, shows an intact shop.
intact() {
  local first second
  { IFS= read -r first; IFS= read -r second; } <"$2"
  [ "$first" = ok ] || fail "$1: integrity_check: $(head -c 500 "$2")"
  [ "$second" = "PRAGMA foreign_keys=OFF;" ] || fail "$1: foreign_key_check: $(sed -n '2,6p' "$2")"
}

# whole LABEL: the shop is intact and exactly before or after; prints which.
# (Compared in the shell, which reads a file without starting a process.)
whole() {
  local now
  snapshot "$1" "$DSR_TMP/now.txt"
  IFS= read -r -d '' now <"$DSR_TMP/now.txt" || true
  if [ "$now" = "$after_text" ]; then echo after
  elif [ "$now" = "$before_text" ]; then echo before
  else
    intact "$1" "$DSR_TMP/now.txt"
    diff "$DSR_TMP/before.txt" "$DSR_TMP/now.txt" | head -5 >&2 || true
    fail "$1: the shop is neither as before nor as after the job"
  fi
}

# has_line FILE PREFIX: FILE has a line starting with PREFIX (without a process).
has_line() {
  local line
  while IFS= read -r line; do [[ $line == "$2"* ]] && return 0; done <"$1"
  return 1
}

# counts FILE: "WRITES SYNCS ALLOCATIONS INJECTED" from the line dsr prints
# at exit under DSR_FAULT.
counts() {
  local line
  line=$(grep '^dsr: fault: counted ' "$1") || fail "no fault counts on stderr: $(head -c 500 "$1")"
  [[ $line =~ counted\ ([0-9]+)\ writes,\ ([0-9]+)\ syncs,\ ([0-9]+)\ allocations\;\ injected\ ([0-9]+) ]] ||
    fail "unreadable fault counts: $line"
  echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]} ${BASH_REMATCH[4]}"
}

# audit_whole LABEL: `dsr audit verify` passes; anything else fails the script.
audit_whole() {
  local status=0
  "$DSR" audit verify --state "$state" --keys "$keys" --format json >"$DSR_TMP/verify.json" 2>"$DSR_TMP/verify.err" ||
    status=$?
  [ "$status" -eq 0 ] || fail "$1: audit verify exited $status: $(head -c 500 "$DSR_TMP/verify.json" "$DSR_TMP/verify.err")"
}

# reference OK_EXIT DSR_ARGS...: the job run once without a fault, from
# fresh: sets before_text and after_text (the shop's snapshots), ok_status
# (the report's status) and ref_counts (what counts() prints for the run).
# With reuse_reference=1, keeps those of the call before.
reference() {
  local ok_exit=$1 status=0
  shift
  # (The caller may keep the last one for the same job on another disk:
  # the dumps do not name the shop's path.)
  [ "${reuse_reference:-0}" = 0 ] || return 0
  fresh
  snapshot "reference, before" "$DSR_TMP/before.txt"
  intact "reference, before" "$DSR_TMP/before.txt"
  # (A fault never reached, for the counts dsr prints under DSR_FAULT.)
  DSR_FAULT=write:999999999999 "$DSR" "$@" >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
  [ "$status" -eq "$ok_exit" ] || fail "reference dsr $1: exited $status: $(head -c 500 "$DSR_TMP/err.txt")"
  ok_status=$(jq -r .status "$DSR_TMP/out.json")
  snapshot "reference, after" "$DSR_TMP/after.txt"
  intact "reference, after" "$DSR_TMP/after.txt"
  IFS= read -r -d '' before_text <"$DSR_TMP/before.txt" || true
  IFS= read -r -d '' after_text <"$DSR_TMP/after.txt" || true
  ref_counts=$(counts "$DSR_TMP/err.txt")
}

# check_run LABEL OK_EXIT STATUS DSR_ARGS...: checks a run of the job that
# exited STATUS (its stdout in out.json, stderr in err.txt) as the header
# says, the re-run included; sets run_shop (before or after). With job_output set, the job
# is an export writing that file.
check_run() {
  local at=$1 ok_exit=$2 status=$3 lines err
  shift 3
  # (halt_on_error makes a report an exit status too; this catches one without.)
  IFS= read -r -d '' err <"$DSR_TMP/err.txt" || true
  [[ $err != *Sanitizer* && $err != *"runtime error:"* ]] || fail "$at: a sanitizer report: $(head -c 2000 "$DSR_TMP/err.txt")"
  mapfile -t lines <"$DSR_TMP/out.json"
  [ "${#lines[@]}" -eq 1 ] || fail "$at: exit $status, stdout is not one report: $(head -c 500 "$DSR_TMP/out.json")"
  validate_report || fail "$at: exit $status, the report does not match the schema"
  run_shop=$(whole "$at")
  if [ "$status" -eq 12 ]; then
    # (The schema holds; the shell checks the two fields without a jq.)
    [[ ${lines[0]} == *'","status":"error",'* && ${lines[0]} == *'"error":{"exit_status":12,'* ]] ||
      expect_json '[.status, .error.exit_status]' '["error",12]'
    has_line "$DSR_TMP/err.txt" "dsr: error: " || fail "$at: exit 12 without a 'dsr: error:' line"
    if [ -n "${job_output:-}" ]; then
      local left
      left=$(ls -A "$(dirname "$job_output")")
      [ -z "$left" ] || fail "$at: the failed export left files behind: $left"
    fi
  elif [ "$status" -eq "$ok_exit" ]; then
    [ "$run_shop" = after ] || fail "$at: exit $status as if done, but the shop is as $run_shop"
    [[ ${lines[0]} == *"\",\"status\":\"$ok_status\","* ]] || expect_json .status "\"$ok_status\""
    if [ -n "${job_output:-}" ]; then
      local sum
      sum=$(sha256sum <"$job_output") || fail "$at: exit $status, but no file at $job_output"
      [[ ${lines[0]} == *"\"sha256\":\"${sum%% *}\""* ]] || fail "$at: $job_output is not the file the report describes"
    fi
  else
    echo "--- stderr" >&2; head -c 2000 "$DSR_TMP/err.txt" >&2
    fail "$at: exited $status, expected 12 (io) or $ok_exit"
  fi
  audit_whole "$at"
  [ "$status" -ne "$ok_exit" ] || return 0
  status=0
  "$DSR" "$@" >"$DSR_TMP/rerun.json" 2>"$DSR_TMP/rerun.err" || status=$?
  [ "$status" -eq "$ok_exit" ] || fail "$at: the re-run exited $status: $(head -c 500 "$DSR_TMP/rerun.err")"
  [ "$(whole "$at, re-run")" = after ] || fail "$at: the re-run did not leave the shop as after"
}

# sweep LABEL FAULT OK_EXIT DSR_ARGS...: runs `dsr DSR_ARGS` under
# DSR_FAULT=KIND:N for the N of the sweep (FAULT is KIND, or KIND+ for the
# persistent form) and checks each run. OK_EXIT is the job's exit status
# without a fault.
sweep() {
  local label=$1 fault=$2 ok_exit=$3
  shift 3
  local kind=${fault%+} persistent='' field status
  [ "$kind" = "$fault" ] || persistent=+
  case $kind in write | full) field=1 ;; sync) field=2 ;; malloc) field=3 ;; *) fail "sweep: unknown fault $kind" ;; esac

  local before_text after_text ok_status ref_counts total
  reference "$ok_exit" "$@"
  [ -n "${job_output:-}" ] || [ "$before_text" != "$after_text" ] || fail "fixture: $label changed nothing"
  total=$(cut -d' ' -f$field <<<"$ref_counts")
  [ "$total" -ge 1 ] || fail "$label: the job makes no $kind call"

  local ns offset='' reached_end=''
  if [ "$sweep_mode" = full ]; then
    ns=$(seq 1 $((total + 1)))
  else
    local stride=$(((total + samples - 1) / samples))
    offset=${FAULT_OFFSET:-$((RANDOM % stride + 1))}
    # (Not the N beyond the last call: the reference run was that run. Under
    # the sanitizers not N = 1 either, the state store's first write, which
    # fails before any other code runs.)
    ns=$({ [ "$sanitized" = 1 ] || echo 1; seq "$offset" "$stride" "$total"; } | sort -nu)
    reached_end=$((total + 1))
  fi

  local n spec at failed=0 absorbed=0 left_before=0 left_after=0 runs=0 run_shop
  for n in $ns; do
    spec=$kind:$n$persistent
    at="$label DSR_FAULT=$spec"
    fresh
    status=0
    DSR_FAULT=$spec "$DSR" "$@" >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
    runs=$((runs + 1))
    if has_line "$DSR_TMP/err.txt" "dsr: fault: injected:"; then
      check_run "$at" "$ok_exit" "$status" "$@"
      if [ "$status" -eq 12 ]; then
        failed=$((failed + 1))
        if [ "$run_shop" = before ]; then left_before=$((left_before + 1)); else left_after=$((left_after + 1)); fi
      else
        absorbed=$((absorbed + 1))
      fi
    else
      # The fault was not reached: only past the reference's last call.
      [ "$n" -gt "$total" ] || fail "$at: the fault was never reached, though the reference made $total such calls"
      [ "$status" -eq "$ok_exit" ] || fail "$at: no fault injected, yet exit $status: $(head -c 500 "$DSR_TMP/err.txt")"
      check_run "$at" "$ok_exit" "$status" "$@"
      reached_end=$n
    fi
  done
  [ -n "$reached_end" ] || fail "$label: the sweep never reached a run without the fault"
  echo "$script: $label, DSR_FAULT=$kind:N$persistent: $runs runs, N of 1..$((total + 1)) ($sweep_mode${offset:+, FAULT_OFFSET=$offset}):" \
    "$failed exit 12 ($left_before shop as before, $left_after as after)," \
    "$absorbed absorbed by SQLite; at N = $reached_end no fault" >&2
}

[ "${FAULT_SWEEP_LIBRARY:-0}" = 1 ] && return 0

sweep erase write 7 "${erase_job[@]}"
sweep erase sync 7 "${erase_job[@]}"
sweep erase full+ 7 "${erase_job[@]}"
sweep "purge batch" write 0 "${purge_job[@]}"
sweep "purge batch" sync 0 "${purge_job[@]}"
job_output="$out_dir/copy.json" sweep export write 0 "${export_job[@]}"
