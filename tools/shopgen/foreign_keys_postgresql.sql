-- Foreign keys of the PostgreSQL shop: those of schema.sql, with the same
-- ON DELETE actions. dsr-shopgen adds them after the bulk load (see
-- schema_postgresql.sql); each ALTER checks every existing row.

ALTER TABLE addresses         ADD FOREIGN KEY (customer_id) REFERENCES customers(id);
ALTER TABLE body_measurements ADD FOREIGN KEY (customer_id) REFERENCES customers(id);
ALTER TABLE orders            ADD FOREIGN KEY (customer_id) REFERENCES customers(id);
ALTER TABLE order_items       ADD FOREIGN KEY (order_id)    REFERENCES orders(id);
ALTER TABLE order_items       ADD FOREIGN KEY (product_id)  REFERENCES products(id);
ALTER TABLE payments          ADD FOREIGN KEY (order_id)    REFERENCES orders(id);
ALTER TABLE shipments         ADD FOREIGN KEY (order_id)    REFERENCES orders(id);
ALTER TABLE returns           ADD FOREIGN KEY (order_id)    REFERENCES orders(id) ON DELETE CASCADE;
ALTER TABLE support_tickets   ADD FOREIGN KEY (customer_id) REFERENCES customers(id);
ALTER TABLE loyalty_ledger    ADD FOREIGN KEY (customer_id) REFERENCES customers(id);
ALTER TABLE loyalty_ledger    ADD FOREIGN KEY (order_id)    REFERENCES orders(id);
ALTER TABLE newsletter_events ADD FOREIGN KEY (customer_id) REFERENCES customers(id);
ALTER TABLE web_sessions      ADD FOREIGN KEY (customer_id) REFERENCES customers(id);
