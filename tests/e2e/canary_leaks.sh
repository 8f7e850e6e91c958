# Issue 9, point 9: no personal data where it must not be. Every text value
# of the shop's identity, contact and address columns is made a canary (it
# carries the marker kq7canary and its row's id), then every command runs on
# that shop, the way an operator would, including failures and -v; its
# stdout, stderr and the files it leaves are kept apart. Afterwards no canary
# may appear anywhere but in the outputs whose job is to show personal data
# (access and export reports, the export files, consent list's mailing list,
# breach notify-list): not in the state store (its SQLite file and a dump),
# the keys, the audit log, any stderr, any other report, an erasure plan,
# the policy init draft, or a temporary file (TMPDIR is this script's own).
# The command lines themselves name subjects by canary emails, so an error
# message that echoed its input would be caught too.
# Every other script runs on canary shops too (run_one.sh, dsr-shopgen
# --canary) and is searched the same way; this one stays as the one that runs
# every command once, on purpose, failures included, with canaries in more
# columns (postcodes and countries, which dsr-shopgen leaves alone) and in
# a TMPDIR of its own.
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop 120)
marker=kq7canary

# --- the canaries ----------------------------------------------------------------
# The policy's identity, contact and address columns that hold text; emails
# keep their shape (the marker goes in the local part) so the email identity
# still normalises and matches.
/usr/bin/python3 - "$SHOP_POLICY" "$shop" "$marker" >"$DSR_TMP/canary.sql" <<'PY'
import re, sqlite3, sys, yaml
policy, shop, marker = yaml.safe_load(open(sys.argv[1])), sqlite3.connect(sys.argv[2]), sys.argv[3]
for table, spec in policy["tables"].items():
    types = {r[1]: r[2].upper() for r in shop.execute(f'PRAGMA table_info("{table}")')}
    create = shop.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    for column, c in (spec.get("columns") or {}).items():
        if c.get("category") not in ("identity", "contact", "address") or "TEXT" not in types.get(column, ""):
            continue
        if re.search(r"CHECK\s*\([^)]*\b" + re.escape(column) + r"\b", create, re.I):
            continue  # a code (kind, country), not free text
        if "email" in column:
            value = f"'{marker}' || rowid || '.' || \"{column}\""
        elif "phone" in column:
            continue  # normalised to digits: a marker would make it no phone at all
        else:
            value = f"'{marker.capitalize()}' || rowid || ' ' || \"{column}\""
        print(f'UPDATE "{table}" SET "{column}" = {value} WHERE "{column}" IS NOT NULL;')
PY
[ "$(wc -l <"$DSR_TMP/canary.sql")" -ge 6 ] || fail "fixture: only $(wc -l <"$DSR_TMP/canary.sql") canary columns"
sql "$shop" "$(cat "$DSR_TMP/canary.sql")"
planted=$(sql "$shop" "SELECT count(*) FROM customers WHERE email LIKE '$marker%'")
[ "$planted" -gt 100 ] || fail "fixture: only $planted canary customers"

# --- everything a merchant does, in private directories --------------------------
allowed=$DSR_TMP/allowed   # outputs whose job is personal data
checked=$DSR_TMP/checked   # everything else dsr writes or prints
mkdir -p "$allowed" "$checked/tmp" "$checked/keys"
export TMPDIR=$checked/tmp DSR_NOW=2026-11-20T10:00:00Z
state=$checked/state.db
common=(--policy "$SHOP_POLICY" --db "$shop" --state "$state" --keys "$checked/keys")
ledger=(--policy "$SHOP_POLICY" --state "$state" --keys "$checked/keys")
email() { sql "$shop" "SELECT email FROM customers WHERE id = $1"; }
n=0
# step EXPECTED_EXITS KIND ARGS...: runs dsr, stdout kept under allowed/ for
# KIND=personal and under checked/ otherwise; stderr always under checked/.
# EXPECTED_EXITS is one code or several with commas (an erasure stopped by a
# tax-record hold exits 7, and what it printed is checked all the same).
step() {
  local expected=$1 kind=$2; shift 2
  local status=0 out
  n=$((n + 1))
  if [ "$kind" = personal ]; then out=$allowed/$n.out; else out=$checked/$n.out; fi
  "$DSR" "$@" >"$out" 2>"$checked/$n.err" </dev/null || status=$?
  [[ ",$expected," == *",$status,"* ]] ||
    fail "dsr $1 $2 exited $status, expected $expected: $(head -c 300 "$checked/$n.err")"
}
age-keygen -o "$allowed/subject.key" 2>/dev/null
recipient=$(age-keygen -y "$allowed/subject.key")

