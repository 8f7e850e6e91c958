# `dsr access` renders values faithfully and withholds what it must, on a
# small hand-made database: Chinese and Vietnamese names (one written with
# combining marks) byte for byte as the database holds them, integers (one
# past 2^53), reals (0.1, 1e300) in their shortest exact form, NULL, a BLOB as
# base64; a `disclose: false` column's value nowhere (stdout, stderr, report
# file, state store, audit log). Then the CCPA: its terms, the 12-month
# look-back on a table's own Unix-seconds timestamp and on a parent's
# ISO 8601 one, --all-time, and each row's retention and hold end.
# The same rows in each backend's own types: SQLite's INTEGER, REAL, BLOB and
# ISO 8601 text; PostgreSQL's bigint, double precision, bytea and timestamptz.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
export LC_ALL=C.UTF-8
db=$(new_db values)
passport='E12345678'       # government_id: withheld
answer='Rosebud-in-1963'   # a category of the policy's own with disclose: false
# "Nguyễn" with the ễ decomposed (e + U+0302 + U+0303): must stay decomposed.
decomposed=$(printf 'Nguye\xcc\x82\xcc\x83n')

if on_backend sqlite; then
  sql "$db" <<SQL
CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT, name TEXT, age INTEGER, big_int INTEGER,
                     ratio REAL, huge REAL, note TEXT, photo BLOB, passport TEXT, answer TEXT);
CREATE TABLE visits (id INTEGER PRIMARY KEY, person_id INTEGER, at INTEGER, page TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, person_id INTEGER, placed_at TEXT, total REAL);
CREATE TABLE signups (id INTEGER PRIMARY KEY, email TEXT, at INTEGER);
CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER, item TEXT);
SQL
  blob1="x'00ff7f'" blob2="x''"
else
  sql "$db" <<SQL
CREATE TABLE people (id bigint PRIMARY KEY, email text, name text, age integer, big_int bigint,
                     ratio double precision, huge double precision, note text, photo bytea, passport text, answer text);
CREATE TABLE visits (id bigint PRIMARY KEY, person_id bigint, at bigint, page text);
CREATE TABLE orders (id bigint PRIMARY KEY, person_id bigint, placed_at timestamptz, total double precision);
CREATE TABLE signups (id bigint PRIMARY KEY, email text, at bigint);
CREATE TABLE order_lines (id bigint PRIMARY KEY, order_id bigint, item text);
SQL
  blob1="'\\x00ff7f'" blob2="'\\x'"
fi
sql "$db" <<SQL
INSERT INTO people VALUES
  (1, 'wang@example.cn', '王秀英', 42, 9007199254740993, 0.1, 1e300, NULL, $blob1, '$passport', '$answer'),
  (2, 'khai@example.vn', 'Nguyễn Thị Minh Khai', -7, 0, 2.5, -1.5e-300, '$decomposed', $blob2, NULL, NULL);
INSERT INTO visits VALUES
  (1, 1, 1761955199, '/a'),   -- 2025-10-31T23:59:59Z: a second before the look-back
  (2, 1, 1761955200, '/b'),   -- 2025-11-01T00:00:00Z: its first second
  (3, 1, 1790812800, '/c'),   -- 2026-10-01T00:00:00Z
  (4, 1, 1577836800, '/d'),   -- 2020-01-01T00:00:00Z
  (5, 2, 1790812800, '/e');
INSERT INTO orders VALUES (1, 1, '2024-01-31T10:00:00Z', 19.99), (2, 1, '2026-01-31T10:00:00Z', 0.30000000000000004);
INSERT INTO signups VALUES (1, 'old@example.com', 1577836800000);
INSERT INTO order_lines VALUES (1, 1, 'old scarf'), (2, 2, '旗袍'), (3, 2, 'áo dài');
SQL

