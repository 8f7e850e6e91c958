# `dsr purge` fates other than a plain delete, on a generated shop, checked
# against SQL on the timestamps (cutoff instants written out by hand):
#  - holds: with payments kept 6y under their 10y tax hold, expired payments
#    whose hold still runs are left untouched (kept_under_hold, card token
#    and all) and go once a later date ends their hold; an expired order a
#    held payment refers to is kept (kept_as_parent, kept_for payments);
#  - masks: shipments are masked at 2y with exactly the masks of
#    policies/shop.yaml, every other column unchanged; a second run reports
#    them already_masked and changes nothing; at 10y (delete_after) a later
#    run deletes them;
#  - parents: an expired order stays while a shipment (masked, not yet
#    deleted) or a loyalty row (a declared foreign key the policy does not
#    follow) refers to it, kept_for naming the table, and goes with them;
#  - --table orders purges orders alone: its children are not purged, so
#    every expired order with a child stays, counted per child table, and
#    every other table is unchanged;
#  - on a hand-made chain a <- b <- c: a grandparent stays because its
#    child is kept for a grandchild, in the dry run as in the real run;
#  - a row of an action-mask table past delete_after that a kept row still
#    refers to stays masked (counted masked or already_masked, and in
#    kept_for) whether or not an earlier purge masked it;
#  - masks whose result has no recognisable form (random, a pseudonymised
#    integer): alone, the policy is refused (exit 3, nothing changed);
#    beside a recognisable mask, a second run changes nothing.
# On PostgreSQL the hand-made databases hold their times as timestamptz,
# rows of the base and the purged copy are compared by reading both (no
# ATTACH), "foreign_key_check" is check_shop and a dump is dump_shop.
# backends: sqlite postgresql
source "$DSR_SOURCE/tests/e2e/lib.sh"
base=$(new_shop base 600)
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
work=$(absent_db work)
q() { sql "$work" "$1"; }
# restore DB SAVED NAME: DB (made as NAME) becomes a copy of the database SAVED again.
restore() {
  local copy
  drop_shop "$1"
  copy=$(copy_shop "$2" "$3")
  [ "$copy" = "$1" ] || fail "fixture: $3 came back as $copy, not $1"
}
fresh() { rm -f "$DSR_TMP/state.db"*; drop_shop "$work"; work=$(copy_shop "$base" work); }
if on_backend postgresql; then
  int=bigint time=timestamptz
  tables_sql="SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
else
  int=INTEGER time=TEXT
  tables_sql="SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
fi
purge() {  # purge EXIT NOW POLICY ARGS...
  local status=$1 now=$2 policy=$3; shift 3
  DSR_NOW=$now run_dsr "$status" purge --policy "$policy" --db "$work" --state "$DSR_TMP/state.db" \
    --keys "$DSR_TMP/keys" --format json "$@"
}
# counts TABLE: the report's [examined, deleted, masked, already_masked, kept_under_hold, kept_as_parent].
counts() {
  jq -c --arg t "$1" '[.tables[] | select(.table == $t) | [.examined, .deleted, .masked, .already_masked,
                                                           .kept_under_hold, .kept_as_parent]] | .[0]' "$DSR_TMP/out.json"
}
expect_counts() { [ "$(counts "$1")" = "$2" ] || fail "$3: $1 counts $(counts "$1"), expected $2"; }
# keys TABLE WHERE [DB]: the keys of TABLE's rows matching WHERE, one line.
keys() { sql "${3:-$work}" "SELECT id FROM $1 WHERE $2 ORDER BY id" | paste -sd' '; }
expect_keys() {
  local got want
  got=$(keys "$1" true) want=$(keys "$1" "$2" "$base")
  [ "$got" = "$want" ] || fail "$3: the remaining $1 are not those with $2 (got $(echo "$got" | wc -w), want $(echo "$want" | wc -w))"
}

