#!/bin/bash
# fuzz_bounded.sh BINARY CORPUS RUN_DIR SECONDS [DICT]: fuzzes one libFuzzer
# harness for SECONDS, starting from its committed CORPUS, and fails if it
# finds anything. ctest's fuzz.run.NAME (in a -DDSR_FUZZ=ON build, as CI's
# sanitizer build is) and scripts/fuzz both run harnesses through it.
#
# RUN_DIR (emptied first) receives the log, the new inputs (RUN_DIR/new:
# the committed corpus is only read) and any finding: crash-…, leak-…,
# timeout-…, oom-…; replay one with BINARY FILE, and once it is fixed,
# commit it to CORPUS so every build's fuzz.replay.NAME keeps it fixed.
# -timeout: an input running longer is a hang; -rss_limit_mb: one using
# more memory is a finding too. The seed is libFuzzer's own (in the log):
# each run explores afresh, and the log says how to repeat it (-seed=N).
set -uo pipefail
binary=$1 corpus=$2 run_dir=$3 seconds=$4 dict=${5:-}
name=$(basename "$binary")
rm -rf "$run_dir"
mkdir -p "$run_dir/new"
options=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$run_dir/")
[ -n "$dict" ] && options+=(-dict="$dict")
# A harness removes its scratch files at exit, which a crash skips: they go
# to a directory of this run's own.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/dsr-fuzz.XXXXXX")
TMPDIR=$scratch "$binary" "$run_dir/new" "$corpus" "${options[@]}" >"$run_dir/log" 2>&1
status=$?
rm -rf "$scratch"

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run_dir/log" | tail -1)
seed=$(sed -n 's/^INFO: Seed: //p' "$run_dir/log" | head -1)
findings=$(find "$run_dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \))
echo "$name: ${runs:-no} executions in $seconds s (seed ${seed:-?}), $(find "$run_dir/new" -type f | wc -l) new inputs"
if [ -n "$findings" ]; then
  echo "$name found:"
  sed 's/^/  /' <<<"$findings"
  grep -m1 -A12 -E '^==[0-9]+==ERROR|fuzz invariant broken|runtime error|ALARM|out-of-memory' "$run_dir/log" | sed 's/^/    /'
  exit 1
fi
if [ "$status" -ne 0 ] || [ -z "$runs" ]; then
  echo "$name did not run through (exit $status): see $run_dir/log"
  tail -n 20 "$run_dir/log"
  exit 1
fi
