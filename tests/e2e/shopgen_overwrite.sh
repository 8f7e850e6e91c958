#!/usr/bin/env bash
# dsr-shopgen refuses to replace an existing --out unless --force is given,
# reports usage errors with exit status 2, and leaves no temporary files.
set -euo pipefail

: "${DSR_BUILD:?DSR_BUILD must name the build directory}"
: "${DSR_TMP:?DSR_TMP must name a fresh temporary directory}"
gen="$DSR_BUILD/dsr-shopgen"

fail() { echo "FAIL: $*" >&2; exit 1; }
out="$DSR_TMP/shop.db"

# expect_usage_error DESCRIPTION ARGS...: exit 2, "dsr-shopgen: error:" on stderr
expect_usage_error() {
    local what=$1 rc=0
    shift
    "$gen" "$@" >"$DSR_TMP/stdout" 2>"$DSR_TMP/stderr" || rc=$?
    [[ $rc -eq 2 ]] || fail "$what: expected exit status 2, got $rc"
    grep -q '^dsr-shopgen: error: ' "$DSR_TMP/stderr" || fail "$what: no 'dsr-shopgen: error:' on stderr"
    [[ ! -s "$DSR_TMP/stdout" ]] || fail "$what: unexpected output on stdout"
}

"$gen" --customers 200 --seed 1 --now 2025-06-01 --out "$out"
before=$(sha256sum "$out")

expect_usage_error "existing --out" --customers 200 --seed 2 --now 2025-06-01 --out "$out"
[[ "$(sha256sum "$out")" == "$before" ]] || fail "existing --out was modified without --force"

"$gen" --customers 200 --seed 2 --now 2025-06-01 --out "$out" --force
[[ "$(sha256sum "$out")" != "$before" ]] || fail "--force did not replace --out"
[[ "$(sqlite3 "$out" 'PRAGMA integrity_check')" == "ok" ]] || fail "replaced database is corrupt"

expect_usage_error "negative seed" --seed -1 --out "$DSR_TMP/x.db"
expect_usage_error "bad --now" --now 2025-02-30 --out "$DSR_TMP/x.db"
expect_usage_error "missing --out" --customers 10
expect_usage_error "--out is a directory" --customers 10 --out "$DSR_TMP" --force
[[ ! -e "$DSR_TMP/x.db" ]] || fail "a usage error still created a file"

# Only the finished databases remain: no temporaries, journals or WAL files.
leftovers=$(find "$DSR_TMP" -mindepth 1 -maxdepth 1 ! -name shop.db ! -name stdout ! -name stderr)
[[ -z "$leftovers" ]] || fail "unexpected files left behind: $leftovers"

"$gen" --help | grep -q -- '--force' || fail "--help does not mention --force"

echo "PASS: shopgen overwrite"