# --- fixture: three orders past their 10 years (placed before September 2016),
# each paid and shipped, whose children say different things.
read -r o1 o2 o3 <<<"$(sql "$base" "
  SELECT o.id FROM orders o WHERE o.placed_at < '2016-09-01'
    AND EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id)
    AND EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id)
    AND NOT EXISTS (SELECT 1 FROM loyalty_ledger l WHERE l.order_id = o.id)
  ORDER BY o.id LIMIT 3" | paste -sd' ')"
[ -n "$o3" ] || fail "fixture: fewer than three old paid and shipped orders"
sql "$base" "
  -- o1 was shipped late: the shipment is masked at 2y but not deleted before 10y after 2017-01-10
  UPDATE shipments SET shipped_at = '2017-01-10T09:00:00Z' WHERE order_id = $o1;
  -- o2 earned loyalty points recently: kept 5y after 2025-03-01
  INSERT INTO loyalty_ledger (id, customer_id, order_id, points, reason, created_at)
    SELECT (SELECT max(id) + 1 FROM loyalty_ledger), coalesce(customer_id, 1), id, 10, 'review', '2025-03-01T10:00:00Z'
    FROM orders WHERE id = $o2;
  -- o3 was paid late: the payment's tax hold runs 10y after 2018-05-05
  UPDATE payments SET paid_at = '2018-05-05T10:00:00Z', card_token = 'tok_planted' WHERE order_id = $o3;"

# =============================================================================
# Holds: payments kept 6y (expired before 2020-11-21 as of 2026-11-20) under a
# 10y hold (ended before 2016-11-21).
held_policy="$DSR_TMP/held.yaml"
perl -0pe 's/(\n      column: paid_at\n      format: iso8601\n)      keep: 10y\n/$1      keep: 6y\n/' \
  "$SHOP_POLICY" >"$held_policy"
grep -q "keep: 6y" "$held_policy" || fail "fixture: the held policy was not made"
fresh
purge 0 2026-11-20T10:00:00Z "$held_policy"
deleted=$(sql "$base" "SELECT count(*) FROM payments WHERE paid_at < '2016-11-21'")
held=$(sql "$base" "SELECT count(*) FROM payments WHERE paid_at >= '2016-11-21' AND paid_at < '2020-11-21'")
[ "$held" -ge 10 ] && [ "$deleted" -ge 5 ] || fail "fixture: $held held and $deleted deletable payments"
expect_counts payments "[$((deleted + held)),$deleted,0,0,$held,0]" "held, 2026-11-20"
expect_json '.totals.kept_under_hold' "$held"
expect_keys payments "paid_at >= '2016-11-21'" "held, 2026-11-20"
# Held rows are left as they are: not masked (card_token is an erasure mask).
# (Rows of the base missing from the purged copy, compared whole.)
changed=$(LC_ALL=C comm -23 <(sql "$base" "SELECT * FROM payments WHERE paid_at >= '2016-11-21'" | LC_ALL=C sort) \
                            <(q "SELECT * FROM payments" | LC_ALL=C sort) | wc -l)
[ "$changed" -eq 0 ] || fail "held, 2026-11-20: $changed held or unexpired payments were changed"
[ -n "$(q "SELECT card_token FROM payments WHERE order_id = $o3")" ] || fail "held: o3's held payment lost its card token"
# o3 is past its own 10 years but its held payment refers to it.
[ "$(keys orders "id = $o3")" = "$o3" ] || fail "held: order $o3, referred to by a held payment, was deleted"
expect_json '[.tables[] | select(.table == "orders") | .kept_for.payments >= 1]' '[true]'

# Later, on the same database: as of 2031-01-15 the holds of everything paid
# before 2021-01-16 have ended, and 6y has passed for everything before 2025-01-16.
purge 0 2031-01-15T10:00:00Z "$held_policy"
held_later=$(sql "$base" "SELECT count(*) FROM payments WHERE paid_at >= '2021-01-16' AND paid_at < '2025-01-16'")
[ "$(counts payments | jq -c '.[4]')" = "$held_later" ] ||
  fail "held, 2031-01-15: kept_under_hold $(counts payments), expected $held_later"
