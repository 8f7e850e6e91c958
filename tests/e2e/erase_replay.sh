# `dsr erase --replay-since DATE`: the day a backup is restored, every
# erasure recorded since DATE is applied again. The ledger holds only
# pseudonyms, so the subjects are found by re-computing them. Snapshot,
# erase three subjects (one named by a guest email), restore the snapshot,
# replay: the shop equals the erased one exactly; a second replay changes
# nothing; the ledger and the audit log never hold a raw identity.
# On PostgreSQL the backup is a copy of the database (CREATE DATABASE ...
# TEMPLATE), restored by dropping the shop and copying it back under its name.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop 200)
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
common=(--policy "$SHOP_POLICY" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
q() { sql "$shop" "$1"; }
dump() { dump_shop "$shop"; }

snapshot=$(copy_shop "$shop" snapshot)
guest=$(q "SELECT email FROM orders WHERE customer_id IS NULL AND email NOT IN (SELECT email FROM customers) LIMIT 1")
email=$(q "SELECT email FROM customers WHERE id = 40")

# Erased on the 20th, after the backup was taken.
export DSR_NOW=2026-11-20T09:00:00Z
for subject in customer_id=12 "email=$email" "email=$guest"; do
  status=0
  "$DSR" erase "${common[@]}" --subject "$subject" --yes --format json >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
  [ "$status" = 0 ] || [ "$status" = 7 ] || fail "erase $subject exited $status: $(cat "$DSR_TMP/err.txt")"
done
dump >"$DSR_TMP/erased.sql"
[ "$(sqlite3 "$DSR_TMP/state.db" "SELECT count(*) FROM erasure_ledger")" = 3 ] || fail "the ledger lacks the erasures"

# The backup comes back: the three subjects are there again.
drop_shop "$shop"
restored=$(copy_shop "$snapshot" shop)
[ "$restored" = "$shop" ] || fail "fixture: the restored shop is $restored, not $shop"
[ "$(q "SELECT count(*) FROM customers WHERE id = 12 AND email LIKE '%@%.%' AND email NOT LIKE '%@erased.invalid'")" = 1 ] ||
  fail "fixture: the snapshot does not hold customer 12"

export DSR_NOW=2026-11-22T09:00:00Z
# A replay from after the erasures finds nothing to do.
dump >"$DSR_TMP/restored.sql"
run_dsr 0 erase "${common[@]}" --replay-since 2026-11-21 --yes
[ "$(jq -s length "$DSR_TMP/out.json")" = 0 ] || fail "a replay from the 21st reported subjects"
diff -q "$DSR_TMP/restored.sql" <(dump) >/dev/null || fail "a replay from the 21st changed the shop"

status=0
"$DSR" erase "${common[@]}" --replay-since 2026-11-20 --yes >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
[ "$status" = 0 ] || [ "$status" = 7 ] || fail "the replay exited $status: $(cat "$DSR_TMP/err.txt")"
[ "$(jq -s length "$DSR_TMP/out.json")" = 3 ] || fail "the replay did not report three subjects: $(head -c 500 "$DSR_TMP/out.json")"
validate_report
dump >"$DSR_TMP/replayed.sql"
diff -q "$DSR_TMP/erased.sql" "$DSR_TMP/replayed.sql" >/dev/null ||
  fail "the replayed shop differs from the erased one: $(diff "$DSR_TMP/erased.sql" "$DSR_TMP/replayed.sql" | head -5)"
check_shop "$shop"

# Again: nothing left to change.
status=0
"$DSR" erase "${common[@]}" --replay-since 2026-11-20 --yes >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
[ "$status" = 0 ] || [ "$status" = 7 ] || fail "the second replay exited $status: $(cat "$DSR_TMP/err.txt")"
diff -q "$DSR_TMP/erased.sql" <(dump) >/dev/null || fail "the second replay changed the shop"

# No raw identity in the state store or the reports.
for value in "$email" "$guest"; do
  grep -qaF "$value" "$DSR_TMP/state.db" "$DSR_TMP/out.json" && fail "an identity is stored or reported"
done
"$DSR" audit show --state "$DSR_TMP/state.db" --format jsonl | grep -qF "$email" && fail "the audit log holds an identity"
echo "PASS: erase replay"
