-- Schema of the demo made-to-measure clothing shop written by dsr-shopgen.
-- Timestamps are UTC ISO-8601 text (YYYY-MM-DDTHH:MM:SSZ) except
-- newsletter_events.occurred_at (Unix seconds) and web_sessions.started_at
-- (Unix milliseconds), so policies have to declare all three formats.
-- Secondary indexes live in indexes.sql: they are built after the bulk load.

CREATE TABLE customers (
    id                 INTEGER PRIMARY KEY,
    email              TEXT NOT NULL UNIQUE,
    first_name         TEXT NOT NULL,
    last_name          TEXT NOT NULL,
    phone              TEXT,
    birth_date         TEXT,
    created_at         TEXT NOT NULL,
    last_login_at      TEXT,
    marketing_opt_in   INTEGER NOT NULL DEFAULT 0,
    preferred_language TEXT
);

CREATE TABLE addresses (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers(id),
    kind           TEXT NOT NULL CHECK(kind IN ('shipping','billing')),
    recipient_name TEXT NOT NULL,
    line1          TEXT NOT NULL,
    line2          TEXT,
    city           TEXT NOT NULL,
    postcode       TEXT NOT NULL,
    country        TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

CREATE TABLE body_measurements (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    chest_cm    REAL,
    waist_cm    REAL,
    hips_cm     REAL,
    height_cm   REAL,
    inseam_cm   REAL,
    sleeve_cm   REAL,
    neck_cm     REAL,
    measured_at TEXT NOT NULL
);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    sku         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    price_cents INTEGER NOT NULL
);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id),
    email       TEXT NOT NULL,
    placed_at   TEXT NOT NULL,
    status      TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    currency    TEXT NOT NULL
);

CREATE TABLE order_items (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders(id),
    product_id       INTEGER NOT NULL REFERENCES products(id),
    quantity         INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL,
    made_to_measure  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE payments (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders(id),
    method       TEXT NOT NULL,
    card_token   TEXT,
    card_last4   TEXT,
    amount_cents INTEGER NOT NULL,
    paid_at      TEXT NOT NULL,
    status       TEXT NOT NULL
);

CREATE TABLE shipments (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders(id),
    carrier          TEXT NOT NULL,
    tracking_number  TEXT NOT NULL,
    ship_to_name     TEXT NOT NULL,
    ship_to_line1    TEXT NOT NULL,
    ship_to_city     TEXT NOT NULL,
    ship_to_postcode TEXT NOT NULL,
    ship_to_country  TEXT NOT NULL,
    shipped_at       TEXT NOT NULL
);

CREATE TABLE returns (
    id             INTEGER PRIMARY KEY,
    order_id       INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    reason         TEXT,
    requested_at   TEXT NOT NULL,
    refunded_cents INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL
);

CREATE TABLE support_tickets (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id),
    email       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    status      TEXT NOT NULL
);

CREATE TABLE loyalty_ledger (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    order_id    INTEGER REFERENCES orders(id),
    points      INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE newsletter_events (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id),
    email       TEXT NOT NULL,
    event       TEXT NOT NULL,
    occurred_at INTEGER NOT NULL
);

CREATE TABLE web_sessions (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id),
    ip_address  TEXT NOT NULL,
    user_agent  TEXT NOT NULL,
    started_at  INTEGER NOT NULL
);