expect_keys payments "paid_at >= '2021-01-16'" "held, 2031-01-15"
[ -z "$(keys orders "id = $o3")" ] || fail "held, 2031-01-15: order $o3 stayed after its payment's hold ended"

# =============================================================================
# Masks: shipments masked at 2y (shipped before 2024-11-21), deleted at 10y
# (before 2016-11-21), with the masks policies/shop.yaml gives them.
fresh
purge 0 2026-11-20T10:00:00Z "$SHOP_POLICY"
deleted=$(sql "$base" "SELECT count(*) FROM shipments WHERE shipped_at < '2016-11-21'")
masked=$(sql "$base" "SELECT count(*) FROM shipments WHERE shipped_at >= '2016-11-21' AND shipped_at < '2024-11-21'")
[ "$masked" -ge 50 ] && [ "$deleted" -ge 5 ] || fail "fixture: $masked maskable and $deleted deletable shipments"
expect_counts shipments "[$((deleted + masked)),$deleted,$masked,0,0,0]" "masks, 2026-11-20"
expect_keys shipments "shipped_at >= '2016-11-21'" "masks, 2026-11-20"
# Each kept shipment holds exactly what it should: masked columns as the
# policy says, every other column as before.
# (What each shipment must hold, computed from the base, against what the kept ones hold.)
sql "$base" "SELECT id, order_id, carrier, ship_to_country, shipped_at,
    CASE WHEN shipped_at < '2024-11-21' THEN '[erased]' ELSE ship_to_name END,
    CASE WHEN shipped_at < '2024-11-21' THEN '[erased]' ELSE ship_to_line1 END,
    CASE WHEN shipped_at < '2024-11-21' THEN '[erased]' ELSE ship_to_city END,
    CASE WHEN shipped_at < '2024-11-21' THEN '[erased]' ELSE tracking_number END,
    CASE WHEN shipped_at < '2024-11-21' THEN trim(substr(trim(ship_to_postcode), 1, 3)) ELSE ship_to_postcode END
  FROM shipments" | LC_ALL=C sort >"$DSR_TMP/shipments.want"
q "SELECT id, order_id, carrier, ship_to_country, shipped_at, ship_to_name, ship_to_line1, ship_to_city,
          tracking_number, ship_to_postcode FROM shipments" | LC_ALL=C sort >"$DSR_TMP/shipments.got"
# The kept shipments not holding exactly that.
wrong=$(LC_ALL=C comm -13 "$DSR_TMP/shipments.want" "$DSR_TMP/shipments.got" | wc -l)
[ "$wrong" -eq 0 ] || fail "masks: $wrong kept shipments do not hold the expected values"
# Parents: o1's masked shipment, o2's recent loyalty row and o3's payment
# (paid 2018, kept 10y) keep them.
[ "$(keys orders "id IN ($o1, $o2, $o3)")" = "$o1 $o2 $o3" ] ||
  fail "masks: orders $o1, $o2 and $o3 were not all kept for their children"
expect_json '[.tables[] | select(.table == "orders") | (.kept_for.shipments >= 1) and (.kept_for.loyalty_ledger >= 1)
              and (.kept_for.payments >= 1) and .kept_as_parent >= 3]' '[true]'
(check_shop "$work") || fail "masks: the purged database is not intact"

# A second run as of the same day: already masked, nothing changes.
dump_shop "$work" >"$DSR_TMP/first.sql"
purge 0 2026-11-20T10:00:00Z "$SHOP_POLICY"
expect_counts shipments "[$masked,0,0,$masked,0,0]" "masks, second run"
expect_json '[.totals.deleted, .totals.masked]' '[0,0]'
dump_shop "$work" >"$DSR_TMP/second.sql"
cmp -s "$DSR_TMP/first.sql" "$DSR_TMP/second.sql" || fail "masks: the second run changed the database"

