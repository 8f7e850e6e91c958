# The suite-wide canary search (run_one.sh and dsr-canary-run; issue 9,
# point 9) finds what it is there for, so that every other script passing
# means something. Small scripts are run through run_one.sh as ctest runs
# them: one whose dsr prints the marker on stderr (in a path dsr echoes in its
# error) must fail after passing, naming the run; one with the marker in a
# state store dsr found by itself (the policy's default, beside it), likewise; one that only prints an
# access report of a canary shop passes; a script with "# canary: off" is
# not searched. Nothing here is dsr's behaviour: it is the harness's.
source "$DSR_SOURCE/tests/e2e/lib.sh"
if [ -z "${DSR_CANARY:-}" ]; then
  echo "skipped: canaries are off (DSR_CANARY=off)" >&2
  exit 77
fi

# nested NAME BODY: runs BODY as a script through run_one.sh; prints its
# stderr, returns its exit status, and removes what a failing run keeps.
nested() {
  local script=$DSR_TMP/$1.sh status=0
  { echo 'source "$DSR_SOURCE/tests/e2e/lib.sh"'; echo "$2"; } >"$script"
  DSR_BUILD=$(dirname "$DSR") TMPDIR=$DSR_TMP "$DSR_SOURCE/tests/e2e/run_one.sh" "$script" \
    >"$DSR_TMP/$1.out" 2>"$DSR_TMP/$1.err" || status=$?
  rm -rf "$DSR_TMP"/dsr-e2e.*
  return "$status"
}

# stderr: a missing policy file whose name carries the marker.
if nested stderr '"$DSR" policy check --policy "$DSR_TMP/$DSR_CANARY-gone.yaml" --format json || true'; then
  fail "a marker on dsr's stderr went unnoticed"
fi
grep -q "personal data (the canary $DSR_CANARY) in .*\.err" "$DSR_TMP/stderr.err" &&
  grep -q "written by: dsr policy check --policy" "$DSR_TMP/stderr.err" ||
  fail "the stderr leak is not reported with the run: $(cat "$DSR_TMP/stderr.err")"

# The state store dsr finds beside the policy (no --state), with the marker
# written into it behind dsr's back.
if nested state 'cp "$SHOP_POLICY" "$DSR_TMP/policy.yaml"; sed -i "/^state:/d" "$DSR_TMP/policy.yaml"
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
"$DSR" request open --policy "$DSR_TMP/policy.yaml" --keys "$DSR_TMP/keys" --type access --subject customer_id=1 --format json >/dev/null
[ -e "$DSR_TMP/dsr-state.db" ] || fail "fixture: no state store beside the policy"
sqlite3 "$DSR_TMP/dsr-state.db" "CREATE TABLE t (x); INSERT INTO t VALUES (\"$DSR_CANARY leaked\")"'; then
  fail "a marker in a state store went unnoticed: $(cat "$DSR_TMP/state.err")"
fi
grep -q "personal data (the canary $DSR_CANARY) in .*/dsr-state.db" "$DSR_TMP/state.err" ||
  fail "the state store leak is not reported: $(cat "$DSR_TMP/state.err")"

# An access report of a canary shop is where personal data belongs.
nested allowed 'shop=$(new_shop shop 20)
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
"$DSR" access --policy "$SHOP_POLICY" --db "$shop" --state "$DSR_TMP/s.db" --keys "$DSR_TMP/keys" \
  --subject customer_id=1 --format json | grep -q "$DSR_CANARY" || fail "fixture: the access report has no canary"' ||
  fail "an access report of a canary shop was called a leak: $(cat "$DSR_TMP/allowed.err")"
grep -q "1 access, mailing-list and notify-list outputs show it" "$DSR_TMP/allowed.err" ||
  fail "the allowed output is not counted: $(cat "$DSR_TMP/allowed.err")"

# Opted out: not searched, and DSR is dsr itself.
nested off '# canary: off — this harness test'"'"'s own
[ "$DSR" = "$DSR_BINARY" ] && [ -z "${DSR_CANARY:-}" ] || fail "canaries still on"
"$DSR" policy check --policy "$DSR_TMP/kq7canary-gone.yaml" --format json 2>/dev/null || true' ||
  fail "an opted-out script was searched: $(cat "$DSR_TMP/off.err")"
echo "canary_harness: a stderr leak and a state store leak found, an access report allowed, an opt-out respected"
