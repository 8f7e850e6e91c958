# Every command README.md shows is run here, so the README cannot rot: each
# ```sh block in order, in a checkout-shaped sandbox (build/ linking to the
# binaries under test, policies/ copied, demo/shop.db made as scripts/demo
# makes it), with bash -e; the crontab line and the systemd ExecStart run
# with their /etc and /var paths pointed into the sandbox. A block is left
# out only when the line before it says `<!-- readme-test: skip (why) -->`.
# backends: sqlite
source "$DSR_SOURCE/tests/e2e/lib.sh"
skip_under_sanitizers "a check that the README's commands run as written (each is a job other scripts run under the sanitizers)"
readme=$DSR_SOURCE/README.md
box=$DSR_TMP/checkout
mkdir -p "$box/build" "$box/demo" "$box/log"
# The policies only: keys and a state store a developer's own runs left
# beside them (git ignores those) would make the README's keygen refuse.
mkdir "$box/policies"
cp "$DSR_SOURCE"/policies/*.yaml "$box/policies/"
ln -s "$DSR" "$box/build/dsr"
ln -s "$SHOPGEN" "$box/build/dsr-shopgen"
module=$(dirname "$DSR")/dsr-postgresql.so
[ ! -e "$module" ] || ln -s "$module" "$box/build/dsr-postgresql.so"
"$SHOPGEN" --customers 1000 --seed 1 --out "$box/demo/shop.db" >/dev/null
grep -q 'dsr-shopgen" --customers 1000 --seed 1 --out demo/shop.db' "$DSR_SOURCE/scripts/demo" ||
  fail "fixture: scripts/demo no longer makes the demo shop as this test does"

# blocks FENCE: each block fenced as ```FENCE, NUL-separated; skipped ones as "#skip".
blocks() {
  awk -v fence="$1" '
    /^<!-- readme-test: skip/ { skip = 1; next }
    !inside && $0 == "```" fence { inside = 1; text = ""; next }
    inside && $0 == "```" { inside = 0; printf "%s%c", (skip ? "#skip" : text), 0; skip = 0; next }
    inside { text = text $0 "\n"; next }
    NF { skip = 0 }
  ' "$readme"
}

# run_block TEXT: runs it as an operator would paste it, in the sandbox.
ran=0 skipped=0
run_block() {
  local status=0
  (cd "$box" && bash -eu -c "$1") >"$DSR_TMP/block.out" 2>"$DSR_TMP/block.err" || status=$?
  if [ "$status" -ne 0 ] || grep -q 'dsr: error' "$DSR_TMP/block.err"; then
    echo "--- block" >&2; printf '%s' "$1" >&2
    echo "--- stdout" >&2; head -c 2000 "$DSR_TMP/block.out" >&2
    echo "--- stderr" >&2; head -c 2000 "$DSR_TMP/block.err" >&2
    fail "a README block exited $status (or printed an error)"
  fi
  ran=$((ran + 1))
}

while IFS= read -r -d '' block; do
  if [ "$block" = "#skip" ]; then skipped=$((skipped + 1)); continue; fi
  run_block "$block"
done < <(blocks sh)
[ "$ran" -ge 7 ] || fail "ran only $ran sh blocks of README.md: is the fence still \`\`\`sh?"
[ "$skipped" -le 3 ] || fail "$skipped blocks skipped: every skip needs a reason the README gives"

# What the tour did, seen from outside: customer 1 is erased (their kept,
# masked invoice rows hold nothing that names them), the draft exists.
[ -s "$box/my-shop.yaml" ] || fail "the tour's policy init wrote no my-shop.yaml"
status=0
(cd "$box" && "$DSR" access --policy policies/shop.yaml --subject email=deshawn.kim.1@example.net --format json \
  >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt") || status=$?
[ "$status" -eq 4 ] || fail "access by customer 1's email after the tour's erase exited $status, expected 4 (not found)"

# The crontab line and the systemd unit's ExecStart, as cron and systemd would run them.
cron=$(blocks crontab | tr -d '\0' | grep -v '^#' | head -1)
[ -n "$cron" ] || fail "README.md has no crontab line"
cron=$(echo "$cron" | cut -d' ' -f6-)
cron=${cron//\/etc\/dsr\/shop.yaml/policies/shop.yaml}
cron=${cron//\/var\/log\/dsr\//log/}
cron=${cron//dsr purge/build/dsr purge}
run_block "$cron"
jq -e '.command == "purge"' "$box/log/purge.jsonl" >/dev/null || fail "the cron line logged no purge report"
exec_start=$(blocks ini | tr -d '\0' | sed -n 's/^ExecStart=//p')
[ -n "$exec_start" ] || fail "README.md's systemd unit has no ExecStart"
exec_start=${exec_start//\/usr\/local\/bin\/dsr/build/dsr}
exec_start=${exec_start//\/etc\/dsr\/shop.yaml/policies/shop.yaml}
run_block "$exec_start || [ \$? -eq 14 ]"   # SuccessExitStatus=14
echo "readme: ran $ran blocks and the cron and systemd commands; skipped $skipped, each with its reason" >&2