# As of 2030-06-01: shipments of before 2020-06-01 are past delete_after and
# go; those of [2024-11-21, 2028-06-01) are masked now; o1, o2 and o3 go
# with their children.
purge 0 2030-06-01T10:00:00Z "$SHOP_POLICY"
gone=$(sql "$base" "SELECT count(*) FROM shipments WHERE shipped_at >= '2016-11-21' AND shipped_at < '2020-06-01'")
still=$(sql "$base" "SELECT count(*) FROM shipments WHERE shipped_at >= '2020-06-01' AND shipped_at < '2024-11-21'")
new=$(sql "$base" "SELECT count(*) FROM shipments WHERE shipped_at >= '2024-11-21' AND shipped_at < '2028-06-01'")
expect_counts shipments "[$((gone + still + new)),$gone,$new,$still,0,0]" "masks, 2030-06-01"
expect_keys shipments "shipped_at >= '2020-06-01'" "masks, 2030-06-01"
[ -z "$(keys orders "id IN ($o1, $o2, $o3)")" ] || fail "masks, 2030-06-01: orders $o1/$o2/$o3 stayed after their children went"
(check_shop "$work") || fail "masks, 2030-06-01: the purged database is not intact"

# =============================================================================
# --table orders: no child table is purged, so every expired order (placed
# before 2016-11-21) with a child row stays; the rest of the shop is untouched.
fresh
purge 0 2026-11-20T10:00:00Z "$SHOP_POLICY" --table orders
expect_json '[.tables[].table]' '["orders"]'
children="order_items payments shipments returns loyalty_ledger"
referred() {  # referred TABLE: expired orders with a row in TABLE
  sql "$base" "SELECT count(*) FROM orders o WHERE o.placed_at < '2016-11-21'
                   AND EXISTS (SELECT 1 FROM $1 c WHERE c.order_id = o.id)"
}
expired=$(sql "$base" "SELECT count(*) FROM orders WHERE placed_at < '2016-11-21'")
with_child=$(sql "$base" "SELECT count(*) FROM orders o WHERE o.placed_at < '2016-11-21' AND (
  $(for c in $children; do printf 'EXISTS (SELECT 1 FROM %s c WHERE c.order_id = o.id) OR ' "$c"; done) false)")
[ "$with_child" -ge 10 ] || fail "fixture: only $with_child expired orders with children"
expect_counts orders "[$expired,$((expired - with_child)),0,0,0,$with_child]" "--table orders"
want_for=$(for c in $children; do n=$(referred "$c"); [ "$n" -eq 0 ] || echo "{\"$c\":$n}"; done | jq -s -c 'add | to_entries | sort_by(.key) | from_entries')
got_for=$(jq -c '.tables[0].kept_for | to_entries | sort_by(.key) | from_entries' "$DSR_TMP/out.json")
[ "$got_for" = "$want_for" ] || fail "--table orders: kept_for $got_for, expected $want_for"
for t in $(sql "$base" "$tables_sql" | grep -vx orders); do
  before=$(sql "$base" "SELECT * FROM $t ORDER BY id") after=$(q "SELECT * FROM $t ORDER BY id")
  [ -n "$before" ] && [ "$before" = "$after" ] || fail "--table orders changed table $t"
done
# Order items purged on their own: they no longer keep any order.
purge 0 2026-11-20T10:00:00Z "$SHOP_POLICY" --table order_items
purge 0 2026-11-20T10:00:00Z "$SHOP_POLICY" --table orders
expect_json '.tables[0].kept_for | has("order_items")' 'false'
(check_shop "$work") || fail "--table: the purged database is not intact"