step 0 other keygen --keys "$checked/keys"
step 0 other policy check --policy "$SHOP_POLICY" --db "$shop" --format json
step 0 other policy check --policy "$SHOP_POLICY" --db "$shop" --format text
step 0 other policy init --db "$shop" --output "$checked/draft.yaml" --format json
step 0 other request open "${ledger[@]}" --type access --subject "email=$(email 3)" --format json
step 0 personal access "${common[@]}" --subject "email=$(email 3)" --format json
step 0 personal access "${common[@]}" --subject "email=$(email 3)" --format text -v
printf 'email=%s\ncustomer_id=5\nemail=%s\n' "$(email 4)" "$(email 6)" >"$allowed/subjects.txt"
step 0 personal access "${common[@]}" --subjects-file "$allowed/subjects.txt" --format json --progress always
step 0 other export "${common[@]}" --subject "email=$(email 7)" --output "$allowed/copy.json" --format json
step 0 other export "${common[@]}" --subject "email=$(email 7)" --format csv --encrypt-to "$recipient" \
  --output "$allowed/copy.zip.age"
step 4 other access "${common[@]}" --subject "email=${marker}404.nobody@example.com" --format json
step 4 other erase "${common[@]}" --subject "email=${marker}404.nobody@example.com" --yes --format json
step 2 other access "${common[@]}" --subject "emial=$(email 8)" --format json
step 0 other rectify "${common[@]}" --subject "email=$(email 9)" --set "customers.last_name=${marker}New" --yes \
  --format json -v
step 0,7 other erase "${common[@]}" --subject "email=$(email 10)" --dry-run --format json
step 0,7 other erase "${common[@]}" --subject "email=$(email 10)" --plan-out "$checked/plan.json" --dry-run \
  --format json
step 0,7 other erase "${common[@]}" --subject "email=$(email 10)" --yes --format json -v
step 0,7 other erase "${common[@]}" --subjects-file "$allowed/subjects.txt" --yes --format json --progress always
step 0 other consent grant "${common[@]}" --subject "email=$(email 11)" --purpose marketing --source "web form" \
  --format json
step 0 other consent withdraw "${common[@]}" --subject "email=$(email 11)" --purpose marketing --source "email" \
  --format json
step 0 other consent show "${common[@]}" --subject "email=$(email 11)" --format text
step 0 personal consent list "${common[@]}" --purpose marketing --granted --format text
step 0 other purge "${common[@]}" --format json -v --progress always
step 0 other breach assess "${common[@]}" --scope customers.email --note "a test" --format json
step 0 other breach list "${ledger[@]}" --format text
step 0 other request list "${ledger[@]}" --format text
step 0 other audit show "${ledger[@]}" --format json
step 0 other audit show "${ledger[@]}" --format text
step 0 other audit verify "${ledger[@]}" --format json
[ -s "$allowed/7.out" ] && grep -q "$marker" "$allowed/6.out" ||
  fail "fixture: the access report shows no canary, so the search below would prove nothing"

# --- where the canaries must not be ----------------------------------------------
sqlite3 "$state" .dump >"$checked/state.dump"
leaks=$(grep -rlai "$marker" "$checked" || true)
if [ -n "$leaks" ]; then
  for f in $leaks; do echo "--- $f" >&2; grep -ai -m3 -o ".\{0,60\}$marker.\{0,40\}" "$f" >&2; done
  fail "a canary reached: $(echo $leaks)"
fi
[ -z "$(ls -A "$checked/tmp")" ] || fail "temporary files left behind: $(ls -A "$checked/tmp")"
echo "canary_leaks: $planted canary customers, $n runs, no canary outside access, export and mailing-list outputs"
