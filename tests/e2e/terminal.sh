# What a person at a terminal sees, under a real pseudo-terminal (script(1)
# from util-linux, Debian's bsdutils): erase's confirmation prompt, where
# "no" changes nothing; progress lines redrawn with \r that end with a
# newline before the report; colour on a terminal, none with NO_COLOR or
# --color never; and, with no terminal, not one escape byte in a pipe or a
# file unless --color always asks for it. -q wins over --progress always.
# backends: sqlite
source "$DSR_SOURCE/tests/e2e/lib.sh"
command -v script >/dev/null || fail "script(1) is not installed (apt-get install bsdutils)"
shop=$(new_shop shop 300)
export DSR_NOW=2026-11-01 TERM=xterm
unset NO_COLOR
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
common=(--policy "$SHOP_POLICY" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
ESC=$'\e'

# on_tty FILE ARGS...: runs ARGS with stdin, stdout and stderr on a new
# pseudo-terminal, what this shell's stdin holds typed into it; everything
# the terminal shows goes to FILE. Returns the command's exit status.
on_tty() {
  local capture=$1; shift
  local command
  command=$(printf '%q ' "$@")
  script -qfec "$command" /dev/null >"$capture" 2>&1
}
# has FILE TEXT / lacks FILE TEXT: FILE (bytes) contains TEXT or not.
has() { grep -qaF -- "$2" "$1" || fail "$1 lacks '$2': $(head -c 600 "$1" | cat -v)"; }
lacks() { if grep -qaF -- "$2" "$1"; then fail "$1 has '$(cat -v <<<"$2")': $(head -c 600 "$1" | cat -v)"; fi; }
# carriage_returns FILE: how many \r FILE holds.
carriage_returns() { tr -cd '\r' <"$1" | wc -c; }
# ends_with_newline FILE: the last byte is \n.
ends_with_newline() { [ "$(tail -c 1 "$1" | od -An -tx1 | tr -d ' ')" = 0a ] || fail "$1 does not end with a newline: $(tail -c 200 "$1" | cat -v)"; }

# --- (a) the confirmation prompt: "n" changes nothing ---------------------------
before=$(sha256sum "$shop")
status=0
printf 'n\n' | on_tty "$DSR_TMP/prompt.tty" "$DSR" erase "${common[@]}" --subject customer_id=1 || status=$?
[ "$status" -eq 2 ] || fail "erase answered 'n' exited $status, expected 2: $(cat -v "$DSR_TMP/prompt.tty")"
has "$DSR_TMP/prompt.tty" "dsr erase will change the database as follows:"
has "$DSR_TMP/prompt.tty" "Type yes to erase, anything else to stop:"
has "$DSR_TMP/prompt.tty" "erasure not confirmed; nothing was changed"
[ "$(sha256sum "$shop")" = "$before" ] || fail "answering 'n' changed the database"
[ "$(sql "$shop" "SELECT count(*) FROM customers WHERE id = 1")" = 1 ] || fail "customer 1 is gone after 'n'"

# --- (b) progress lines end cleanly, and the report follows ------------------------
seq 1 300 | sed 's/^/customer_id=/' >"$DSR_TMP/subjects.txt"
# Batch access, its JSON lines to a file, the progress on the terminal.
on_tty "$DSR_TMP/access.tty" sh -c "$(printf '%q ' "$DSR" access "${common[@]}" --subjects-file "$DSR_TMP/subjects.txt") > $(printf '%q' "$DSR_TMP/access.jsonl")" ||
  fail "batch access under a terminal failed: $(cat -v "$DSR_TMP/access.tty")"
[ "$(carriage_returns "$DSR_TMP/access.tty")" -ge 2 ] || fail "no redrawn progress line: $(cat -v "$DSR_TMP/access.tty")"
has "$DSR_TMP/access.tty" $'\r'"$ESC[Kaccess: 300 / 300 subjects, 100%"
ends_with_newline "$DSR_TMP/access.tty"
[ "$(wc -l <"$DSR_TMP/access.jsonl")" -eq 300 ] || fail "expected 300 reports"
lacks "$DSR_TMP/access.jsonl" "$ESC"
lacks "$DSR_TMP/access.tty" "@example"  # counts only, never an identity

# A purge in small batches, its text report on the same terminal.
status=0
on_tty "$DSR_TMP/purge.tty" "$DSR" purge "${common[@]}" --batch-size 20 --format text || status=$?
[ "$status" -eq 0 ] || fail "purge under a terminal exited $status: $(cat -v "$DSR_TMP/purge.tty")"
[ "$(carriage_returns "$DSR_TMP/purge.tty")" -ge 2 ] || fail "no redrawn progress line: $(cat -v "$DSR_TMP/purge.tty")"
# After the last redraw: the final counts, a newline, then the report.
last=$(<"$DSR_TMP/purge.tty")
last=${last##*$'\r'"$ESC[K"}
[[ $last == "purge "*": "* ]] || fail "the last redraw is not the progress line: $(cat -v <<<"$last")"
[[ $last == *$'\r\n'*"Retention enforced as of 2026-11-01"* ]] ||
  fail "the report does not follow the progress line on a line of its own: $(cat -v <<<"$last")"
ends_with_newline "$DSR_TMP/purge.tty"

# dsr-shopgen ends its line with what it wrote.
on_tty "$DSR_TMP/shopgen.tty" "$SHOPGEN" --customers 50 --seed 7 --now 2026-11-01 --out "$DSR_TMP/small.db" ||
  fail "dsr-shopgen under a terminal failed: $(cat -v "$DSR_TMP/shopgen.tty")"
has "$DSR_TMP/shopgen.tty" $'\r'"$ESC[Kdsr-shopgen: wrote 50 customers in"
ends_with_newline "$DSR_TMP/shopgen.tty"

# -q wins over --progress always, on a terminal or not.
on_tty "$DSR_TMP/quiet.tty" sh -c "$(printf '%q ' "$DSR" access "${common[@]}" --subjects-file "$DSR_TMP/subjects.txt" --progress always -q) > /dev/null" ||
  fail "batch access -q failed: $(cat -v "$DSR_TMP/quiet.tty")"
[ ! -s "$DSR_TMP/quiet.tty" ] || fail "-q still drew on the terminal: $(head -c 300 "$DSR_TMP/quiet.tty" | cat -v)"
run_dsr 0 access "${common[@]}" --subjects-file "$DSR_TMP/subjects.txt" --progress always
[ "$(carriage_returns "$DSR_TMP/err.txt")" -ge 1 ] || fail "--progress always drew nothing into a file"
run_dsr 0 access "${common[@]}" --subjects-file "$DSR_TMP/subjects.txt" --progress always -q
[ ! -s "$DSR_TMP/err.txt" ] || fail "-q --progress always wrote: $(head -c 300 "$DSR_TMP/err.txt" | cat -v)"

# --- (c) colour on a terminal, none with NO_COLOR or --color never ------------------
check=(policy check --policy "$SHOP_POLICY" --db "$shop" --format text)
on_tty "$DSR_TMP/check.tty" "$DSR" "${check[@]}" || true
has "$DSR_TMP/check.tty" "$ESC["
has "$DSR_TMP/check.tty" "0 errors"
NO_COLOR=1 on_tty "$DSR_TMP/nocolor.tty" "$DSR" "${check[@]}" || true
lacks "$DSR_TMP/nocolor.tty" "$ESC"
has "$DSR_TMP/nocolor.tty" "0 errors"
on_tty "$DSR_TMP/never.tty" "$DSR" "${check[@]}" --color never || true
lacks "$DSR_TMP/never.tty" "$ESC"
TERM=dumb on_tty "$DSR_TMP/dumb.tty" "$DSR" "${check[@]}" || true
lacks "$DSR_TMP/dumb.tty" "$ESC"
# The error line on a terminal's stderr is coloured too.
on_tty "$DSR_TMP/error.tty" "$DSR" access "${common[@]}" --subject customer_id=999999 --format text || true
has "$DSR_TMP/error.tty" "dsr: $ESC[1;31merror:$ESC[0m no data found"

# A listing is an aligned table on a terminal: headings in bold, a status in
# colour, the columns lined up by characters (the escape codes take no width).
ledger=(--policy "$SHOP_POLICY" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
run_dsr 0 request open "${ledger[@]}" --type access --subject customer_id=1
on_tty "$DSR_TMP/list.tty" "$DSR" request list "${ledger[@]}" --format text
has "$DSR_TMP/list.tty" "$ESC[1mSTATUS$ESC[0m"
on_tty "$DSR_TMP/audit.tty" "$DSR" audit show "${ledger[@]}" --format text
has "$DSR_TMP/audit.tty" "$ESC[1mPHASE$ESC[0m"
has "$DSR_TMP/audit.tty" "$ESC[32mdone$ESC[0m"
NO_COLOR=1 on_tty "$DSR_TMP/list-plain.tty" "$DSR" request list "${ledger[@]}" --format text
lacks "$DSR_TMP/list-plain.tty" "$ESC"
plain=$(tr -d '\r' <"$DSR_TMP/list-plain.tty")
painted=$(tr -d '\r' <"$DSR_TMP/list.tty" | sed 's/\x1b\[[0-9;]*m//g')
[ "$plain" = "$painted" ] || fail "the coloured listing is not the plain one painted: $(cat -v "$DSR_TMP/list.tty")"
column_of() { awk -v word="$2" 'NR == 1 { print index($0, word) }' <<<"$1"; }
row_column() { awk -v word="$2" 'NR == 2 { print index($0, word) }' <<<"$1"; }
[ "$(column_of "$plain" RECEIVED)" = "$(row_column "$plain" 2026-11-01)" ] ||
  fail "the RECEIVED column is not aligned: $plain"

# --- (d) no terminal: no escape byte, unless --color always --------------------------
status=0
"$DSR" "${check[@]}" >"$DSR_TMP/check.out" 2>"$DSR_TMP/check.err" || status=$?
lacks "$DSR_TMP/check.out" "$ESC"
lacks "$DSR_TMP/check.err" "$ESC"
"$DSR" "${check[@]}" 2>&1 | cat >"$DSR_TMP/check.pipe"
lacks "$DSR_TMP/check.pipe" "$ESC"
run_dsr 4 access "${common[@]}" --subject customer_id=999999 --format text
lacks "$DSR_TMP/out.json" "$ESC"
lacks "$DSR_TMP/err.txt" "$ESC"
run_dsr 4 access "${common[@]}" --subject customer_id=999999 --format text --color always
has "$DSR_TMP/err.txt" "$ESC[1;31merror:"
"$DSR" "${check[@]}" --color always >"$DSR_TMP/always.out" 2>/dev/null || true
has "$DSR_TMP/always.out" "$ESC["
NO_COLOR=1 "$DSR" "${check[@]}" --color always >"$DSR_TMP/always.out" 2>/dev/null || true
has "$DSR_TMP/always.out" "$ESC["
"$DSR" audit show "${ledger[@]}" --format text >"$DSR_TMP/audit.out"
lacks "$DSR_TMP/audit.out" "$ESC"
"$DSR" audit show "${ledger[@]}" --format text --color always >"$DSR_TMP/audit.out"
has "$DSR_TMP/audit.out" "$ESC[1mSEQ$ESC[0m"
# JSON is never coloured, --color always or not.
"$DSR" policy check --policy "$SHOP_POLICY" --db "$shop" --format json --color always >"$DSR_TMP/check.json" || true
lacks "$DSR_TMP/check.json" "$ESC"
jq -e . "$DSR_TMP/check.json" >/dev/null || fail "policy check --format json --color always is not JSON"
on_tty "$DSR_TMP/json.tty" "$DSR" policy check --policy "$SHOP_POLICY" --db "$shop" --format json || true
lacks "$DSR_TMP/json.tty" "$ESC"
echo "terminal: ok"
