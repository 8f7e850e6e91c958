# `dsr purge` as cron runs it:
#  - stdin closed or /dev/null, stdout and stderr files: no prompt, a JSON
#    report on stdout, nothing at all on stderr when it succeeds, only the
#    error line when it fails, and no escape code anywhere; --format text
#    is plain text too; --progress never is silent even on a terminal;
#  - --progress always draws progress on stderr although it is a file, and
#    on a terminal (script(1)) the default draws it, never asking anything;
#  - --dry-run changes nothing (logical dump) and its audit entries are
#    flagged dry_run; the done entry records the same per-table counts as the
#    report;
#  - the exit codes: 14 stopped with work left (saying so in JSON and in
#    text), 2 for usage errors (bad --batch-size, --max-duration,
#    --progress, --table), 3 for a bad policy, 11 when another purge runs;
#  - the audit log verifies, and no personal value of the shop (emails,
#    names, addresses, a ticket's text, an IP address, of rows purged and
#    rows kept) is in the state store, the audit log, any report or stderr;
#  - every JSON report (done, dry run, stopped, refused) and the audit log's
#    listing validate against lib/report/report.schema.json (checked last).
# On PostgreSQL the lock file's mode is not checked (there is none: the purge
# lock is an advisory lock, here held by a psql session for the exit 11), and
# a dump is dump_shop.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
work=$(new_shop shop 400)
pristine=$(copy_shop "$work" pristine)
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-20T10:00:00Z
state="$DSR_TMP/state.db"
args=(--policy "$SHOP_POLICY" --db "$work" --state "$state" --keys "$DSR_TMP/keys")
reports=()
keep_report() { cp "$DSR_TMP/out.json" "$DSR_TMP/report-$1.json"; reports+=("$DSR_TMP/report-$1.json"); }
no_escapes() {
  local f
  for f in "$@"; do
    if grep -q -a $'\x1b' "$f"; then fail "$f holds an escape code: $(head -c 300 "$f" | od -c | head -5)"; fi
  done
}
q() { sql "$work" "$1"; }

# Personal values, of rows the purge will delete or mask and of rows it keeps.
values=(
  "$(q "SELECT email FROM orders WHERE placed_at < '2016-11-21' ORDER BY id LIMIT 1")"
  "$(q "SELECT first_name || ' ' || last_name FROM customers c JOIN addresses a ON a.customer_id = c.id
        WHERE a.created_at < '2020-11-21' ORDER BY a.id LIMIT 1")"
  "$(q "SELECT email FROM customers ORDER BY id DESC LIMIT 1")"
  "$(q "SELECT line1 FROM addresses WHERE created_at < '2020-11-21' ORDER BY id LIMIT 1")"
  "$(q "SELECT ship_to_name FROM shipments WHERE shipped_at BETWEEN '2017-01-01' AND '2024-01-01' ORDER BY id LIMIT 1")"
  "$(q "SELECT ship_to_line1 FROM shipments WHERE shipped_at BETWEEN '2017-01-01' AND '2024-01-01' ORDER BY id DESC LIMIT 1")"
  "$(q "SELECT body FROM support_tickets WHERE created_at < '2023-11-21' ORDER BY id LIMIT 1")"
  "$(q "SELECT ip_address FROM web_sessions ORDER BY id LIMIT 1")"
)
for v in "${values[@]}"; do [ "${#v}" -ge 7 ] || fail "fixture: personal value '$v' is too short to look for"; done

# --- the dry run: reads only, says so in the audit log --------------------------------
dump_shop "$work" >"$DSR_TMP/before.sql"
status=0
"$DSR" purge "${args[@]}" --dry-run <&- >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
[ "$status" -eq 0 ] || fail "dry run with stdin closed exited $status: $(cat "$DSR_TMP/err.txt")"
[ ! -s "$DSR_TMP/err.txt" ] || fail "dry run: stderr is not empty: $(head -c 300 "$DSR_TMP/err.txt")"
jq -e . "$DSR_TMP/out.json" >/dev/null || fail "dry run: stdout is not a JSON report"
expect_json '[.command, .dry_run, .status, .totals.deleted > 100, .totals.masked > 10]' '["purge",true,"ok",true,true]'
keep_report dry
{ dump_shop "$work" >"$DSR_TMP/now.dump"; cmp -s "$DSR_TMP/now.dump" "$DSR_TMP/before.sql"; } || fail "the dry run changed the database"
run_dsr 0 audit show --state "$state" --format json
keep_report audit-dry
expect_json '[.entries[] | select(.command == "purge") | [.phase, .dry_run, .summary.dry_run]]' \
  '[["intent",true,null],["done",true,true]]'

