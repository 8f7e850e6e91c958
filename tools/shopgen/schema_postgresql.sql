-- PostgreSQL schema of the demo shop: the tables, columns, keys and checks
-- of schema.sql, with native types where SQLite has none:
--   ISO-8601 text timestamps -> timestamptz, birth_date -> date,
--   0/1 flags -> boolean, REAL half-centimetres -> numeric(4,1).
-- Amounts stay integer cents (bigint), as the column names say. As in
-- schema.sql, newsletter_events.occurred_at is Unix seconds and
-- web_sessions.started_at Unix milliseconds (bigint): the shared policy
-- declares those formats.
--
-- The foreign keys are in foreign_keys_postgresql.sql and the secondary
-- indexes in indexes.sql. dsr-shopgen adds both after the bulk load: one
-- validating join per key is much faster than a trigger check per row, and
-- it lets the rows arrive in any table order.

CREATE TABLE customers (
    id                 bigint PRIMARY KEY,
    email              text NOT NULL UNIQUE,
    first_name         text NOT NULL,
    last_name          text NOT NULL,
    phone              text,
    birth_date         date,
    created_at         timestamptz NOT NULL,
    last_login_at      timestamptz,
    marketing_opt_in   boolean NOT NULL DEFAULT false,
    preferred_language text
);

CREATE TABLE addresses (
    id             bigint PRIMARY KEY,
    customer_id    bigint NOT NULL,
    kind           text NOT NULL CHECK(kind IN ('shipping','billing')),
    recipient_name text NOT NULL,
    line1          text NOT NULL,
    line2          text,
    city           text NOT NULL,
    postcode       text NOT NULL,
    country        text NOT NULL,
    created_at     timestamptz NOT NULL
);

CREATE TABLE body_measurements (
    id          bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    chest_cm    numeric(4,1),
    waist_cm    numeric(4,1),
    hips_cm     numeric(4,1),
    height_cm   numeric(4,1),
    inseam_cm   numeric(4,1),
    sleeve_cm   numeric(4,1),
    neck_cm     numeric(4,1),
    measured_at timestamptz NOT NULL
);

CREATE TABLE products (
    id          bigint PRIMARY KEY,
    sku         text NOT NULL UNIQUE,
    name        text NOT NULL,
    category    text NOT NULL,
    price_cents bigint NOT NULL
);

CREATE TABLE orders (
    id          bigint PRIMARY KEY,
    customer_id bigint,
    email       text NOT NULL,
    placed_at   timestamptz NOT NULL,
    status      text NOT NULL,
    total_cents bigint NOT NULL,
    currency    text NOT NULL
);

CREATE TABLE order_items (
    id               bigint PRIMARY KEY,
    order_id         bigint NOT NULL,
    product_id       bigint NOT NULL,
    quantity         integer NOT NULL,
    unit_price_cents bigint NOT NULL,
    made_to_measure  boolean NOT NULL DEFAULT false
);

CREATE TABLE payments (
    id           bigint PRIMARY KEY,
    order_id     bigint NOT NULL,
    method       text NOT NULL,
    card_token   text,
    card_last4   text,
    amount_cents bigint NOT NULL,
    paid_at      timestamptz NOT NULL,
    status       text NOT NULL
);

CREATE TABLE shipments (
    id               bigint PRIMARY KEY,
    order_id         bigint NOT NULL,
    carrier          text NOT NULL,
    tracking_number  text NOT NULL,
    ship_to_name     text NOT NULL,
    ship_to_line1    text NOT NULL,
    ship_to_city     text NOT NULL,
    ship_to_postcode text NOT NULL,
    ship_to_country  text NOT NULL,
    shipped_at       timestamptz NOT NULL
);

CREATE TABLE returns (
    id             bigint PRIMARY KEY,
    order_id       bigint NOT NULL,
    reason         text,
    requested_at   timestamptz NOT NULL,
    refunded_cents bigint NOT NULL DEFAULT 0,
    status         text NOT NULL
);

CREATE TABLE support_tickets (
    id          bigint PRIMARY KEY,
    customer_id bigint,
    email       text NOT NULL,
    subject     text NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL,
    status      text NOT NULL
);

CREATE TABLE loyalty_ledger (
    id          bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    order_id    bigint,
    points      integer NOT NULL,
    reason      text NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE newsletter_events (
    id          bigint PRIMARY KEY,
    customer_id bigint,
    email       text NOT NULL,
    event       text NOT NULL,
    occurred_at bigint NOT NULL
);

CREATE TABLE web_sessions (
    id          bigint PRIMARY KEY,
    customer_id bigint,
    ip_address  text NOT NULL,
    user_agent  text NOT NULL,
    started_at  bigint NOT NULL
);
