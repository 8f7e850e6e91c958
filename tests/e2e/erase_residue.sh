# No forensic residue: canary values planted in a subject's rows — in rows
# the erasure deletes and in columns it masks on rows a hold keeps — are
# found nowhere in the raw bytes of the database file, its -wal or its
# -journal after `dsr erase`: not in free pages, not in free space inside
# pages, not in old WAL frames, not in a rollback journal. Run in WAL mode
# (with the canaries still in the WAL when the erasure starts) and after the
# shop's own connection used each rollback-journal mode (a PERSIST connection
# leaves a journal of old pages, canaries included, beside the file).
source "$DSR_SOURCE/tests/e2e/lib.sh"
base="$DSR_TMP/base.db"
make_shop "$base" 300
"$DSR" keygen --keys "$DSR_TMP/keys" >/dev/null
export DSR_NOW=2026-11-20T10:00:00Z
shop="$DSR_TMP/shop.db"

# A customer with held orders (paid, with a card token) and orders past the hold.
cid=$(sqlite3 "$base" "SELECT o.customer_id FROM orders o JOIN payments p ON p.order_id = o.id
                       WHERE o.customer_id IS NOT NULL AND p.card_token IS NOT NULL
                       GROUP BY o.customer_id HAVING max(o.placed_at) > '2017' AND min(o.placed_at) < '2016-11'
                       ORDER BY o.customer_id LIMIT 1")
[ -n "$cid" ] || fail "fixture: no customer with orders on both sides of the hold"

canaries=(CANARY-first-5e1d CANARY-last-9b7c CANARY-phone-44a0 canary.mail.7d2f@example.com CANARY-line1-0c3e
          CANARY-city-a81b CANARY-ticket-body-62f9 CANARY-token-13d8 CANARY-shipto-b4e6 CANARY-agent-f07a
          CANARY-reason-2c95)
plant="
  UPDATE customers SET first_name = 'CANARY-first-5e1d', last_name = 'CANARY-last-9b7c',
                       phone = 'CANARY-phone-44a0', email = 'canary.mail.7d2f@example.com' WHERE id = $cid;
  UPDATE orders SET email = 'canary.mail.7d2f@example.com' WHERE customer_id = $cid;
  UPDATE addresses SET line1 = 'CANARY-line1-0c3e', city = 'CANARY-city-a81b' WHERE customer_id = $cid;
  INSERT INTO support_tickets (customer_id, email, subject, body, created_at, status)
    VALUES ($cid, 'canary.mail.7d2f@example.com', 'Fit', 'CANARY-ticket-body-62f9', '2025-06-01T10:00:00Z', 'open');
  UPDATE payments SET card_token = 'CANARY-token-13d8' WHERE order_id IN (SELECT id FROM orders WHERE customer_id = $cid);
  UPDATE shipments SET ship_to_name = 'CANARY-shipto-b4e6' WHERE order_id IN (SELECT id FROM orders WHERE customer_id = $cid);
  INSERT INTO web_sessions (customer_id, ip_address, user_agent, started_at)
    VALUES ($cid, '192.0.2.7', 'CANARY-agent-f07a', 1760000000000);
  INSERT INTO returns (order_id, reason, requested_at, refunded_cents, status)
    SELECT max(id), 'CANARY-reason-2c95', '2025-07-01T10:00:00Z', 0, 'requested' FROM orders WHERE customer_id = $cid;"

# raw_count CANARY: occurrences in the raw bytes of the file, its -wal and -journal.
raw_count() {
  local total=0 f n
  for f in "$shop" "$shop-wal" "$shop-journal"; do
    [ -f "$f" ] || continue
    n=$(grep -c -a -F -- "$1" "$f" || true)
    total=$((total + n))
  done
  echo "$total"
}

for mode in wal delete truncate persist; do
  rm -f "$shop" "$shop-wal" "$shop-shm" "$shop-journal" "$DSR_TMP/state.db"*
  cp "$base" "$shop"
  sqlite3 "$shop" "PRAGMA journal_mode = $mode" >/dev/null
  if [ "$mode" = wal ]; then
    # Planted and left in the WAL: closing does not checkpoint it into the file.
    sqlite3 -cmd ".dbconfig no_ckpt_on_close on" "$shop" "BEGIN; $plant COMMIT;" >/dev/null
    [ -s "$shop-wal" ] || fail "fixture: the canaries are not in a WAL"
  else
    sqlite3 "$shop" "BEGIN; $plant COMMIT;"
    # A journal left behind by an earlier change, as PERSIST keeps it.
    sqlite3 "$shop" "PRAGMA journal_mode = $mode; UPDATE customers SET first_name = first_name WHERE id = $cid" >/dev/null
  fi
  for c in "${canaries[@]}"; do
    [ "$(raw_count "$c")" -gt 0 ] || fail "$mode: fixture: canary $c was not planted"
  done

  run_dsr 7 erase --policy "$SHOP_POLICY" --db "$shop" --state "$DSR_TMP/state.db" --keys "$DSR_TMP/keys" \
    --subject "customer_id=$cid" --yes --format json
  expect_json '.erasure.residue_removed' 'true'
  expect_json '.verification.passed' 'true'
  expect_json '[.erasure.tables[] | select(.table == "payments") | .kept_under_hold > 0]' '[true]'
  for c in "${canaries[@]}"; do
    n=$(raw_count "$c")
    [ "$n" -eq 0 ] || fail "$mode: canary $c survives $n times in the raw bytes of the database files"
  done
  [ ! -s "$shop-wal" ] || fail "$mode: the WAL is not empty after the erasure"
  [ "$(sqlite3 "$shop" "PRAGMA integrity_check")" = ok ] || fail "$mode: integrity_check"
  echo "erase_residue: $mode: ${#canaries[@]} canaries planted, none left" >&2
done
