-- A shop whose table and column names hold every character that breaks
-- SQL spliced together by hand: quotes, brackets, backslash, semicolons,
-- comment dashes, spaces, backticks and non-ASCII letters. `victim` is not
-- in the policy: nothing dsr does may touch it.
CREATE TABLE "cust""omers" (
    "i[d]"     INTEGER PRIMARY KEY,
    "e'mail;"  TEXT NOT NULL UNIQUE,
    "naïve\name" TEXT,
    "note; DROP TABLE victim; --" TEXT,
    nickname   TEXT,
    "joined]"  TEXT NOT NULL
);
CREATE TABLE "ord;ers" (
    id          INTEGER PRIMARY KEY,
    "cust`id"   INTEGER REFERENCES "cust""omers"("i[d]"),
    "note -- x" TEXT,
    "placed at" TEXT NOT NULL
);
CREATE INDEX "ord;ers by customer" ON "ord;ers"("cust`id");
CREATE INDEX "ord;ers by date" ON "ord;ers"("placed at");
CREATE TABLE victim (id INTEGER PRIMARY KEY, v TEXT NOT NULL);
INSERT INTO victim VALUES (1, 'keep me');
INSERT INTO "cust""omers" VALUES
    (1, 'ana@example.com', 'Ana', 'x''); DROP TABLE victim; --', 'Annie', '2010-01-01T00:00:00Z'),
    (2, 'bo@example.com', 'Bo', NULL, NULL, '2025-01-01T00:00:00Z');
INSERT INTO "ord;ers" VALUES
    (10, 1, 'first', '2010-02-01T00:00:00Z'),
    (11, 2, 'old', '2012-03-01T00:00:00Z'),
    (12, 2, 'recent', '2026-01-01T00:00:00Z');
