# `dsr request`: deadlines per regime, pause/resume/extend/close, overdue
# alerting (exit 9), unknown ids (exit 4), prune, and a busy state (exit 11).
source "$DSR_SOURCE/tests/e2e/lib.sh"
state="$DSR_TMP/state.db"
common=(--policy "$SHOP_POLICY" --state "$state" --keys "$DSR_TMP/keys")
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null

# Received 31 January (Dublin): due the last day of February.
DSR_NOW=2026-01-31T10:00:00Z run_dsr 0 request open "${common[@]}" --type erase --subject email=ana@example.com --format json
validate_report
expect_json '.request | [.id, .received_on, .due_on, .status]' '["R-2026-000001","2026-01-31","2026-02-28","open"]'
[ "$(stat -c %a "$state")" = 600 ] || fail "state store is not 0600"

# CCPA: 45 days, confirm within 10 business days.
DSR_NOW=2026-11-20T12:00:00Z run_dsr 0 request open "${common[@]}" --type access --subject customer_id=42 --regime ccpa --format json
expect_json '.request | [.id, .due_on, .confirm_by]' '["R-2026-000002","2027-01-04","2026-12-04"]'

# Paused 5 days while identity is verified: the due date moves 5 days.
DSR_NOW=2026-02-10 run_dsr 0 request pause "${common[@]}" --id R-2026-000001 --format json
expect_json '.request.status' '"paused"'
DSR_NOW=2026-02-15 run_dsr 0 request resume "${common[@]}" --id R-2026-000001 --format json
expect_json '.request | [.status, .paused_days, .due_on]' '["open",5,"2026-03-05"]'

# GDPR extension: within the first month only, and only once.
DSR_NOW=2026-02-20 run_dsr 0 request extend "${common[@]}" --id R-2026-000001 --reason "archive restore" --format json
expect_json '.request.due_on' '"2026-05-05"'
DSR_NOW=2026-02-21 run_dsr 2 request extend "${common[@]}" --id R-2026-000001 --reason again --format json
expect_stderr "already extended"

# Overdue alerting for cron.
DSR_NOW=2026-06-01 run_dsr 9 request list "${common[@]}" --overdue --format json
validate_report
expect_json '[.requests[].id]' '["R-2026-000001"]'
DSR_NOW=2026-04-01 run_dsr 0 request list "${common[@]}" --overdue --format json
expect_json '.requests' '[]'
# Due within 40 days includes what is already overdue, earliest first.
DSR_NOW=2026-12-01 run_dsr 0 request list "${common[@]}" --status open --due-within 40d --format json
expect_json '[.requests[].id]' '["R-2026-000001","R-2026-000002"]'
DSR_NOW=2026-12-01 run_dsr 0 request list "${common[@]}" --due-within 10d --format json
expect_json '[.requests[].id]' '["R-2026-000001"]'

run_dsr 4 request show "${common[@]}" --id R-2026-999999
expect_stderr "no request with id 'R-2026-999999'"
run_dsr 0 request show "${common[@]}" --id R-2026-000001 --format json
expect_json '[.events[].event]' '["opened","paused","resumed","extended"]'

# Closed requests are kept until pruned after 24 months.
DSR_NOW=2026-03-01 run_dsr 0 request close "${common[@]}" --id R-2026-000001 --format json
DSR_NOW=2027-03-01 run_dsr 0 request prune "${common[@]}" --format json
expect_json '.removed' '0'
DSR_NOW=2028-03-02 run_dsr 0 request prune "${common[@]}" --format json
expect_json '.removed' '1'

# Bad input changes nothing.
run_dsr 2 request open "${common[@]}" --type erase --subject nickname=ana
run_dsr 2 request open "${common[@]}" --type erase --subject email=ana@example.com --received 2026-02-30
run_dsr 2 request open "${common[@]}" --type forget --subject email=ana@example.com
DSR_NOW=tomorrow run_dsr 2 request list "${common[@]}"

# Another dsr holding the state's write lock: wait --busy-timeout, then exit 11.
(printf 'BEGIN IMMEDIATE;\nSELECT 1;\n'; sleep 4; printf 'COMMIT;\n') | sqlite3 "$state" >/dev/null &
locker=$!
sleep 1
run_dsr 11 request open "${common[@]}" --type access --subject email=bo@example.com --busy-timeout 300
wait "$locker"
expect_stderr "locked"
run_dsr 0 audit verify "${common[@]}" --format json
