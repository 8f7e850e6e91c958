-- The hand-written erasure of one registered customer under
-- policies/shop.yaml on PostgreSQL (:id, the customer id; :email, that
-- customer's email as a literal; :now, the day it runs): erase.sql's
-- statements in the same order (dsr's erasure order, children before
-- parents: `dsr erase --dry-run --format json` lists it), each table's
-- deletes before its masks, in one transaction, as a competent operator
-- would write them in psql. Guest rows are found by the customer's email, as
-- dsr's links do. The foreign keys are enforced, as always in PostgreSQL.
--
-- The tax hold (10 years after the timestamp) runs while the timestamp is
-- at or after the UTC midnight of the day after :now minus 10 years, as
-- dsr's cutoffs are (purge.pg.sql writes them the same way). Held rows
-- stay, masked; an order whose own hold ended stays while a held payment,
-- return or line item still refers to it.
--
-- Pseudonyms: dsr writes 'dsr-' and 32 hex digits of a keyed BLAKE2b of the
-- value (and '@erased.invalid' after an email). PostgreSQL has no keyed
-- BLAKE2b; it has sha256(), so the baseline hashes each value too, with a
-- fixed prefix in place of the key: the same shape, length and work.
-- created_at is generalised to its year, as dsr's mask does (UTC).
BEGIN;
DELETE FROM addresses WHERE customer_id = :id;
DELETE FROM body_measurements WHERE customer_id = :id;
-- Line items share their order's hold (orders.placed_at): held ones stay unchanged.
DELETE FROM order_items WHERE order_id IN (
  SELECT id FROM orders WHERE (customer_id = :id OR email = :email)
    AND placed_at < (date ':now' - interval '10 years' + interval '1 day') AT TIME ZONE 'UTC');
DELETE FROM payments WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email)
  AND paid_at < (date ':now' - interval '10 years' + interval '1 day') AT TIME ZONE 'UTC';
UPDATE payments SET card_token = NULL
  WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email)
  AND card_token IS NOT NULL;
DELETE FROM shipments WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email);
DELETE FROM returns WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email)
  AND requested_at < (date ':now' - interval '10 years' + interval '1 day') AT TIME ZONE 'UTC';
UPDATE returns SET reason = NULL
  WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email)
  AND reason IS NOT NULL;
DELETE FROM support_tickets WHERE customer_id = :id OR email = :email;
DELETE FROM loyalty_ledger WHERE customer_id = :id;
DELETE FROM orders WHERE (customer_id = :id OR email = :email)
  AND placed_at < (date ':now' - interval '10 years' + interval '1 day') AT TIME ZONE 'UTC'
  AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM returns r WHERE r.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM loyalty_ledger l WHERE l.order_id = orders.id);
UPDATE orders SET email = 'dsr-' || substr(encode(sha256(convert_to('bench-key:' || email, 'UTF8')), 'hex'), 1, 32)
    || CASE WHEN strpos(email, '@') > 0 THEN '@erased.invalid' ELSE '' END
  WHERE customer_id = :id OR email = :email;
DELETE FROM newsletter_events WHERE customer_id = :id OR email = :email;
DELETE FROM web_sessions WHERE customer_id = :id;
UPDATE customers SET
    email = 'dsr-' || substr(encode(sha256(convert_to('bench-key:' || email, 'UTF8')), 'hex'), 1, 32)
      || CASE WHEN strpos(email, '@') > 0 THEN '@erased.invalid' ELSE '' END,
    first_name = '[erased]', last_name = '[erased]', phone = NULL, birth_date = NULL,
    last_login_at = NULL, created_at = date_trunc('year', created_at, 'UTC'),
    marketing_opt_in = false, preferred_language = NULL
  WHERE id = :id;
COMMIT;
