-- The hand-written purge of policies/shop.yaml's retention on the demo shop
-- (:now, the day it runs): one plain statement per table, children first,
-- each its own transaction (autocommit), as an operator would write it. Each
-- statement holds the write lock from start to end, which is the point of
-- comparison with dsr's bounded batches.
PRAGMA foreign_keys = ON;
PRAGMA secure_delete = ON;
DELETE FROM addresses WHERE created_at < date(':now', '-6 years', '+1 day');
DELETE FROM body_measurements WHERE measured_at < date(':now', '-3 years', '+1 day');
DELETE FROM order_items WHERE order_id IN (SELECT id FROM orders WHERE placed_at < date(':now', '-10 years', '+1 day'));
DELETE FROM payments WHERE paid_at < date(':now', '-10 years', '+1 day');
DELETE FROM shipments WHERE shipped_at < date(':now', '-10 years', '+1 day');
UPDATE shipments SET ship_to_name = '[erased]', ship_to_line1 = '[erased]', ship_to_city = '[erased]',
  ship_to_postcode = substr(ship_to_postcode, 1, 3), tracking_number = '[erased]'
  WHERE shipped_at < date(':now', '-2 years', '+1 day') AND ship_to_name <> '[erased]';
DELETE FROM returns WHERE requested_at < date(':now', '-10 years', '+1 day');
DELETE FROM support_tickets WHERE created_at < date(':now', '-3 years', '+1 day');
DELETE FROM loyalty_ledger WHERE created_at < date(':now', '-5 years', '+1 day');
DELETE FROM orders WHERE placed_at < date(':now', '-10 years', '+1 day')
  AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM returns r WHERE r.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM loyalty_ledger l WHERE l.order_id = orders.id);
DELETE FROM newsletter_events WHERE occurred_at < strftime('%s', ':now', '-2 years', '+1 day');
DELETE FROM web_sessions WHERE started_at < 1000 * strftime('%s', ':now', '-90 days', '+1 day');
PRAGMA wal_checkpoint(TRUNCATE);
