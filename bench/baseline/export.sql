-- The hand-written portable copy of one subject (:id, a customer id; :email,
-- that customer's email as a literal): one read transaction, one SELECT per
-- table of policies/shop.yaml of the columns dsr exports (the key, then every
-- provided or observed column, in the policy's order), following the same
-- links dsr follows (the customer id, and the email for guest orders,
-- tickets and newsletter events), in key order as dsr writes them.
-- bench/cases/export.py runs it in sqlite3's .mode json, output to a file.
BEGIN;
SELECT id, email, first_name, last_name, phone, birth_date, created_at, last_login_at, marketing_opt_in,
       preferred_language
  FROM customers WHERE id = :id ORDER BY id;
SELECT id, kind, recipient_name, line1, line2, city, postcode, country, created_at
  FROM addresses WHERE customer_id = :id ORDER BY id;
SELECT id, chest_cm, waist_cm, hips_cm, height_cm, inseam_cm, sleeve_cm, neck_cm, measured_at
  FROM body_measurements WHERE customer_id = :id ORDER BY id;
SELECT id, email, placed_at, status, total_cents, currency
  FROM orders WHERE customer_id = :id OR email = :email ORDER BY id;
SELECT id, quantity, unit_price_cents, made_to_measure
  FROM order_items WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email) ORDER BY id;
SELECT id, method, card_token, card_last4, amount_cents, paid_at, status
  FROM payments WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email) ORDER BY id;
SELECT id, carrier, tracking_number, ship_to_name, ship_to_line1, ship_to_city, ship_to_postcode, ship_to_country,
       shipped_at
  FROM shipments WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email) ORDER BY id;
SELECT id, reason, requested_at, refunded_cents, status
  FROM returns WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email) ORDER BY id;
SELECT id, email, subject, body, created_at, status
  FROM support_tickets WHERE customer_id = :id OR email = :email ORDER BY id;
SELECT id, points, reason, created_at
  FROM loyalty_ledger WHERE customer_id = :id ORDER BY id;
SELECT id, email, event, occurred_at
  FROM newsletter_events WHERE customer_id = :id OR email = :email ORDER BY id;
SELECT id, ip_address, user_agent, started_at
  FROM web_sessions WHERE customer_id = :id ORDER BY id;
COMMIT;