# =============================================================================
# A chain of three tables, each kept 1y (hand-made): a grandparent stays when
# its child is kept for a grandchild; the dry run foresees it; --table b
# alone keeps every b a c row refers to.
chain=$(new_db chain)
# old: expired as of 2026-06-01; new: not
old="'2020-01-01T00:00:00Z'" new="'2026-01-01T00:00:00Z'"
sql "$chain" "
  CREATE TABLE people (id $int PRIMARY KEY, email TEXT NOT NULL);
  INSERT INTO people VALUES (1, 'chain@example.com');
  CREATE TABLE a (id $int PRIMARY KEY, person_id $int NOT NULL REFERENCES people(id), at $time NOT NULL);
  CREATE TABLE b (id $int PRIMARY KEY, a_id $int NOT NULL REFERENCES a(id), at $time NOT NULL);
  CREATE TABLE c (id $int PRIMARY KEY, b_id $int NOT NULL REFERENCES b(id), at $time NOT NULL);
  INSERT INTO a VALUES (1, 1, $old), (2, 1, $old), (3, 1, $old), (4, 1, $old), (5, 1, $old);
  INSERT INTO b VALUES (1, 1, $old), (2, 2, $old), (3, 3, $new), (4, 4, $old);
  INSERT INTO c VALUES (1, 1, $new), (2, 2, $old), (4, 4, $old);"
