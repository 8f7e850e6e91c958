-- The hand-written access of one subject on PostgreSQL (:id, a customer id;
-- :email, that customer's email as a literal): one read transaction (one
-- snapshot for all its SELECTs, as a read transaction is in SQLite), one
-- SELECT per table of policies/shop.yaml, following the same links dsr
-- follows (the customer id, and the email for guest orders, tickets and
-- newsletter events). psql has no JSON output mode, so each table's rows
-- come as one JSON array (json_agg; NULL, an empty line under psql -At,
-- when the table holds none), as sqlite3's .mode json prints them.
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT json_agg(t) FROM customers t WHERE id = :id;
SELECT json_agg(t) FROM addresses t WHERE customer_id = :id;
SELECT json_agg(t) FROM body_measurements t WHERE customer_id = :id;
SELECT json_agg(t) FROM orders t WHERE customer_id = :id OR email = :email;
SELECT json_agg(t) FROM order_items t WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email);
SELECT json_agg(t) FROM payments t WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email);
SELECT json_agg(t) FROM shipments t WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email);
SELECT json_agg(t) FROM returns t WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email);
SELECT json_agg(t) FROM support_tickets t WHERE customer_id = :id OR email = :email;
SELECT json_agg(t) FROM loyalty_ledger t WHERE customer_id = :id;
SELECT json_agg(t) FROM newsletter_events t WHERE customer_id = :id OR email = :email;
SELECT json_agg(t) FROM web_sessions t WHERE customer_id = :id;
COMMIT;
