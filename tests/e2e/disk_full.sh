# A disk that fills up, for real rather than injected (fault_io.sh injects):
#  - `ulimit -f` with SIGXFSZ ignored, so a write past the limit fails with
#    EFBIG instead of killing dsr; works everywhere. The limit is per file:
#    small ones stop the state store (its 32 KB shared-memory file, or the
#    write-ahead log of a new store's schema), larger ones the shop's
#    journal or pages, or an export's file;
#  - a real full filesystem: a small tmpfs in a private mount namespace
#    (`unshare -m` as root, `unshare -rm` otherwise), filled up to leave
#    a given number of kilobytes, so SQLite meets ENOSPC (SQLITE_FULL). The
#    whole script then runs in the namespace; where the machine refuses
#    one (a container without CAP_SYS_ADMIN, no user namespaces) the rest
#    still runs, then the script prints "disk_full: skipped: …" and exits
#    77, so ctest lists it as skipped rather than passed (DISK_FULL_TMPFS=0
#    takes that path on purpose).
# For erase, one purge batch and export, at each size: exit 12 (io) with one
# schema-valid JSON report, status "error", or the job done; the shop intact
# and exactly as before or as after; a failed export leaves nothing at its
# --output path, not even a temporary file; the audit log verifies (no
# half-written entry); a re-run with room again completes. A dry-run erasure writes only to the state store,
# so at some sizes its closing entry, not its signed intent, is what does not fit.
# Each list of sizes must reach every place named above (the script fails
# otherwise); the boundaries move by a page when the state store's entries
# grow, so the lists leave a margin.
# (The checks are fault_io.sh's, sourced with FAULT_SWEEP_LIBRARY=1.)
#
# Time: 11 runs (9 under the sanitizers), each a dsr, the checks, an audit
# verify and a re-run, and a reference run per job (the same one serving
# both disks).
if [ "${DISK_FULL_TMPFS:-1}" = 0 ]; then
  DISK_FULL_NAMESPACE="none: DISK_FULL_TMPFS=0"
elif [ -z "${DISK_FULL_NAMESPACE:-}" ]; then
  # Into a private mount namespace, if the machine allows one with a tmpfs.
  if [ "$(id -u)" = 0 ]; then unshare=(unshare -m); else unshare=(unshare -rm); fi
  mkdir -p "$DSR_TMP/probe"
  if "${unshare[@]}" sh -c 'mount -t tmpfs -o size=64k tmpfs "$1"' sh "$DSR_TMP/probe" 2>"$DSR_TMP/probe.err"; then
    rmdir "$DSR_TMP/probe"
    DISK_FULL_NAMESPACE=1 exec "${unshare[@]}" bash "$0"
  fi
  DISK_FULL_NAMESPACE="none: $(head -c 200 "$DSR_TMP/probe.err")"
  rmdir "$DSR_TMP/probe"
fi
FAULT_SWEEP_LIBRARY=1 FAULT_SCRIPT=disk_full
source "$DSR_SOURCE/tests/e2e/fault_io.sh"
# An export large enough (76 KB) to outgrow a limit the state store fits in.
heavy=$(new_shop heavy 20 --heavy-subject-rows 400)
heavy_cid=21

# where: the file the failure's message names: "state" (the state store),
# "shop", "output" (the export's directory or file) or "?".
where() {
  local message
  message=$(grep -m1 '^dsr: error: ' "$DSR_TMP/err.txt")
  case $message in
    "dsr: error: $state:"*) echo state ;;
    "dsr: error: $work:"*) echo shop ;;
    "dsr: error: $out_dir"*) echo output ;;
    *) echo "?" ;;
  esac
}

# run_sized HOW SIZE OK_EXIT DSR_ARGS...: one run of the job with SIZE
# kilobytes to spare: under `ulimit -f SIZE` (HOW ulimit) or on the tmpfs
# filled to leave SIZE (HOW tmpfs; the filler goes before the checks, so
# they and the re-run have room). Checks it with check_run; sets `outcome`
# to "done" or the place the failure names.
run_sized() {
  local how=$1 size=$2 ok_exit=$3 status=0
  shift 3
  fresh
  if [ "$how" = ulimit ]; then
    (trap '' XFSZ; ulimit -f "$size"; exec "$DSR" "$@") >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
  else
    local free
    free=$(($(stat -f -c '%a * %S' "$mnt") - size * 1024))
    [ "$free" -le 0 ] || fallocate -l "$free" "$mnt/filler" || fail "cannot fill the tmpfs"
    "$DSR" "$@" >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
    rm -f "$mnt/filler"
  fi
  outcome="done"
  [ "$status" -ne 12 ] || outcome=$(where)
  [ "$outcome" != "?" ] || fail "$how $size KB: the error names no file of the job: $(head -c 300 "$DSR_TMP/err.txt")"
  check_run "$label, $how $size KB" "$ok_exit" "$status" "$@"
}