chain_base=$(copy_shop "$chain" chain_base)
{
  cat <<'YAML'
version: 1
controller: {name: Chain Ltd, contact: privacy@chain.example}
regime: gdpr
databases: {main: {url: "sqlite:chain.db"}}
identities:
  email: {column: people.email, normalize: email}
purposes:
  sales: {basis: contract, description: Selling things.}
tables:
  people:
    key: id
    columns:
      email: {category: contact, purposes: [sales], source: provided}
YAML
  for t in a:people b:a c:b; do
    cat <<YAML
  ${t%%:*}:
    key: id
    links: [{column: ${t#*:}_id, references: ${t#*:}.id}]
    columns:
      at: {category: purchase_history, purposes: [sales], source: observed}
    erasure: {action: delete}
    retention: {column: at, keep: 1y}
YAML
  done
} | sed 's/column: people_id/column: person_id/' >"$DSR_TMP/chain.yaml"
chain_purge() {
  DSR_NOW=2026-06-01 run_dsr 0 purge --policy "$DSR_TMP/chain.yaml" --db "$chain" --state "$DSR_TMP/chain-state.db" \
    --keys "$DSR_TMP/keys" --format json "$@"
}
chain_counts() { jq -c '[.tables[] | [.table, .examined, .deleted, .kept_as_parent, .kept_for]]' "$DSR_TMP/out.json"; }
want='[["c",2,2,0,{}],["b",3,2,1,{"c":1}],["a",5,3,2,{"b":2}]]'
chain_purge --dry-run
[ "$(chain_counts)" = "$want" ] || fail "chain, dry run: $(chain_counts), expected $want"
chain_purge
[ "$(chain_counts)" = "$want" ] || fail "chain: $(chain_counts), expected $want"
left=$(for t in a b c; do echo "$t:$(sql "$chain" "SELECT id FROM $t ORDER BY id" | paste -sd' ')"; done | paste -sd' ')
[ "$left" = "a:1 3 b:1 3 c:1" ] || fail "chain: remaining $left, expected a:1 3 b:1 3 c:1"
restore "$chain" "$chain_base" chain
chain_purge --table b
[ "$(chain_counts)" = '[["b",3,0,3,{"c":3}]]' ] || fail "chain, --table b: $(chain_counts)"
[ "$(sql "$chain" "SELECT count(*) FROM b")" = 4 ] || fail "chain, --table b: a b row went"

# =============================================================================
# A masked row past delete_after that a kept row still refers to stays, and
# stays masked, whatever the purge's history: masked by an earlier run
# (2018, in its mask window) or first seen by a purge only after its
# delete_after ended (2026), when it can no longer be deleted either.
late=$(new_db late)
sql "$late" "
  CREATE TABLE people (id $int PRIMARY KEY, email TEXT NOT NULL);
  INSERT INTO people VALUES (1, 'late@example.com');
  CREATE TABLE parcels (id $int PRIMARY KEY, person_id $int NOT NULL REFERENCES people(id),
                        sent_at $time NOT NULL, addressee TEXT NOT NULL);
  CREATE TABLE claims (id $int PRIMARY KEY, parcel_id $int NOT NULL REFERENCES parcels(id), at $time NOT NULL);
  INSERT INTO parcels VALUES (1, 1, '2015-01-01T00:00:00Z', 'Alice Parcel'), (2, 1, '2015-01-01T00:00:00Z', 'Bob Parcel');
  -- a warranty claim still kept refers to parcel 1
  INSERT INTO claims VALUES (1, 1, '2026-01-01T00:00:00Z');"
late_base=$(copy_shop "$late" late_base)
cat >"$DSR_TMP/late.yaml" <<'YAML'
version: 1
controller: {name: Parcels Ltd, contact: privacy@parcels.example}
regime: gdpr
databases: {main: {url: "sqlite:late.db"}}
identities:
  email: {column: people.email, normalize: email}
purposes:
  delivery: {basis: contract, description: Delivering parcels.}
tables:
  people:
    key: id
    columns:
      email: {category: contact, purposes: [delivery], source: provided}
  parcels:
    key: id
    links: [{column: person_id, references: people.id}]
    columns:
      sent_at: {category: purchase_history, purposes: [delivery], source: observed}
      addressee: {category: identity, purposes: [delivery], source: provided}
    erasure:
      action: delete
      mask:
        addressee: {method: redact, text: "[erased]"}
    retention: {column: sent_at, keep: 2y, action: mask, delete_after: 5y}
  claims:
    key: id
    links: [{column: parcel_id, references: parcels.id}]
    columns:
      at: {category: purchase_history, purposes: [delivery], source: observed}
    erasure: {action: delete}
    retention: {column: at, keep: 1y}
YAML
late_purge() {
  DSR_NOW=$1 run_dsr 0 purge --policy "$DSR_TMP/late.yaml" --db "$late" --state "$DSR_TMP/late-state.db" \
    --keys "$DSR_TMP/keys" --format json
}
parcels() { sql "$late" "SELECT id || '=' || addressee FROM parcels ORDER BY id" | paste -sd' '; }
late_purge 2018-06-01
[ "$(parcels)" = "1=[erased] 2=[erased]" ] || fail "parcels in their mask window were not masked: $(parcels)"
late_purge 2026-06-01
[ "$(parcels)" = "1=[erased]" ] || fail "masked earlier: as of 2026 the parcels are $(parcels), expected 1=[erased]"
expect_json '[.tables[] | select(.table == "parcels") | [.deleted, .masked, .already_masked, .kept_as_parent, .kept_for]]' \
  '[[1,0,1,0,{"claims":1}]]'
restore "$late" "$late_base" late
late_purge 2026-06-01
[ "$(parcels)" = "1=[erased]" ] ||
  fail "first purged after delete_after: the parcel kept for its claim is $(parcels), expected 1=[erased] (masked, as an earlier purge would have left it)"
expect_json '[.tables[] | select(.table == "parcels") | [.deleted, .masked, .already_masked, .kept_as_parent, .kept_for]]' \
  '[[1,1,0,0,{"claims":1}]]'

# =============================================================================
# Masks whose result has no recognisable form (random text, a pseudonymised
# integer): alone, purge refuses the policy (every run would mask the same
# rows again) and changes nothing; beside one recognisable mask, a second
# run recognises the rows as masked and changes nothing (a pseudonym of the
# pseudonym would break the joins pseudonymisation exists to keep).
notes=$(new_db notes)
sql "$notes" "
  CREATE TABLE people (id $int PRIMARY KEY, email TEXT NOT NULL);
  INSERT INTO people VALUES (1, 'notes@example.com');
  CREATE TABLE notes (id $int PRIMARY KEY, person_id $int NOT NULL REFERENCES people(id), at $time NOT NULL,
                      title TEXT NOT NULL, body TEXT NOT NULL, member_no $int NOT NULL);
  INSERT INTO notes VALUES (1, 1, '2015-01-01T00:00:00Z', 'Fit', 'a private note', 4242),
                           (2, 1, '2015-01-01T00:00:00Z', 'Hem', 'another one', 777),
                           (3, 1, '2026-05-01T00:00:00Z', 'Cuff', 'a recent note', 4242);"
# notes_policy [MASK_LINE]: random body, pseudonymised member number, and MASK_LINE.
notes_policy() {
  cat <<YAML
version: 1
controller: {name: Notes Ltd, contact: privacy@notes.example}
regime: gdpr
databases: {main: {url: "sqlite:notes.db"}}
identities:
  email: {column: people.email, normalize: email}
purposes:
  service: {basis: contract, description: Keeping notes.}
tables:
  people:
    key: id
    columns:
      email: {category: contact, purposes: [service], source: provided}
  notes:
    key: id
    links: [{column: person_id, references: people.id}]
    columns:
      at: {category: communications, purposes: [service], source: observed}
      title: {category: communications, purposes: [service], source: provided}
      body: {category: communications, purposes: [service], source: provided}
      member_no: {category: loyalty, purposes: [service], source: provided}
    erasure:
      action: delete
      mask:
        body: random
        member_no: pseudonymize
${1:-}
    retention: {column: at, keep: 2y, action: mask}
YAML
}
notes_purge() {  # notes_purge EXIT POLICY
  DSR_NOW=2026-06-01 run_dsr "$1" purge --policy "$2" --db "$notes" --state "$DSR_TMP/notes-state.db" \
    --keys "$DSR_TMP/keys" --format json
}
notes_policy >"$DSR_TMP/notes-bare.yaml"
dump_shop "$notes" >"$DSR_TMP/notes-before.sql"
notes_purge 3 "$DSR_TMP/notes-bare.yaml"
expect_stderr "recognise"
{ dump_shop "$notes" >"$DSR_TMP/now.dump"; cmp -s "$DSR_TMP/now.dump" "$DSR_TMP/notes-before.sql"; } || fail "notes: the refused purge changed the database"
notes_policy '        title: {method: redact, text: "[erased]"}' >"$DSR_TMP/notes.yaml"
notes_purge 0 "$DSR_TMP/notes.yaml"
expect_json '[.tables[] | [.masked, .already_masked]]' '[[2,0]]'
[ "$(sql "$notes" "SELECT count(*) FROM notes WHERE id IN (1, 2) AND title = '[erased]' AND body NOT LIKE '%note%'
                   AND body NOT LIKE 'another%' AND member_no NOT IN (4242, 777)")" = 2 ] ||
  fail "notes: the expired notes were not masked: $(sql "$notes" "SELECT * FROM notes")"
[ "$(sql "$notes" "SELECT title || member_no FROM notes WHERE id = 3")" = "Cuff4242" ] || fail "notes: the recent note was masked"
dump_shop "$notes" >"$DSR_TMP/notes-first.sql"
notes_purge 0 "$DSR_TMP/notes.yaml"
expect_json '[.tables[] | [.masked, .already_masked]]' '[[0,2]]'
{ dump_shop "$notes" >"$DSR_TMP/now.dump"; cmp -s "$DSR_TMP/now.dump" "$DSR_TMP/notes-first.sql"; } ||
  fail "notes: the second run masked the masked rows again (random and pseudonymised values changed)"
echo "purge_holds_masks: $held held payments, $masked masked shipments, $with_child orders kept by children" >&2
