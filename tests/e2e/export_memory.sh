# `dsr export` streams: a subject with 200,000 rows is exported as JSON, as
# CSV and encrypted, and the peak resident set stays under 64 MiB (measured by
# /usr/bin/time, GNU time's %M). The bound is checked in the plain build only:
# AddressSanitizer's shadow memory and quarantine inflate RSS by design, so
# the sanitized run checks the output and prints the figure.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop 50)
rows=200000
# One customer with 200,000 web sessions, inserted set-based.
last=$(sql "$shop" "SELECT max(id) FROM web_sessions")
sql "$shop" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
  INSERT INTO web_sessions (id, customer_id, ip_address, user_agent, started_at)
  SELECT $last + i, 1, '192.0.2.' || (i % 250), 'Mozilla/5.0 (X11; Linux x86_64) session ' || i, 1700000000 + i FROM n;"
want=$(sql "$shop" "SELECT count(*) FROM web_sessions WHERE customer_id = 1")
[ "$want" -ge $rows ] || fail "fixture: only $want sessions"
common=(--policy "$SHOP_POLICY" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
export DSR_NOW=2026-11-20T10:00:00Z  # the same manifest in every copy
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
age-keygen -o "$DSR_TMP/subject.key" 2>/dev/null
recipient=$(age-keygen -y "$DSR_TMP/subject.key")

limit_kib=$((64 * 1024))
sanitized=0
if is_sanitized; then sanitized=1; fi

# export_measured NAME ARGS...: runs an export under GNU time, checks the row count, prints the peak RSS.
export_measured() {
  local name=$1; shift
  /usr/bin/time -f '%M' -o "$DSR_TMP/rss-$name" "$DSR" export "${common[@]}" --subject customer_id=1 \
    --output "$DSR_TMP/$name" "$@" >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt" ||
    fail "export $name failed: $(cat "$DSR_TMP/err.txt")"
  expect_json '[.parts[] | select(.table == "web_sessions") | .rows]' "[$want]"
  local rss
  rss=$(tail -n 1 "$DSR_TMP/rss-$name")
  echo "export $name: $want sessions, $(stat -c %s "$DSR_TMP/$name") bytes, peak RSS $rss KiB"
  if [ $sanitized = 0 ] && [ "$rss" -ge $limit_kib ]; then
    fail "export $name peaked at $rss KiB, over the $limit_kib KiB bound"
  fi
}

export_measured copy.json
export_measured copy.zip --format csv
export_measured copy.json.age --encrypt-to "$recipient"
age -d -i "$DSR_TMP/subject.key" "$DSR_TMP/copy.json.age" | cmp -s - "$DSR_TMP/copy.json" ||
  fail "the encrypted 200,000-row export does not decrypt to the plain one"
# Killed half way, while the output is being written (the unnamed file,
# O_TMPFILE, that dsr holds open in the output's directory has bytes):
# nothing at the output path, or, when the kill came after the link (the
# process was still alive), the complete file; never a partial one, and no
# temporary file either. The export takes a fraction of a second, less
# than a look at its open files costs a loaded machine's shell: dsr is
# stopped (SIGSTOP) for each look and let go for a moment between looks, so
# it cannot run through unseen. Tried again if it still finished unseen,
# and the test fails if no attempt was seen writing.
dir=$(realpath "$DSR_TMP")
# kill_while_writing: 0 when an export was killed with bytes in its unnamed file.
kill_while_writing() {
  rm -f "$DSR_TMP/killed.json"
  "$DSR" export "${common[@]}" --subject customer_id=1 --output "$DSR_TMP/killed.json" >/dev/null 2>&1 &
  local pid=$! real writing="" fd
  for _ in $(seq 1 5000); do
    real=$(dsr_pid $pid)
    kill -STOP "$real" 2>/dev/null || break
    for fd in /proc/"$real"/fd/*; do
      case $(readlink "$fd" 2>/dev/null) in
        "$dir/#"*" (deleted)") [ "$(stat -L -c %s "$fd" 2>/dev/null || echo 0)" -gt 0 ] && writing=$fd ;;
      esac
    done
    [ -n "$writing" ] && break
    kill -CONT "$real" 2>/dev/null
    sleep 0.002
  done
  if [ -n "$writing" ] && kill -9 "$real" 2>/dev/null; then
    kill -CONT "$real" 2>/dev/null || true
    wait $pid 2>/dev/null || true
    await_dsr_death $pid
    return 0
  fi
  [ -z "$real" ] || kill -CONT "$real" 2>/dev/null || true
  wait $pid 2>/dev/null || true
  return 1
}
killed=0
for attempt in 1 2 3 4 5; do
  if kill_while_writing; then killed=$attempt; break; fi
done
[ $killed -gt 0 ] || fail "the export was never seen writing its unnamed file in 5 attempts (finished or never started)"
[ $killed -eq 1 ] || echo "note: killed while writing at attempt $killed"
if [ -e "$DSR_TMP/killed.json" ]; then
  cmp -s "$DSR_TMP/killed.json" "$DSR_TMP/copy.json" || fail "a killed export left a partial file at the output path"
  echo "note: the kill came after the link; the file there is complete"
fi
left=$(find "$DSR_TMP" -maxdepth 1 -name '.killed.json.tmp-*')
[ -z "$left" ] || fail "a killed export left a temporary file: $left"
echo "PASS: export memory"
