#pragma once

#include <string_view>

namespace dsr::state {

/// migrations[i] takes a state file from schema version i to i + 1. Append
/// only: a released migration never changes, so every file upgrades the same way.
inline constexpr std::string_view migrations[] = {
    // 0 -> 1: audit log, signed heads, request ledger; empty consent and erasure ledgers.
    R"sql(
CREATE TABLE audit_entries (
  seq            INTEGER PRIMARY KEY,            -- 1, 2, 3 … with no gaps
  at             TEXT NOT NULL,                  -- UTC, ISO-8601 to the second
  command        TEXT NOT NULL,                  -- e.g. 'erase', 'request open'
  phase          TEXT NOT NULL CHECK (phase IN ('intent', 'done', 'failed')),
  request_id     TEXT,                           -- the request ledger id, if any
  subject        TEXT,                           -- keyed pseudonym (hex), never a raw identity
  policy_sha256  TEXT,
  dry_run        INTEGER NOT NULL DEFAULT 0,
  summary        TEXT NOT NULL DEFAULT '{}',     -- JSON: counts per table, never values
  refers_to      INTEGER,                        -- the intent a done/failed closes, or an interrupted attempt
  prev_hash      TEXT NOT NULL,                  -- hex; 64 zeros before the first entry
  hash           TEXT NOT NULL                   -- hex BLAKE2b-256 over prev_hash and the entry
);
-- A job looks up its subject's interrupted attempts before it starts.
CREATE INDEX audit_entries_subject ON audit_entries(subject);
CREATE INDEX audit_entries_refers_to ON audit_entries(refers_to);
CREATE TABLE audit_heads (
  seq        INTEGER PRIMARY KEY REFERENCES audit_entries(seq),
  hash       TEXT NOT NULL,
  signed_at  TEXT NOT NULL,
  public_key TEXT NOT NULL,                      -- hex Ed25519 public key that signed
  signature  TEXT NOT NULL                       -- hex Ed25519 signature over (domain, seq, hash)
);
CREATE TABLE requests (
  id                TEXT PRIMARY KEY,
  type              TEXT NOT NULL,
  subject           TEXT NOT NULL,               -- keyed pseudonym
  regime            TEXT NOT NULL,
  received_on       TEXT NOT NULL,               -- date in the controller's time zone
  due_on            TEXT NOT NULL,               -- current due date (pauses and extension applied)
  original_due_on   TEXT NOT NULL,               -- the first due date, before pauses and extension
  confirm_by        TEXT,                        -- CCPA: confirm receipt by this date
  status            TEXT NOT NULL CHECK (status IN ('open', 'paused', 'closed')),
  paused_since      TEXT,
  paused_days       INTEGER NOT NULL DEFAULT 0,
  extended_on       TEXT,
  extension_reason  TEXT,
  note              TEXT,
  opened_at         TEXT NOT NULL,
  closed_at         TEXT,
  outcome           TEXT
);
CREATE INDEX requests_status_due ON requests(status, due_on);
CREATE TABLE request_events (
  id          INTEGER PRIMARY KEY,
  request_id  TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
  at          TEXT NOT NULL,
  event       TEXT NOT NULL,                     -- opened, paused, resumed, extended, closed
  detail      TEXT
);
CREATE INDEX request_events_request ON request_events(request_id);
CREATE TABLE consent_ledger (
  seq      INTEGER PRIMARY KEY,
  at       TEXT NOT NULL,
  subject  TEXT NOT NULL,
  purpose  TEXT NOT NULL,
  action   TEXT NOT NULL,
  source   TEXT
);
CREATE TABLE erasure_ledger (
  seq         INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,
  subject     TEXT NOT NULL,
  request_id  TEXT,
  policy_sha256 TEXT NOT NULL,
  summary     TEXT NOT NULL DEFAULT '{}'
);
)sql",
    // 1 -> 2: the consent ledger as dsr consent writes it (it was created
    // empty in version 1 and nothing wrote it, so it is rebuilt rather than
    // altered), append-only by trigger; and purge cursors, so an interrupted
    // or time-limited purge continues where it stopped.
    R"sql(
DROP TABLE consent_ledger;
CREATE TABLE consent_ledger (
  seq            INTEGER PRIMARY KEY,
  at             TEXT NOT NULL,                  -- UTC, ISO-8601 to the second
  subject        TEXT NOT NULL,                  -- keyed pseudonym (hex)
  purpose        TEXT NOT NULL,
  action         TEXT NOT NULL CHECK (action IN ('granted', 'withdrawn')),
  source         TEXT,                           -- how it was given or withdrawn: web form, email, phone …
  policy_sha256  TEXT NOT NULL,                  -- the policy (and so the purpose's wording) it was given under
  request_id     TEXT
);
CREATE INDEX consent_ledger_subject ON consent_ledger(subject, purpose, seq);
CREATE INDEX consent_ledger_purpose ON consent_ledger(purpose, subject, seq);
CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
  BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
CREATE TRIGGER consent_ledger_no_delete BEFORE DELETE ON consent_ledger
  BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
CREATE TABLE purge_cursors (
  database       TEXT NOT NULL,                  -- the database as opened (sqlite: absolute path)
  table_name     TEXT NOT NULL,
  last_key,                                      -- no type: the key keeps its own (integer, text …)
  policy_sha256  TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  PRIMARY KEY (database, table_name)
);
)sql",
    // 2 -> 3: breach incidents (dsr breach): what leaked, the counts and the
    // notice deadlines; never a value or an identity.
    R"sql(
CREATE TABLE breach_incidents (
  id                     TEXT PRIMARY KEY,       -- B-YYYY-NNNNNN, counting up per year of discovery
  discovered_at          TEXT NOT NULL,          -- UTC, ISO-8601 to the second
  recorded_at            TEXT NOT NULL,
  regime                 TEXT NOT NULL,
  policy_sha256          TEXT NOT NULL,
  scope                  TEXT NOT NULL,          -- JSON: tables, columns, window (breach/scope.h)
  assessment             TEXT NOT NULL,          -- JSON: counts, categories, recipients, risk, deadlines
  subjects               INTEGER NOT NULL,
  records                INTEGER NOT NULL,
  risk                   TEXT NOT NULL CHECK (risk IN ('high', 'normal')),
  authority_due          TEXT,                   -- NULL: no deadline in hours
  authority_notified_at  TEXT,
  authority_reference    TEXT,
  subjects_notified_at   TEXT,
  subjects_reference     TEXT,
  status                 TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  closed_at              TEXT,
  note                   TEXT
);
CREATE INDEX breach_incidents_status_due ON breach_incidents(status, authority_due);
)sql",
};

}  // namespace dsr::state
