-- The hand-written portable copy of one subject on PostgreSQL (:id, a
-- customer id; :email, that customer's email as a literal): one read
-- transaction (one snapshot for all its SELECTs, as a read transaction is
-- in SQLite), one SELECT per table of the columns dsr exports, in key
-- order, following the same links as export.sql. psql has no JSON output
-- mode, so the server writes each row as a JSON object, one a line (JSON
-- Lines), which psql -At prints as it is; bench/cases/export.py sends
-- standard output to a file. Not json_agg: that builds each table's whole
-- array as one value in server memory, slower here and limited to 1 GB.
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT row_to_json(t) FROM (
  SELECT id, email, first_name, last_name, phone, birth_date, created_at, last_login_at, marketing_opt_in,
         preferred_language
    FROM customers WHERE id = :id ORDER BY id) t;
SELECT row_to_json(t) FROM (
  SELECT id, kind, recipient_name, line1, line2, city, postcode, country, created_at
    FROM addresses WHERE customer_id = :id ORDER BY id) t;
SELECT row_to_json(t) FROM (
  SELECT id, chest_cm, waist_cm, hips_cm, height_cm, inseam_cm, sleeve_cm, neck_cm, measured_at
    FROM body_measurements WHERE customer_id = :id ORDER BY id) t;
SELECT row_to_json(t) FROM (
  SELECT id, email, placed_at, status, total_cents, currency
    FROM orders WHERE customer_id = :id OR email = :email ORDER BY id) t;
SELECT row_to_json(t) FROM (
  SELECT id, quantity, unit_price_cents, made_to_measure
    FROM order_items WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email)
   ORDER BY id) t;
SELECT row_to_json(t) FROM (
  SELECT id, method, card_token, card_last4, amount_cents, paid_at, status
    FROM payments WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email)
   ORDER BY id) t;
SELECT row_to_json(t) FROM (
  SELECT id, carrier, tracking_number, ship_to_name, ship_to_line1, ship_to_city, ship_to_postcode,
         ship_to_country, shipped_at
    FROM shipments WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email)
   ORDER BY id) t;
SELECT row_to_json(t) FROM (
  SELECT id, reason, requested_at, refunded_cents, status
    FROM returns WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email)
   ORDER BY id) t;
SELECT row_to_json(t) FROM (
  SELECT id, email, subject, body, created_at, status
    FROM support_tickets WHERE customer_id = :id OR email = :email ORDER BY id) t;
SELECT row_to_json(t) FROM (
  SELECT id, points, reason, created_at
    FROM loyalty_ledger WHERE customer_id = :id ORDER BY id) t;
SELECT row_to_json(t) FROM (
  SELECT id, email, event, occurred_at
    FROM newsletter_events WHERE customer_id = :id OR email = :email ORDER BY id) t;
SELECT row_to_json(t) FROM (
  SELECT id, ip_address, user_agent, started_at
    FROM web_sessions WHERE customer_id = :id ORDER BY id) t;
COMMIT;
