# Sourced by every end-to-end script: assertions and fixtures.
# run_one.sh exports DSR (the dsr binary), SHOPGEN, DSR_SOURCE and DSR_TMP.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }

# run_dsr EXPECTED_EXIT ARGS...: runs dsr with stdout in $DSR_TMP/out.json and
# stderr in $DSR_TMP/err.txt, and fails unless it exits with EXPECTED_EXIT.
run_dsr() {
  local expected=$1; shift
  local status=0
  "$DSR" "$@" >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
  if [ "$status" -ne "$expected" ]; then
    echo "--- stdout" >&2; head -c 2000 "$DSR_TMP/out.json" >&2
    echo "--- stderr" >&2; head -c 2000 "$DSR_TMP/err.txt" >&2
    fail "dsr $* exited $status, expected $expected"
  fi
}

# expect_json JQ_FILTER EXPECTED: the filter applied to the last report prints EXPECTED.
expect_json() {
  local got
  got=$(jq -c "$1" "$DSR_TMP/out.json") || fail "report is not JSON: $(head -c 300 "$DSR_TMP/out.json")"
  [ "$got" = "$2" ] || fail "jq '$1' gave $got, expected $2"
}

# expect_stderr TEXT: the last run's stderr contains TEXT (fixed string).
expect_stderr() {
  grep -qF -- "$1" "$DSR_TMP/err.txt" || fail "stderr lacks '$1': $(head -c 500 "$DSR_TMP/err.txt")"
}

# validate_report [FILE]: the report conforms to the published JSON Schema.
validate_report() {
  # Debian's python3 is the one python3-jsonschema installs into.
  /usr/bin/python3 - "$DSR_SOURCE/lib/report/report.schema.json" "${1:-$DSR_TMP/out.json}" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for n, line in enumerate(open(sys.argv[2]), 1):
    try:
        jsonschema.validate(json.loads(line), schema)
    except jsonschema.ValidationError as e:
        sys.exit(f"FAIL: report line {n} does not match the schema: {e.message} at {list(e.absolute_path)}")
PY
}

# make_shop FILE [CUSTOMERS]: a generated demo shop, fixed seed and date for repeatability.
make_shop() {
  "$SHOPGEN" --customers "${2:-300}" --seed 7 --now 2026-11-01 --out "$1" >/dev/null
}

SHOP_POLICY="$DSR_SOURCE/policies/shop.yaml"
