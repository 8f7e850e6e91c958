# `dsr export`: the portable copy. The JSON document and the zip of CSV files
# carry exactly the subject's rows and portable columns (derived ones left
# out), with a manifest whose hashes match the parts; the real `age` tool
# decrypts what dsr encrypts; an existing file is kept; a failure (full disk,
# not found) leaves nothing at the output path.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
shop=$(new_shop shop 300)
# A policy in which one column is derived: it must stay out of the copy.
policy="$DSR_TMP/shop.yaml"
perl -0pe 's/(preferred_language:\n(?:.*\n){0,3}?\s+source: )provided/${1}derived/' "$SHOP_POLICY" >"$policy"
grep -q "source: derived" "$policy" || fail "fixture: no derived column in the test policy"
common=(--policy "$policy" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-20T10:00:00Z
q() { sql "$shop" "$1"; }
out=$DSR_TMP/copies
mkdir "$out"

cid=$(( (300 + 1) / 2 ))
email=$(q "SELECT email FROM customers WHERE id = $cid")
run_dsr 0 access "${common[@]}" --subject customer_id=$cid --format json
cp "$DSR_TMP/out.json" "$DSR_TMP/access.json"

# --- JSON ---------------------------------------------------------------
run_dsr 0 export "${common[@]}" --subject customer_id=$cid --output "$out/copy.json"
validate_report
expect_json '.status' '"ok"'
expect_json '.output.format' '"json"'
expect_json '.output.encryption' '"none"'
[ "$(stat -c %a "$out/copy.json")" = 600 ] || fail "copy.json mode is $(stat -c %a "$out/copy.json"), expected 600"
[ "$(sha256sum <"$out/copy.json" | cut -d' ' -f1)" = "$(jq -r .output.sha256 "$DSR_TMP/out.json")" ] ||
  fail "the report's sha256 is not the file's"
[ "$(stat -c %s "$out/copy.json")" = "$(jq -r .output.bytes "$DSR_TMP/out.json")" ] || fail "the report's size is wrong"
grep -qF "$email" "$DSR_TMP/out.json" "$DSR_TMP/err.txt" && fail "the export report shows a value"
cp "$DSR_TMP/out.json" "$DSR_TMP/export-report.json"

# Every part's hash is the SHA-256 of its bytes exactly as written; the rows
# are those of the access report; derived columns are absent.
/usr/bin/python3 - "$out/copy.json" "$DSR_TMP/access.json" "$DSR_TMP/export-report.json" <<'PY'
import hashlib, json, sys
raw = open(sys.argv[1], encoding="utf-8").read()
doc = json.loads(raw)
access = json.load(open(sys.argv[2]))
report = json.load(open(sys.argv[3]))
m = doc["manifest"]
assert m["controller"]["name"] == "Tailor & Thread Ltd", m["controller"]
assert m["generated_at"] == "2026-11-20T10:00:00Z", m["generated_at"]
assert m["policy_sha256"] == report["policy"]["sha256"], "policy hash"
dec = json.JSONDecoder()
i = raw.index('"tables":{') + len('"tables":{')
spans = {}
while True:
    while raw[i] in ",\n": i += 1
    if raw[i] == "}": break
    key, i = dec.raw_decode(raw, i)
    assert raw[i] == ":"; i += 1
    value, end = dec.raw_decode(raw, i)
    spans[key] = raw[i:end].encode("utf-8")
    i = end
parts = {p["table"]: p for p in m["parts"]}
assert set(parts) == set(spans) == set(doc["tables"]), (set(parts), set(spans))
for table, part in parts.items():
    assert hashlib.sha256(spans[table]).hexdigest() == part["sha256"], table
    assert len(spans[table]) == part["bytes"], table
    assert len(doc["tables"][table]) == part["rows"], table
access_rows = {t["table"]: sorted(r["id"] for r in t["rows"]) for t in access["tables"]}
for table, rows in doc["tables"].items():
    assert sorted(r["id"] for r in rows) == access_rows[table], table
assert "preferred_language" not in doc["tables"]["customers"][0], "a derived column was exported"
assert "email" in doc["tables"]["customers"][0]
cols = [c["column"] for c in parts["customers"]["columns"]]
assert "preferred_language" not in cols and "email" in cols, cols
assert m["total_rows"] == sum(len(r) for r in doc["tables"].values()) == report["totals"]["rows"]
PY

# --- CSV in a zip ---------------------------------------------------------
run_dsr 0 export "${common[@]}" --subject customer_id=$cid --format csv --output "$out/copy.zip"
validate_report
expect_json '.output.format' '"csv"'
/usr/bin/python3 - "$out/copy.zip" "$out/copy.json" <<'PY'
import csv, hashlib, io, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
names = z.namelist()
assert names[0] == "manifest.json", names
m = json.loads(z.read("manifest.json"))
doc = json.load(open(sys.argv[2]))
for part in m["parts"]:
    data = z.read(part["name"])
    assert hashlib.sha256(data).hexdigest() == part["sha256"], part["name"]
    assert len(data) == part["bytes"]
    assert data.endswith(b"\r\n"), part["name"]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    header, body = rows[0], rows[1:]
    assert header == [c["column"] for c in part["columns"]], (header, part["columns"])
    json_rows = doc["tables"][part["table"]]
    assert len(body) == len(json_rows) == part["rows"], part["table"]
    for record, obj in zip(body, json_rows):
        for name, field in zip(header, record):
            v = obj[name]
            want = "" if v is None else str(v) if not isinstance(v, float) else field
            assert field == want, (part["table"], name, field, want)
PY

# --- age: X25519 recipients and the real age tool ---------------------------
age-keygen -o "$DSR_TMP/subject.key" 2>/dev/null
age-keygen -o "$DSR_TMP/other.key" 2>/dev/null
recipient=$(age-keygen -y "$DSR_TMP/subject.key")
run_dsr 0 export "${common[@]}" --subject customer_id=$cid --encrypt-to "$recipient" --output "$out/copy.json.age"
validate_report
expect_json '.output.encryption' '"age-x25519"'
head -c 22 "$out/copy.json.age" | grep -q '^age-encryption.org/v1' || fail "not an age file"
grep -qaF "$email" "$out/copy.json.age" && fail "the encrypted file holds plaintext"
age -d -i "$DSR_TMP/subject.key" -o "$DSR_TMP/decrypted.json" "$out/copy.json.age" ||
  fail "age could not decrypt the export"
cmp -s "$DSR_TMP/decrypted.json" "$out/copy.json" || fail "decrypted bytes differ from the plain export"
if age -d -i "$DSR_TMP/other.key" -o "$DSR_TMP/wrong.json" "$out/copy.json.age" 2>/dev/null; then
  fail "age decrypted with the wrong identity"
fi
run_dsr 2 export "${common[@]}" --subject customer_id=$cid --encrypt-to age1notarecipient --output "$out/bad.age"
[ ! -e "$out/bad.age" ] || fail "a malformed recipient left a file"

# --- age: a passphrase (scrypt, age's default work factor) -------------------
# age reads a passphrase only from a terminal: script(1) gives it one.
printf 'correct horse battery staple\n' >"$DSR_TMP/pass.txt"
run_dsr 0 export "${common[@]}" --subject customer_id=$cid --format csv --passphrase-file "$DSR_TMP/pass.txt" \
  --output "$out/copy.zip.age"
expect_json '.output.encryption' '"age-scrypt"'
age_with_passphrase() {  # PASSPHRASE IN OUT
  printf '%s\n' "$1" >"$DSR_TMP/typed"
  timeout 60 script -qec "age -d -o '$3' '$2'" /dev/null <"$DSR_TMP/typed" >"$DSR_TMP/tty.log"
}
age_with_passphrase "correct horse battery staple" "$out/copy.zip.age" "$DSR_TMP/decrypted.zip" ||
  fail "age could not decrypt with the passphrase: $(cat "$DSR_TMP/tty.log")"
cmp -s "$DSR_TMP/decrypted.zip" "$out/copy.zip" || fail "the passphrase-decrypted zip differs from the plain one"
if age_with_passphrase "wrong horse" "$out/copy.zip.age" "$DSR_TMP/wrong.zip"; then
  fail "age decrypted with a wrong passphrase"
fi
run_dsr 2 export "${common[@]}" --subject customer_id=$cid --passphrase-file "$DSR_TMP/pass.txt" \
  --encrypt-to "$recipient" --output "$out/both.age"
[ ! -e "$out/both.age" ] || fail "--encrypt-to with --passphrase-file left a file"
: >"$DSR_TMP/empty-pass.txt"
run_dsr 2 export "${common[@]}" --subject customer_id=$cid --passphrase-file "$DSR_TMP/empty-pass.txt" \
  --output "$out/empty.age"
[ ! -e "$out/empty.age" ] || fail "an empty passphrase left a file"

# --- a shared phone names two people: no copy mixes them ---------------------
phone=$(q "SELECT phone FROM customers WHERE phone IS NOT NULL GROUP BY phone HAVING count(*) > 1 LIMIT 1")
[ -n "$phone" ] || fail "fixture: no shared phone"
run_dsr 5 export "${common[@]}" --subject "phone=$phone" --output "$out/shared.json"
[ ! -e "$out/shared.json" ] || fail "an ambiguous identity left a file"
run_dsr 2 export "${common[@]}" --subject "phone=$phone" --all-matches --output "$out/shared.json"
[ ! -e "$out/shared.json" ] || fail "--all-matches was accepted by export"

# --- existing files, not found, failures leave nothing ----------------------
before=$(sha256sum <"$out/copy.json")
run_dsr 12 export "${common[@]}" --subject customer_id=$cid --output "$out/copy.json"
expect_stderr "without --force"
[ "$(sha256sum <"$out/copy.json")" = "$before" ] || fail "an existing file was changed without --force"
run_dsr 0 export "${common[@]}" --subject customer_id=$cid --output "$out/copy.json" --force --format csv
[ "$(sha256sum <"$out/copy.json")" != "$before" ] || fail "--force did not replace the file"

run_dsr 4 export "${common[@]}" --subject "email=nobody@example.invalid" --output "$out/none.json"
expect_json '.status' '"not_found"'
[ ! -e "$out/none.json" ] || fail "a not-found export left a file"

# A full disk: the file-size limit makes writes fail with EFBIG part way
# through a 2 MB copy (the limit stays above what the state store writes).
last=$(q "SELECT max(id) FROM web_sessions")
q "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
  INSERT INTO web_sessions (id, customer_id, ip_address, user_agent, started_at)
  SELECT $last + i, $cid, '192.0.2.1', 'Mozilla/5.0 (X11; Linux x86_64) session ' || i, 1700000000 + i FROM n;"
status=0
(trap '' XFSZ; ulimit -f 1024; "$DSR" export "${common[@]}" --subject customer_id=$cid --output "$out/full.json" \
   >"$DSR_TMP/out.json" 2>"$DSR_TMP/err.txt") || status=$?
[ "$status" = 12 ] || fail "a full disk exited $status, expected 12: $(cat "$DSR_TMP/err.txt")"
[ ! -e "$out/full.json" ] || fail "a failed export left a file at the output path"
[ -z "$(ls -A "$out" | grep -v '^copy\.')" ] || fail "a failed export left files behind: $(ls -A "$out")"

# --request: the export answers it; the request is closed and the audit entries carry it.
request=$("$DSR" request open --policy "$policy" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" --type export \
  --subject customer_id=$cid --format json | jq -r .request.id)
run_dsr 0 export "${common[@]}" --subject customer_id=$cid --request "$request" --output "$out/answer.json"
expect_json '.request_id' "\"$request\""
"$DSR" request show --policy "$policy" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" --id "$request" --format json \
  >"$DSR_TMP/request.json"
[ "$(jq -r .request.status "$DSR_TMP/request.json")" = closed ] || fail "the export did not close its request"
run_dsr 2 export "${common[@]}" --subject customer_id=$cid --request "$request" --output "$out/again.json"
expect_stderr "already closed"
[ ! -e "$out/again.json" ] || fail "an export for a closed request wrote a file"
rm "$out/answer.json"

# The audit log: intent and done per export, the failure recorded, never a value.
"$DSR" audit show --state "$DSR_TMP/state.db" --format jsonl >"$DSR_TMP/audit.jsonl"
[ "$(jq -r 'select(.command == "export" and .phase == "failed") | .seq' "$DSR_TMP/audit.jsonl" | wc -l)" -ge 1 ] ||
  fail "the failed export is not in the audit log"
[ "$(jq -r "select(.command == \"export\" and .phase == \"done\" and .request_id == \"$request\") | .seq" "$DSR_TMP/audit.jsonl" | wc -l)" = 1 ] ||
  fail "the answering export's audit entry lacks its request"
grep -qF "$email" "$DSR_TMP/audit.jsonl" && fail "the audit log holds a value"
echo "PASS: cli export"