# policy REGIME: the policy, written beside the database.
policy() {
  cat >"$DSR_TMP/$1.yaml" <<YAML
version: 1
controller: {name: Values Ltd, contact: privacy@values.example}
regime: $1
databases: {main: {url: "sqlite:values.db"}}
identities:
  email: {column: people.email, normalize: email}
  person_id: {column: people.id}
categories:
  security_answer: {description: answers to security questions, sensitive: true, disclose: false}
purposes:
  account: {basis: contract, description: Running the account.}
  analytics: {basis: legitimate_interest, description: Seeing which pages are read.}
  tax: {basis: legal_obligation, description: Keeping invoices as tax law requires.}
recipients:
  host: {name: Cloud Host Inc, role: processor, country: US, categories: [online_identifier], purposes: [analytics]}
tables:
  people:
    key: id
    columns:
      email: {category: contact, purposes: [account], source: provided}
      name: {category: identity, purposes: [account], source: provided}
      age: {category: demographic, purposes: [account], source: provided}
      big_int: {category: loyalty, purposes: [account], source: derived}
      ratio: {category: loyalty, purposes: [account], source: derived}
      huge: {category: loyalty, purposes: [account], source: derived}
      note: {category: identity, purposes: [account], source: provided}
      photo: {category: identity, purposes: [account], source: provided}
      passport: {category: government_id, purposes: [account], source: provided}
      answer: {category: security_answer, purposes: [account], source: provided}
  visits:
    key: id
    links: [{column: person_id, references: people.id}]
    columns:
      at: {category: online_identifier, purposes: [analytics], source: observed}
      page: {category: online_identifier, purposes: [analytics], source: observed}
    retention: {column: at, format: unix_seconds, keep: 2y}
  orders:
    key: id
    links: [{column: person_id, references: people.id}]
    columns:
      placed_at: {category: purchase_history, purposes: [tax], source: observed}
      total: {category: purchase_history, purposes: [tax], source: observed}
    erasure:
      action: delete
      hold: {purpose: tax, column: placed_at, keep: 10y}
    retention: {column: placed_at, format: iso8601, keep: 1m}
  signups:
    key: id
    links: [{column: email, identity: email}]
    columns:
      at: {category: marketing_preferences, purposes: [account], source: observed}
    retention: {column: at, format: unix_millis, keep: 10y}
  order_lines:
    key: id
    links: [{column: order_id, references: orders.id}]
    columns:
      item: {category: purchase_history, purposes: [tax], source: observed}
    retention: {column: orders.placed_at, format: iso8601, keep: 1m}
YAML
}
policy gdpr
policy ccpa
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-01T15:00:00Z
common=(--db "$db" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
gdpr=(--policy "$DSR_TMP/gdpr.yaml" "${common[@]}")
ccpa=(--policy "$DSR_TMP/ccpa.yaml" "${common[@]}")

# hex: stdin as upper-case hex, as sqlite3's hex() writes it.
hex() { od -An -v -tx1 | tr -d ' \n' | tr 'a-f' 'A-F'; }
# stored_hex COLUMN ID: the bytes the database holds in people.COLUMN, in hex.
stored_hex() {
  if on_backend sqlite; then
    sql "$db" "SELECT hex($1) FROM people WHERE id = $2"
  elif [ "$1" = photo ]; then
    sql "$db" "SELECT upper(encode(photo, 'hex')) FROM people WHERE id = $2"
  else
    sql "$db" "SELECT upper(encode(convert_to($1, 'UTF8'), 'hex')) FROM people WHERE id = $2"
  fi
}
# as_json SELECT: the rows SELECT gives, as the database itself renders them in JSON.
as_json() {
  if on_backend sqlite; then
    sqlite3 -json "$db" "$1" | jq -c '.'
  else
    sql "$db" "SELECT json_agg(t) FROM ($1) t" | jq -c '.'
  fi
}
people() { jq -c "[.tables[] | select(.table == \"people\") | .rows[] | $1]" "$DSR_TMP/out.json"; }
rows_of() { jq -c "[.tables[] | select(.table == \"$1\") | .rows[] | $2]" "$DSR_TMP/out.json"; }
# never_shown: no withheld value in anything dsr has written so far.
never_shown() {
  local where
  for where in "$DSR_TMP/out.json" "$DSR_TMP/err.txt" "$DSR_TMP"/state.db* "$@"; do
    [ -e "$where" ] || continue
    if grep -a -q -F -e "$passport" -e "$answer" "$where"; then fail "a withheld value reached $where"; fi
  done
}

# --- values, JSON --------------------------------------------------------------
for id in 1 2; do
  run_dsr 0 access "${gdpr[@]}" --subject person_id=$id --format json
  validate_report
  never_shown
  # Everything but the blob and the withheld columns, as the database itself renders it.
  want=$(as_json "SELECT id, email, name, age, ratio, huge, note FROM people WHERE id = $id")
  [ "$(people '{id, email, name, age, ratio, huge, note}')" = "$want" ] ||
    fail "person $id: report $(people '{id, email, name, age, ratio, huge, note}'), database $want"
  # Text byte for byte (no Unicode normalisation), and the blob's exact bytes.
  for column in email name note; do
    got=$(jq -j ".tables[] | select(.table == \"people\") | .rows[0].$column // \"\"" "$DSR_TMP/out.json" | hex)
    [ "$got" = "$(stored_hex "$column" "$id")" ] || fail "person $id: $column bytes differ"
  done
  got=$(jq -r '.tables[] | select(.table == "people") | .rows[0].photo.base64' "$DSR_TMP/out.json" | base64 -d | hex)
  [ "$got" = "$(stored_hex photo "$id")" ] || fail "person $id: photo bytes differ"
done
# The last report is person 2's: a held-nothing withheld column is null, not "withheld".
expect_json '[.tables[] | select(.table == "people") | .rows[0] | .passport, .answer]' '[null,null]'
expect_json '[.tables[] | select(.table == "people") | .rows[0].photo]' '[{"base64":""}]'
grep -q -F "\"note\":\"$decomposed\"" "$DSR_TMP/out.json" || fail "the decomposed name was normalised"

run_dsr 0 access "${gdpr[@]}" --subject email=WANG@example.cn --format json
validate_report
never_shown
# Numbers exactly as written: int64 beyond 2^53, shortest round-trip reals.
for token in '"big_int":9007199254740993' '"ratio":0.1,' '"huge":1e+300' '"note":null' '"photo":{"base64":"AP9/"}' \
             '"name":"王秀英"' '"passport":{"withheld":true}' '"answer":{"withheld":true}'; do
  grep -q -F -- "$token" "$DSR_TMP/out.json" || fail "report lacks $token"
done
expect_json '[.tables[] | select(.table == "people") | .columns[] | select(.withheld) | .column]' '["passport","answer"]'
expect_json '[.tables[] | select(.table == "people") | .columns[] | select(.column == "answer") | .category, .source]' \
  '["security_answer","provided"]'
expect_json '.look_back' 'null'

# --- values, text --------------------------------------------------------------
run_dsr 0 access "${gdpr[@]}" --subject person_id=1 --format text
never_shown
for phrase in 'name: 王秀英' 'age: 42' 'big int: 9007199254740993' 'ratio: 0.1;' 'huge: 1e+300' 'note: (none)' \
              'photo: (3 bytes, base64 AP9/)' 'passport: held, not shown for your security' \
              'answer: held, not shown for your security' 'total: 0.30000000000000004' 'item: 旗袍' \
              'You gave us:' 'We observed:' 'We derived:' 'On what basis: a legal obligation we must meet.' \
              'How to complain' 'Cloud Host Inc, our processor, in US' 'Outside the EEA: no safeguard is declared'; do
  grep -q -F -- "$phrase" "$DSR_TMP/out.json" || fail "text report lacks '$phrase'"
done
grep -q -F 'at: 1790812800 (2026-10-01T00:00:00Z)' "$DSR_TMP/out.json" || fail "text report lacks the ISO form of a Unix time"
run_dsr 0 access "${gdpr[@]}" --subject person_id=2 --format text
grep -q -F 'name: Nguyễn Thị Minh Khai' "$DSR_TMP/out.json" || fail "text report lacks the Vietnamese name"
grep -q -F "note: $decomposed" "$DSR_TMP/out.json" || fail "text report normalised the decomposed name"

# A report file and the audit log hold no withheld value either.
run_dsr 0 access "${gdpr[@]}" --subject person_id=1 --format json --output "$DSR_TMP/report.json"
run_dsr 0 access "${gdpr[@]}" --subject person_id=1 --format text --output "$DSR_TMP/report.txt"
run_dsr 0 audit show --state "$DSR_TMP/state.db" --format json
never_shown "$DSR_TMP/report.json" "$DSR_TMP/report.txt"
[ "$(jq -c '.tables[0].rows[0].passport' "$DSR_TMP/report.json")" = '{"withheld":true}' ] ||
  fail "the report file lacks the withheld marker"

# --- GDPR: no look-back; --all-time is accepted and changes nothing ------------
run_dsr 0 access "${gdpr[@]}" --subject person_id=1 --format json --all-time
expect_json '[.look_back, .totals.rows]' '[null,10]'
expect_json '.terms.sources' '"source of the personal data"'

# --- CCPA: terms, look-back, retention and hold ends --------------------------
run_dsr 0 access "${ccpa[@]}" --subject person_id=1 --format json
validate_report
never_shown
expect_json '.look_back' '{"months":12,"since":"2025-11-01","tables_without_timestamp":["people"]}'
expect_json '.as_of' '"2026-11-01"'
expect_json '[.tables[] | {(.table): .row_count}] | add' '{"people":1,"visits":2,"orders":1,"signups":0,"order_lines":2}'
[ "$(rows_of visits '.id')" = '[2,3]' ] || fail "visits in the look-back: $(rows_of visits '.id')"
[ "$(rows_of visits '.retention_ends')" = '["2027-11-01","2028-10-01"]' ] || fail "visits: $(rows_of visits '.retention_ends')"
[ "$(rows_of orders '[.id, .retention_ends, .hold_ends]')" = '[[2,"2026-02-28","2036-01-31"]]' ] ||
  fail "orders: $(rows_of orders '[.id, .retention_ends, .hold_ends]')"
[ "$(rows_of order_lines '[.id, .retention_ends, has("hold_ends")]')" = '[[2,"2026-02-28",false],[3,"2026-02-28",false]]' ] ||
  fail "order lines: $(rows_of order_lines '[.id, .retention_ends, has("hold_ends")]')"
expect_json '[.tables[] | select(.table == "people") | .rows[0] | has("retention_ends")]' '[false]'
expect_json '[.tables[] | select(.table == "orders") | .hold]' \
  '[{"purpose":"tax","description":"Keeping invoices as tax law requires.","keep":"10y","after":"placed_at"}]'
expect_json '[.terms.categories, .terms.sources, .terms.purposes, .terms.recipients]' \
  '["categories of personal information collected","categories of sources","business or commercial purposes","categories of third parties to whom disclosed"]'
# The same SQL as the database would count it: rows of the last 12 months, by
# the row's own or its order's date (1761955200 is 2025-11-01T00:00:00Z).
want=$(sql "$db" "SELECT (SELECT count(*) FROM visits WHERE person_id = 1 AND at >= 1761955200)
  || ',' || (SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id
             WHERE o.person_id = 1 AND o.placed_at >= '2025-11-01')")
[ "$(jq -r '[.tables[] | select(.table == "visits" or .table == "order_lines") | .row_count] | join(",")' "$DSR_TMP/out.json")" = "$want" ] ||
  fail "look-back counts differ from the database's ($want)"

run_dsr 0 access "${ccpa[@]}" --subject person_id=1 --format json --all-time
validate_report
expect_json '.look_back' 'null'
expect_json '[.tables[] | {(.table): .row_count}] | add' '{"people":1,"visits":4,"orders":2,"signups":0,"order_lines":3}'
[ "$(rows_of orders '.retention_ends')" = '["2024-02-29","2026-02-28"]' ] || fail "orders: $(rows_of orders '.retention_ends')"

run_dsr 0 access "${ccpa[@]}" --subject person_id=1 --format text
never_shown
for phrase in 'categories of personal information collected' 'categories of sources' 'business or commercial purposes' \
              'categories of third parties to whom disclosed' 'collected in the 12 months since 2025-11-01' \
              'Records without a date are all included: people.' 'California Privacy Protection Agency' \
              'Cloud Host Inc, our service provider, in US: online identifier'; do
  grep -q -F -- "$phrase" "$DSR_TMP/out.json" || fail "CCPA text report lacks '$phrase'"
done
if grep -q -F -e 'On what basis' -e 'Outside the' "$DSR_TMP/out.json"; then
  fail "the CCPA report speaks of lawful bases, or of a transfer to a US recipient"
fi
grep -q -F 'Orders: kept 1 month after placed at, then deleted; for yours: the period ended by 2026-02-28.' "$DSR_TMP/out.json" ||
  fail "text report lacks the orders' retention"
grep -q -F 'Visits: kept 2 years after at, then deleted; for yours: until 2027-11-01 to 2028-10-01' "$DSR_TMP/out.json" ||
  fail "text report lacks the visits' retention range"
grep -q -F 'kept for tax (Keeping invoices as tax law requires), for yours: until 2036-01-31.' "$DSR_TMP/out.json" ||
  fail "text report lacks the hold"

# A guest whose only record is older than the look-back is not found under
# the CCPA, saying so, and found with --all-time.
run_dsr 4 access "${ccpa[@]}" --subject email=old@example.com --format json
validate_report
expect_json '[.status, .look_back.since, has("tables")]' '["not_found","2025-11-01",false]'
run_dsr 4 access "${ccpa[@]}" --subject email=old@example.com --format text
grep -q -F 'from the 12 months since 2025-11-01 (--all-time searches everything)' "$DSR_TMP/out.json" ||
  fail "the not-found text does not mention the look-back"
run_dsr 0 access "${ccpa[@]}" --subject email=old@example.com --format json --all-time
validate_report
expect_json '[.tables[] | select(.row_count > 0) | .table]' '["signups"]'
