-- The hand-written access of one subject (:id, a customer id; :email, that
-- customer's email as a literal): one read transaction, one SELECT per table
-- of policies/shop.yaml, following the same links dsr follows (the customer
-- id, and the email for guest orders, tickets and newsletter events).
BEGIN;
SELECT * FROM customers WHERE id = :id;
SELECT * FROM addresses WHERE customer_id = :id;
SELECT * FROM body_measurements WHERE customer_id = :id;
SELECT * FROM orders WHERE customer_id = :id OR email = :email;
SELECT * FROM order_items WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email);
SELECT * FROM payments WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email);
SELECT * FROM shipments WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email);
SELECT * FROM returns WHERE order_id IN (SELECT id FROM orders WHERE customer_id = :id OR email = :email);
SELECT * FROM support_tickets WHERE customer_id = :id OR email = :email;
SELECT * FROM loyalty_ledger WHERE customer_id = :id;
SELECT * FROM newsletter_events WHERE customer_id = :id OR email = :email;
SELECT * FROM web_sessions WHERE customer_id = :id;
COMMIT;
