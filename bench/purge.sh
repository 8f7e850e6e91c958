#!/usr/bin/env bash
# Purge benchmark: `dsr purge` against hand-written SQL doing the same work
# on copies of the same generated shop, in one run, with ratios.
#
#   bench/purge.sh [SHOP.db] [BATCH_SIZE ...]
#
# Without SHOP.db a 100,000-customer shop is generated (the issue's target
# is measured on 1,000,000: generate one with
#   build/dsr-shopgen --customers 1000000 --seed 1 --now 2026-11-01 --out /tmp/shop1m.db
# and pass it). The hand-written SQL deletes and masks what policies/shop.yaml
# says, children first, in one transaction per table — the ad-hoc way: it
# holds the write lock for the whole statement, which is what dsr's batches
# avoid; the report prints both the total time and the longest lock.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${DSR_BUILD:-$here/build}
dsr=$build/dsr
work=$(mktemp -d /tmp/dsr-bench-purge.XXXXXX)
trap 'rm -rf "$work"' EXIT
now=2026-11-20
export DSR_NOW=${now}T03:00:00Z

shop=${1:-}
shift || true
batches=("$@")
[ ${#batches[@]} -gt 0 ] || batches=(500 2000 10000)
if [ -z "$shop" ]; then
  shop=$work/shop.db
  "$build/dsr-shopgen" --customers 100000 --seed 1 --now 2026-11-01 --out "$shop" >/dev/null
fi
"$dsr" keygen --keys "$work/keys" >/dev/null
rows=$(sqlite3 "$shop" "SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM web_sessions) + (SELECT count(*) FROM shipments)")
echo "shop: $shop ($(du -h "$shop" | cut -f1); orders + sessions + shipments: $rows rows)"

seconds() { date +%s.%N; }

# --- hand-written SQL: the same retention, children first -------------------
# bench/baseline/purge.sql, the baseline bench/run uses too.
hand_sql=$(printf '.timer on\n'; sed "s/:now/$now/g" "$here/bench/baseline/purge.sql")
# Copies leave gigabytes of dirty pages: written back first, or the first
# fsync of whichever run comes next waits for them and its lock looks long.
cp "$shop" "$work/hand.db" && sync
t0=$(seconds)
longest_hand=$(printf '%s\n' "$hand_sql" | sqlite3 "$work/hand.db" |
  awk '/^Run Time/ { if ($4 > m) m = $4 } END { printf "%.1f", m * 1000 }')
t1=$(seconds)
hand=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
printf '%-26s %8.2f s   longest lock %8s ms\n' "hand-written SQL" "$hand" "$longest_hand"

for batch in "${batches[@]}"; do
  cp "$shop" "$work/dsr.db" && sync
  t0=$(seconds)
  report=$("$dsr" purge --policy "$here/policies/shop.yaml" --db "$work/dsr.db" --state "$work/state-$batch.db" \
    --keys "$work/keys" --batch-size "$batch" --format json)
  t1=$(seconds)
  took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  longest=$(jq -r '.totals.longest_lock_ms' <<<"$report")
  changed=$(jq -r '.totals.deleted + .totals.masked' <<<"$report")
  printf '%-26s %8.2f s   longest lock %8.1f ms   %s rows changed   ratio %.2f\n' \
    "dsr purge --batch-size $batch" "$took" "$longest" "$changed" "$(awk -v a="$took" -v b="$hand" 'BEGIN { print a / b }')"
done
