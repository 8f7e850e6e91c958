-- The hand-written count behind `dsr breach assess --scope orders --scope
-- web_sessions`: rows per table, then distinct people: a customer by id
-- (an order's or a session's customer_id, or the customer whose email a
-- guest order carries), else a guest by the order's email.
SELECT COUNT(*) FROM orders;
SELECT COUNT(*) FROM web_sessions;
SELECT COUNT(*) FROM (
  SELECT 'c' || customer_id FROM orders WHERE customer_id IS NOT NULL
  UNION
  SELECT COALESCE('c' || c.id, 'g' || o.email) FROM orders o LEFT JOIN customers c ON c.email = o.email
    WHERE o.email IS NOT NULL
  UNION
  SELECT 'c' || customer_id FROM web_sessions WHERE customer_id IS NOT NULL
) AS people;
