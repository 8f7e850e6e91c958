-- Secondary indexes of the demo shop. dsr-shopgen runs this after the bulk
-- load because building an index from sorted data is much faster than
-- maintaining it row by row.

-- Every foreign-key column, so subject-graph joins and cascades never scan.
CREATE INDEX idx_addresses_customer_id ON addresses(customer_id);
CREATE INDEX idx_body_measurements_customer_id ON body_measurements(customer_id);
CREATE INDEX idx_orders_customer_id ON orders(customer_id);
CREATE INDEX idx_order_items_order_id ON order_items(order_id);
CREATE INDEX idx_order_items_product_id ON order_items(product_id);
CREATE INDEX idx_payments_order_id ON payments(order_id);
CREATE INDEX idx_shipments_order_id ON shipments(order_id);
CREATE INDEX idx_returns_order_id ON returns(order_id);
CREATE INDEX idx_support_tickets_customer_id ON support_tickets(customer_id);
CREATE INDEX idx_loyalty_ledger_customer_id ON loyalty_ledger(customer_id);
CREATE INDEX idx_loyalty_ledger_order_id ON loyalty_ledger(order_id);
CREATE INDEX idx_newsletter_events_customer_id ON newsletter_events(customer_id);
CREATE INDEX idx_web_sessions_customer_id ON web_sessions(customer_id);

-- Identity lookups for rows that may have no customer_id (guests).
CREATE INDEX idx_orders_email ON orders(email);
CREATE INDEX idx_support_tickets_email ON support_tickets(email);
CREATE INDEX idx_newsletter_events_email ON newsletter_events(email);
CREATE INDEX idx_customers_phone ON customers(phone);

-- Retention sweeps select by age.
CREATE INDEX idx_orders_placed_at ON orders(placed_at);
CREATE INDEX idx_web_sessions_started_at ON web_sessions(started_at);
CREATE INDEX idx_newsletter_events_occurred_at ON newsletter_events(occurred_at);
CREATE INDEX idx_support_tickets_created_at ON support_tickets(created_at);
CREATE INDEX idx_customers_last_login_at ON customers(last_login_at);
CREATE INDEX idx_addresses_created_at ON addresses(created_at);
CREATE INDEX idx_body_measurements_measured_at ON body_measurements(measured_at);
CREATE INDEX idx_payments_paid_at ON payments(paid_at);
CREATE INDEX idx_shipments_shipped_at ON shipments(shipped_at);
CREATE INDEX idx_returns_requested_at ON returns(requested_at);
CREATE INDEX idx_loyalty_ledger_created_at ON loyalty_ledger(created_at);