# sizes LABEL HOW "SIZES" "PLACES" OK_EXIT DSR_ARGS...: the job at each size
# in turn; fails unless the failures named each of PLACES. (Each failure's
# re-run, with room again, shows the job fits.) With reuse_reference=1 the
# reference run of the call before serves: the same job on another disk.
sizes() {
  local label=$1 how=$2 list=$3 places=$4 ok_exit=$5
  shift 5
  local outcome size seen=() summary='' place
  reference "$ok_exit" "$@"
  for size in $list; do
    run_sized "$how" "$size" "$ok_exit" "$@"
    seen+=("$outcome")
    summary+=" $size:$outcome"
  done
  for place in $places; do
    [[ " ${seen[*]} " == *" $place"* ]] || fail "$label, $how: no size made the $place fail (${summary# })"
  done
  echo "$script: $label, $how: KB to spare and what ran out:${summary}" >&2
}

# on DISK [STATE_DISK]: the shop and the export's directory on DISK (tmp:
# $DSR_TMP, small: the tmpfs), the state store on STATE_DISK (DISK unless
# given), and the job command lines for them.
mnt="$DSR_TMP/small"
on() {
  local dir=$DSR_TMP state_dir=$DSR_TMP
  [ "$1" = tmp ] || dir=$mnt
  [ "${2:-$1}" = tmp ] || state_dir=$mnt
  work="$dir/work.db" out_dir="$dir/out" state="$state_dir/state.db"
  mkdir -p "$out_dir"
  jobs
}

tmpfs=no
if [ "${DISK_FULL_NAMESPACE:-}" = 1 ]; then
  mkdir -p "$mnt"
  mount -t tmpfs -o size=2m,mode=0700 tmpfs "$mnt" || fail "cannot mount a tmpfs in the namespace"
  tmpfs=yes
fi

# --- the erasure ----------------------------------------------------------------
# Under ulimit: the state store's shared memory, then the shop's journal.
# On the tmpfs, both on it: the state store's commits, then the shop's.
on tmp
sizes erase ulimit "16 64" "state shop" 7 "${erase_job[@]}"
# A new state store: the write-ahead log of its schema outgrows the limit.
state0_kept=$state0
state0="$DSR_TMP/empty.db"
: >"$state0"
reuse_reference=1 sizes "erase, new state store" ulimit 48 state 7 "${erase_job[@]}"
state0=$state0_kept
if [ "$tmpfs" = yes ]; then
  on small
  reuse_reference=1 sizes erase tmpfs "40 96" "state shop" 7 "${erase_job[@]}"
  # Only the state store (a dry run): where its signed intent fits but not
  # the closing entry, the log verifies and nothing is half-written.
  dry_job=("${erase_job[@]/--yes/--dry-run}")
  sizes "erase --dry-run (the state store alone)" tmpfs "48 56" state 7 "${dry_job[@]}"
fi

# --- a purge batch --------------------------------------------------------------
on tmp
sizes "purge batch" ulimit 64 shop 0 "${purge_job[@]}"
# (Not under the sanitizers, nor the export on the tmpfs below: there the
# erasure on the tmpfs stands for them, ENOSPC meeting the same code.)
if [ "$tmpfs" = yes ] && [ "$sanitized" != 1 ]; then
  # Only the shop on the full disk, its state store on another: the journal.
  on small tmp
  reuse_reference=1 sizes "purge batch (the shop alone)" tmpfs 0 shop 0 "${purge_job[@]}"
fi

# --- an export ------------------------------------------------------------------
# The copy (76 KB) outgrows a limit the state store fits in; on the tmpfs,
# its scratch file and the copy beside the state store.
base=$heavy cid=$heavy_cid
on tmp
job_output="$out_dir/copy.json" sizes export ulimit 48 output 0 "${export_job[@]}"
if [ "$tmpfs" = yes ] && [ "$sanitized" != 1 ]; then
  on small
  job_output="$out_dir/copy.json" reuse_reference=1 sizes export tmpfs 96 output 0 "${export_job[@]}"
fi

if [ "$tmpfs" = no ]; then
  echo "disk_full: skipped: a full filesystem (no private mount namespace with a tmpfs here:" \
    "${DISK_FULL_NAMESPACE#none: }); the ulimit -f part passed" >&2
  exit 77
fi
