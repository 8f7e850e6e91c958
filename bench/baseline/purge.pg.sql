-- The hand-written purge of policies/shop.yaml's retention on the demo shop
-- in PostgreSQL (:now, the day it runs): purge.sql's statements, one plain
-- statement per table, children first, each its own transaction
-- (autocommit), as an operator would write it. Each holds its row locks
-- from start to end, which is the point of comparison with dsr's bounded
-- batches. The cutoffs are UTC midnights, as dsr's: the day after :now
-- minus the retention period; newsletter_events.occurred_at is Unix seconds
-- and web_sessions.started_at Unix milliseconds.
DELETE FROM addresses WHERE created_at < (date ':now' - interval '6 years' + interval '1 day') AT TIME ZONE 'UTC';
DELETE FROM body_measurements WHERE measured_at < (date ':now' - interval '3 years' + interval '1 day') AT TIME ZONE 'UTC';
DELETE FROM order_items WHERE order_id IN (SELECT id FROM orders WHERE placed_at < (date ':now' - interval '10 years' + interval '1 day') AT TIME ZONE 'UTC');
DELETE FROM payments WHERE paid_at < (date ':now' - interval '10 years' + interval '1 day') AT TIME ZONE 'UTC';
DELETE FROM shipments WHERE shipped_at < (date ':now' - interval '10 years' + interval '1 day') AT TIME ZONE 'UTC';
UPDATE shipments SET ship_to_name = '[erased]', ship_to_line1 = '[erased]', ship_to_city = '[erased]',
  ship_to_postcode = substr(ship_to_postcode, 1, 3), tracking_number = '[erased]'
  WHERE shipped_at < (date ':now' - interval '2 years' + interval '1 day') AT TIME ZONE 'UTC' AND ship_to_name <> '[erased]';
DELETE FROM returns WHERE requested_at < (date ':now' - interval '10 years' + interval '1 day') AT TIME ZONE 'UTC';
DELETE FROM support_tickets WHERE created_at < (date ':now' - interval '3 years' + interval '1 day') AT TIME ZONE 'UTC';
DELETE FROM loyalty_ledger WHERE created_at < (date ':now' - interval '5 years' + interval '1 day') AT TIME ZONE 'UTC';
DELETE FROM orders WHERE placed_at < (date ':now' - interval '10 years' + interval '1 day') AT TIME ZONE 'UTC'
  AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM returns r WHERE r.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM loyalty_ledger l WHERE l.order_id = orders.id);
DELETE FROM newsletter_events WHERE occurred_at < extract(epoch FROM date ':now' - interval '2 years' + interval '1 day')::bigint;
DELETE FROM web_sessions WHERE started_at < 1000 * extract(epoch FROM date ':now' - interval '90 days' + interval '1 day')::bigint;