# --- the real run, as cron runs it ------------------------------------------------------
status=0
"$DSR" purge "${args[@]}" </dev/null >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" || status=$?
[ "$status" -eq 0 ] || fail "purge under cron exited $status: $(cat "$DSR_TMP/err.txt")"
[ ! -s "$DSR_TMP/err.txt" ] || fail "purge under cron: stderr is not empty: $(head -c 300 "$DSR_TMP/err.txt" | od -c | head -5)"
jq -e . "$DSR_TMP/out.json" >/dev/null || fail "purge under cron: stdout is not a JSON report"
expect_json '[.command, .dry_run, .status, .complete]' '["purge",false,"ok",true]'
no_escapes "$DSR_TMP/out.json"
keep_report real
# The dry run foresaw exactly this.
counts='[.tables[] | {table, examined, deleted, masked, already_masked, kept_under_hold, kept_as_parent, kept_for}]'
[ "$(jq -c "$counts" "$DSR_TMP/report-dry.json")" = "$(jq -c "$counts" "$DSR_TMP/out.json")" ] ||
  fail "the dry run's counts differ from the real run's"
# The audit's done entry records the report's counts.
run_dsr 0 audit show --state "$state" --format json
keep_report audit
audit_counts=$(jq -c '[.entries[] | select(.command == "purge" and .phase == "done")] | last | .summary.tables |
                      [.[] | {table, examined, deleted, masked, already_masked, kept_under_hold, kept_as_parent, kept_for}]' \
               "$DSR_TMP/out.json")
[ "$audit_counts" = "$(jq -c "$counts" "$DSR_TMP/report-real.json")" ] ||
  fail "the audit entry's counts differ from the report's: $audit_counts"
if on_backend sqlite; then
  [ "$(stat -c %a "$work.dsr-purge.lock")" = 600 ] || fail "the lock file is mode $(stat -c %a "$work.dsr-purge.lock"), not 0600"
fi

# Text for a human reading the cron mail: plain, no escape codes.
status=0
"$DSR" purge "${args[@]}" --format text <&- >"$DSR_TMP/report.txt" 2>"$DSR_TMP/err.txt" || status=$?
[ "$status" -eq 0 ] || fail "--format text exited $status"
[ ! -s "$DSR_TMP/err.txt" ] || fail "--format text: stderr is not empty"
grep -q "Retention enforced as of 2026-11-20" "$DSR_TMP/report.txt" || fail "the text report lacks its heading: $(head -3 "$DSR_TMP/report.txt")"
no_escapes "$DSR_TMP/report.txt"

# --- progress ----------------------------------------------------------------------------
restore() {
  local copy
  drop_shop "$work"
  copy=$(copy_shop "$pristine" shop)
  [ "$copy" = "$work" ] || fail "fixture: the shop came back as $copy, not $work"
}
restore
run_dsr 0 purge "${args[@]}" --progress always --batch-size 100
grep -q -a "purge addresses: " "$DSR_TMP/err.txt" || fail "--progress always drew no progress on stderr: $(head -c 300 "$DSR_TMP/err.txt")"
grep -q -a "expired rows" "$DSR_TMP/err.txt" || fail "--progress always: no count of expired rows: $(head -c 300 "$DSR_TMP/err.txt")"
no_escapes "$DSR_TMP/out.json"
# On a terminal: progress by default, no question asked (stdin is the terminal).
restore
timeout 60 script -qec "'$DSR' purge $(printf "'%s' " "${args[@]}") --format json >'$DSR_TMP/tty.json'" /dev/null \
  </dev/null >"$DSR_TMP/tty.log" || fail "purge on a terminal failed or waited: $(head -c 500 "$DSR_TMP/tty.log")"
grep -q -a "purge addresses: " "$DSR_TMP/tty.log" || fail "no progress on a terminal: $(head -c 300 "$DSR_TMP/tty.log")"
jq -e '.status == "ok"' "$DSR_TMP/tty.json" >/dev/null || fail "purge on a terminal: $(head -c 300 "$DSR_TMP/tty.json")"
restore
timeout 60 script -qec "'$DSR' purge $(printf "'%s' " "${args[@]}") --progress never --format json >/dev/null" /dev/null \
  </dev/null >"$DSR_TMP/tty.log" || fail "purge --progress never on a terminal failed"
[ ! -s "$DSR_TMP/tty.log" ] || fail "--progress never wrote to the terminal: $(head -c 300 "$DSR_TMP/tty.log" | od -c | head -3)"

# --- exit codes --------------------------------------------------------------------------
restore
# --max-duration 0s: one batch, then stopped (timing-free).
run_dsr 14 purge "${args[@]}" --format json --batch-size 10 --max-duration 0s <&-
expect_json '[.status, .complete, .stopped_by]' '["incomplete",false,"max_duration"]'
[ ! -s "$DSR_TMP/err.txt" ] || fail "a run stopped by --max-duration wrote to stderr: $(head -c 300 "$DSR_TMP/err.txt")"
keep_report stopped
restore
run_dsr 14 purge "${args[@]}" --format text --batch-size 10 --max-duration 0s <&-
grep -q "Stopped by --max-duration with work left" "$DSR_TMP/out.json" ||
  fail "the text report of a stopped run does not say so: $(tail -3 "$DSR_TMP/out.json")"
no_escapes "$DSR_TMP/out.json"
run_dsr 2 purge "${args[@]}" --batch-size 0
run_dsr 2 purge "${args[@]}" --max-duration 10x
run_dsr 2 purge "${args[@]}" --progress sometimes
run_dsr 2 purge "${args[@]}" --table no_such_table --format json
expect_stderr "no_such_table"
keep_report usage
run_dsr 2 purge "${args[@]}" --table customers
expect_stderr "customers"
printf 'version: 1\n' >"$DSR_TMP/bad.yaml"
run_dsr 3 purge --policy "$DSR_TMP/bad.yaml" --db "$work" --state "$state" --keys "$DSR_TMP/keys"
# Refused: another purge holds the lock (SQLite: flock(1) on the lock file;
# PostgreSQL: a psql session holding dsr's advisory lock, class 6583154 and
# hashtext('dsr-purge') as lib/db/postgres/postgres_database.cpp takes it).
if on_backend postgresql; then
  (printf 'SELECT pg_advisory_lock(6583154, hashtext(%s));\nSELECT pg_sleep(60);\n' "'dsr-purge'" | sql "$work" >/dev/null 2>&1) &
  holder=$!
  held="SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
  for _ in $(seq 100); do [ -n "$(q "$held")" ] && break; sleep 0.1; done
  holder_backend=$(q "$held")
  [ -n "$holder_backend" ] || fail "fixture: the psql session did not take the advisory lock"
  run_dsr 11 purge "${args[@]}" --format json
  q "SELECT pg_terminate_backend($holder_backend)" >/dev/null
  wait "$holder" || true
  for _ in $(seq 100); do [ -z "$(q "$held")" ] && break; sleep 0.1; done
else
  exec 9>"$work.dsr-purge.lock"
  flock -n 9 || fail "fixture: flock could not take the lock"
  run_dsr 11 purge "${args[@]}" --format json 9>&-
  exec 9>&-
fi
expect_stderr "another dsr purge"
no_escapes "$DSR_TMP/err.txt"
keep_report refused
run_dsr 0 purge "${args[@]}" --format json
keep_report finished

# --- the audit log and the state store ---------------------------------------------------
run_dsr 0 audit verify --state "$state" --keys "$DSR_TMP/keys" --format json
expect_json '.verified' 'true'
keep_report verify
"$DSR" audit show --state "$state" --format json >"$DSR_TMP/audit-all.json"
phases=$(jq -c '[.entries[] | select(.command == "purge") | .phase] | group_by(.) | map({(.[0]): length}) | add' "$DSR_TMP/audit-all.json")
[ "$(jq '.intent' <<<"$phases")" -ge 8 ] || fail "the audit log lacks purge entries: $phases"
sqlite3 "$state" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
for v in "${values[@]}"; do
  for f in "$state" "$state-wal" "$DSR_TMP"/report-*.json "$DSR_TMP/report.txt" "$DSR_TMP/audit-all.json" \
           "$DSR_TMP/err.txt" "$DSR_TMP/tty.log" "$work.dsr-purge.lock"; do
    [ -e "$f" ] || continue
    if grep -q -a -F -- "$v" "$f"; then fail "personal value '$v' found in $f"; fi
  done
done

# --- the reports against the published schema (last: another change adds purge to it) ----
invalid=()
for r in "${reports[@]}"; do
  validate_report "$r" || invalid+=("$(basename "$r" .json)")
done
[ "${#invalid[@]}" -eq 0 ] || fail "reports not matching lib/report/report.schema.json: ${invalid[*]}"
echo "purge_cron: ${#reports[@]} reports valid; ${#values[@]} personal values found nowhere" >&2
