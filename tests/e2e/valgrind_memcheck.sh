# Issue 9, point 8: valgrind memcheck over a representative subset — one
# run of each kind of work (policy check, access, an age-encrypted CSV
# export, a rectification, an erasure, a purge, consent, the audit chain's
# verification) on a small shop, with the uninstrumented binary the
# sanitizers never see. Any memcheck error or definite leak fails the test.
# Under the sanitizers' build valgrind cannot run (ASan reserves the address
# space valgrind needs): the script says so and exits 77, which ctest lists
# as skipped.
source "$DSR_SOURCE/tests/e2e/lib.sh"
if [ "${DSR_SANITIZED:-0}" = 1 ]; then
  echo "skipped: valgrind does not run AddressSanitizer binaries; the plain build runs this test" >&2
  exit 77
fi
command -v valgrind >/dev/null || fail "valgrind is not installed (apt-get install valgrind)"

shop=$(new_shop shop 40)
export DSR_NOW=2026-11-20T10:00:00Z
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
common=(--policy "$SHOP_POLICY" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
age-keygen -o "$DSR_TMP/subject.key" 2>/dev/null
recipient=$(age-keygen -y "$DSR_TMP/subject.key")

# A copy without DWARF: valgrind reads a binary's debug information at
# every start, 1.5 s of the 2.5 s a run takes here. Memcheck's reports
# still name functions (the symbol table stays); for file:line, re-run the
# failing command under valgrind with build/dsr.
strip --strip-debug -o "$DSR_TMP/dsr" "${DSR_BINARY:-$DSR}"
module=$(dirname "$DSR")/dsr-postgresql.so
[ ! -e "$module" ] || ln -s "$module" "$DSR_TMP/dsr-postgresql.so"

runs=0
# memcheck EXPECTED_EXIT ARGS...: dsr ARGS under memcheck, its report in
# $DSR_TMP/out.json; fails on a memcheck error (exit 99) or another status.
memcheck() {
  local expected=$1; shift
  local status=0
  valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --log-file="$DSR_TMP/valgrind.log" "$DSR_TMP/dsr" "$@" >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
  if [ "$status" -ne "$expected" ]; then
    cat "$DSR_TMP/valgrind.log" >&2
    head -c 1000 "$DSR_TMP/err.txt" >&2
    fail "valgrind dsr $* exited $status, expected $expected (99: memcheck found an error)"
  fi
  [ ! -s "$DSR_TMP/valgrind.log" ] || { cat "$DSR_TMP/valgrind.log" >&2; fail "memcheck reported on dsr $*"; }
  runs=$((runs + 1))
}

memcheck 0 policy check --policy "$SHOP_POLICY" --db "$shop" --format json
memcheck 0 access "${common[@]}" --subject customer_id=3 --format json
expect_json '.status' '"ok"'
memcheck 0 export "${common[@]}" --subject customer_id=3 --format csv --encrypt-to "$recipient" \
  --output "$DSR_TMP/copy.zip.age"
age -d -i "$DSR_TMP/subject.key" "$DSR_TMP/copy.zip.age" >"$DSR_TMP/copy.zip" || fail "the export does not decrypt with age"
memcheck 0 rectify "${common[@]}" --subject customer_id=4 --set customers.first_name=Ann --yes --format json
# (a customer with no orders: no tax-record hold stops the erasure at exit 7)
free=$(sql "$shop" "SELECT min(id) FROM customers WHERE id NOT IN (SELECT customer_id FROM orders WHERE customer_id IS NOT NULL)")
memcheck 0 erase "${common[@]}" --subject "customer_id=$free" --yes --format json
expect_json '.status' '"ok"'
memcheck 0 purge "${common[@]}" --format json
memcheck 0 consent withdraw "${common[@]}" --subject customer_id=6 --purpose marketing --source "phone call" --format json
memcheck 0 audit verify --policy "$SHOP_POLICY" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" --format json
echo "valgrind_memcheck: $runs runs, no memcheck error"
