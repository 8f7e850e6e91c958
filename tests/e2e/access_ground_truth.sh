# `dsr access` against the generator's own record of what it wrote: for each
# chosen customer, named by customer_id and by email, every table's keys in
# the report equal the keys dsr-shopgen noted while writing that customer's
# rows (--ground-truth), nothing missing and nothing of anyone else. The
# record is not a query of the finished database, so the comparison does not
# share dsr's joins. SQL below only picks interesting customers and checks
# that the fixture really contains the cases it is meant to.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
export LC_ALL=C  # names are compared byte for byte
customers=300
truth="$DSR_TMP/truth.json"
plain=$(new_shop plain "$customers")
q() { sql "$plain" "$1"; }
# pick WHAT SQL: the first customer id SQL selects; the fixture must have one.
pick() {
  local id
  id=$(q "$2 LIMIT 1")
  [ -n "$id" ] || fail "fixture: no customer who is $1"
  echo "$id"
}

# The customers to check, each for a reason.
household=1  # shares phone, surname and home with customer 2
housemate=2
guest_before=$(( (customers + 1) / 2 ))  # ordered as a guest, same email, before registering
no_orders=$(pick "without orders" "SELECT id FROM customers c WHERE NOT EXISTS
  (SELECT 1 FROM orders o WHERE o.customer_id = c.id OR o.email = c.email) ORDER BY id")
# A three-character name such as 王秀英: one-character family name, two-character given name.
# (One CJK ideograph, U+4E00 to U+9FFF: the bounds compare as bytes, which in
# UTF-8 is code point order, in SQLite and in the test cluster's C collation.)
# (the names as generated: without the canary marker run_one.sh puts in front)
mark=${DSR_CANARY:+$DSR_CANARY }
bare_first="replace(first_name, '$mark', '')" bare_last="replace(last_name, '$mark', '')"
chinese=$(pick "Chinese-named" "SELECT id FROM customers
  WHERE $bare_last BETWEEN '一' AND '鿿' AND length($bare_last) = 1 AND length($bare_first) = 2
  ORDER BY id")
vietnamese=$(pick "Vietnamese-named" "SELECT id FROM customers
  WHERE $bare_last = 'Nguyễn' AND $bare_first LIKE 'Thị %' ORDER BY id")
returned=$(pick "with a return" "SELECT o.customer_id FROM returns r JOIN orders o ON o.id = r.order_id
  WHERE o.customer_id IS NOT NULL ORDER BY o.customer_id")
other_email=$(pick "writing from another address" "SELECT t.customer_id FROM support_tickets t
  JOIN customers c ON c.id = t.customer_id WHERE t.email <> c.email ORDER BY t.customer_id")
chosen=$(printf '%s\n' $household $housemate $guest_before $no_orders $chinese $vietnamese $returned \
           $other_email $customers | sort -nu | paste -sd,)

# Asking for a ground truth changes nothing in the shop, and the file is private.
shop=$(new_shop shop "$customers" --ground-truth "$truth" --ground-truth-customers "$chosen")
if on_backend sqlite; then
  cmp -s "$plain" "$shop" || fail "--ground-truth changed the shop"
fi
dump_shop "$plain" >"$DSR_TMP/plain.dump"
dump_shop "$shop" >"$DSR_TMP/shop.dump"
cmp -s "$DSR_TMP/plain.dump" "$DSR_TMP/shop.dump" || fail "--ground-truth changed the shop's data"
[ "$(stat -c %a "$truth")" = 600 ] || fail "ground truth file is $(stat -c %a "$truth"), not 0600"
[ "$(jq -c '[.subjects[].customer_id]' "$truth")" = "[$chosen]" ] || fail "ground truth lists other subjects"
truth_of() { jq -c --argjson id "$1" ".subjects[] | select(.customer_id == \$id) | $2" "$truth"; }

# The fixture has what each customer was chosen for, by the generator's account.
[ "$(truth_of $no_orders '.tables.orders')" = "[]" ] || fail "fixture: customer $no_orders has orders"
guest_orders=$(truth_of $guest_before '.tables.orders | join(",")' | tr -d '"')
[ "$(q "SELECT count(*) FROM orders WHERE id IN ($guest_orders) AND customer_id IS NULL")" -ge 1 ] ||
  fail "fixture: customer $guest_before has no guest order in the ground truth"
[ "$(q "SELECT count(*) FROM customers WHERE id IN ($household, $housemate) GROUP BY phone")" = 2 ] ||
  fail "fixture: customers $household and $housemate do not share a phone"

common=(--policy "$SHOP_POLICY" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys")
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null

# differences ID: the tables whose keys in the last report differ from the
# ground truth of customer ID, with what is missing and what is extra; [] if none.
differences() {
  jq -c -n --slurpfile report "$DSR_TMP/out.json" --slurpfile truth "$truth" --argjson id "$1" '
    ($truth[0].subjects[] | select(.customer_id == $id) | .tables | map_values(sort)) as $want
    | ($report[0].tables | map({key: .table, value: ([.rows[].id] | sort)}) | from_entries) as $got
    | [($want + $got | keys_unsorted[]) as $t
       | select(($want[$t] // []) != ($got[$t] // []))
       | {table: $t, missing: (($want[$t] // []) - ($got[$t] // [])),
          extra: (($got[$t] // []) - ($want[$t] // []))}]'
}

# expect_truth ID SUBJECT: access for SUBJECT reports exactly customer ID's rows.
expect_truth() {
  run_dsr 0 access "${common[@]}" --subject "$2" --format json
  validate_report
  expect_json '.subject.registered_matches' '1'
  local diff
  diff=$(differences "$1")
  [ "$diff" = "[]" ] || fail "access --subject $2 differs from the ground truth of customer $1: $diff"
}

rows_checked=0
for id in ${chosen//,/ }; do
  email=$(truth_of "$id" '.email' | jq -r .)
  expect_truth "$id" "customer_id=$id"
  expect_json '[.tables[] | select(.table == "customers") | .rows[0].email]' "[\"$email\"]"
  expect_truth "$id" "email=$email"
  rows_checked=$(( rows_checked + $(truth_of "$id" '[.tables[] | length] | add') ))
done
[ "$rows_checked" -ge 100 ] || fail "only $rows_checked rows checked: the fixture is too thin"

# Chinese and Vietnamese names come back exactly as stored, in JSON and in text.
# expect_name ID: first and last name, and the address's full name, equal the database's bytes.
expect_name() {
  local id=$1 first last recipient address
  first=$(q "SELECT first_name FROM customers WHERE id = $id")
  last=$(q "SELECT last_name FROM customers WHERE id = $id")
  IFS='|' read -r address recipient < <(q "SELECT id, recipient_name FROM addresses WHERE customer_id = $id
                                            ORDER BY id LIMIT 1")
  printf '%s' "$first$last" | grep -qP '[\x80-\xff]' || fail "fixture: customer $id's name is ASCII"
  run_dsr 0 access "${common[@]}" --subject "customer_id=$id" --format json
  [ "$(jq -j '.tables[] | select(.table == "customers") | .rows[0].first_name' "$DSR_TMP/out.json")" = "$first" ] ||
    fail "customer $id: JSON first_name differs from the database's '$first'"
  [ "$(jq -j '.tables[] | select(.table == "customers") | .rows[0].last_name' "$DSR_TMP/out.json")" = "$last" ] ||
    fail "customer $id: JSON last_name differs from the database's '$last'"
  [ "$(jq -j ".tables[] | select(.table == \"addresses\") | .rows[] | select(.id == $address) | .recipient_name" \
        "$DSR_TMP/out.json")" = "$recipient" ] ||
    fail "customer $id: JSON recipient_name differs from the database's '$recipient'"
  # The text layout is for people and may change; the names' bytes may not.
  run_dsr 0 access "${common[@]}" --subject "customer_id=$id" --format text
  iconv -f UTF-8 -t UTF-8 "$DSR_TMP/out.json" >/dev/null || fail "customer $id: text report is not UTF-8"
  for name in "$first" "$last" "$recipient"; do
    grep -qF -- "$name" "$DSR_TMP/out.json" || fail "customer $id: text report lacks '$name'"
  done
}
expect_name "$chinese"
expect_name "$vietnamese"
# Family name first: joined in Chinese, apart in Vietnamese.
[ "$(q "SELECT CASE WHEN recipient_name = last_name || first_name THEN 1 ELSE 0 END
        FROM addresses a JOIN customers c ON c.id = a.customer_id
        WHERE c.id = $chinese AND a.kind = 'shipping'")" = 1 ] || fail "Chinese full name is not family name first"
[ "$(q "SELECT CASE WHEN recipient_name = last_name || ' ' || first_name THEN 1 ELSE 0 END
        FROM addresses a JOIN customers c ON c.id = a.customer_id
        WHERE c.id = $vietnamese AND a.kind = 'shipping'")" = 1 ] || fail "Vietnamese full name is not family name first"
