-- The hand-written erasure of one registered customer under
-- policies/shop.yaml (:id, the customer id; :email, that customer's email as
-- a literal; :now, the day it runs), as a competent operator would write it
-- to reach the end state `dsr erase` reaches: one write transaction, the same
-- tables in dsr's erasure order (children before parents: `dsr erase
-- --dry-run --format json` lists it), each table's deletes before its masks,
-- foreign keys enforced and deleted content zeroed as dsr's connection has
-- them. Guest rows are found by the customer's email, as dsr's links do.
--
-- The tax hold (10 years after the timestamp, tax_records) runs while
-- date(ts) + 10 years is after :now, i.e. for ts >= date(:now, '-10 years',
-- '+1 day') (the shop writes ISO 8601 UTC text, so text order is time
-- order). Held rows stay, masked; an order whose own hold ended stays while
-- a held payment, return or line item still refers to it.
--
-- Pseudonyms: dsr writes 'dsr-' and 32 hex digits of a keyed BLAKE2b of the
-- value (and '@erased.invalid' after an email), one hash per value, stable so
-- the customer's masked orders still join. The sqlite3 shell has no keyed
-- BLAKE2b; it has sha3(), so the baseline hashes each value too, with a
-- fixed prefix in place of the key: the same shape, length and work.
PRAGMA foreign_keys = ON;
PRAGMA secure_delete = ON;
BEGIN IMMEDIATE;
DELETE FROM addresses WHERE customer_id = :id;
DELETE FROM body_measurements WHERE customer_id = :id;
-- Line items share their order's hold (orders.placed_at): held ones stay unchanged.
DELETE FROM order_items WHERE order_id IN (
  SELECT id FROM orders WHERE (customer_id = :id OR email = :email)
    AND placed_at < date(':now', '-10 years', '+1 day'));
DELETE FROM payments WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email)
  AND paid_at < date(':now', '-10 years', '+1 day');
UPDATE payments SET card_token = NULL
  WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email)
  AND card_token IS NOT NULL;
DELETE FROM shipments WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email);
DELETE FROM returns WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email)
  AND requested_at < date(':now', '-10 years', '+1 day');
UPDATE returns SET reason = NULL
  WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email)
  AND reason IS NOT NULL;
DELETE FROM support_tickets WHERE customer_id = :id OR email = :email;
DELETE FROM loyalty_ledger WHERE customer_id = :id;
DELETE FROM orders WHERE (customer_id = :id OR email = :email)
  AND placed_at < date(':now', '-10 years', '+1 day')
  AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM returns r WHERE r.order_id = orders.id)
  AND NOT EXISTS (SELECT 1 FROM loyalty_ledger l WHERE l.order_id = orders.id);
UPDATE orders SET email = 'dsr-' || lower(substr(hex(sha3('bench-key:' || email)), 1, 32))
    || CASE WHEN instr(email, '@') THEN '@erased.invalid' ELSE '' END
  WHERE customer_id = :id OR email = :email;
DELETE FROM newsletter_events WHERE customer_id = :id OR email = :email;
DELETE FROM web_sessions WHERE customer_id = :id;
UPDATE customers SET
    email = 'dsr-' || lower(substr(hex(sha3('bench-key:' || email)), 1, 32))
      || CASE WHEN instr(email, '@') THEN '@erased.invalid' ELSE '' END,
    first_name = '[erased]', last_name = '[erased]', phone = NULL, birth_date = NULL,
    last_login_at = NULL, created_at = strftime('%Y-01-01T00:00:00Z', created_at),
    marketing_opt_in = 0, preferred_language = NULL
  WHERE id = :id;
COMMIT;
