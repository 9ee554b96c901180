-- Foundation: staff users, sessions, the append-only audit log, background jobs and
-- idempotency keys. Types follow DESIGN §3: INTEGER ids (SQLite's 64-bit rowid), BOOLEAN,
-- TEXT, and timestamps as RFC 3339 TEXT bound from the server's clock (no time defaults).
-- Keep in step with migrations/postgres/0001_foundation.sql (the schema-parity test checks).

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,            -- stored trimmed and lower-cased
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('rm', 'crm_officer', 'analyst', 'viewer', 'admin')),
    department TEXT CHECK (department IN ('marketing', 'operations', 'finance', 'management')),
    reports_to BIGINT REFERENCES users (id),
    active BOOLEAN NOT NULL,
    locale TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    password_hash TEXT NOT NULL,           -- argon2id PHC string
    failed_logins BIGINT NOT NULL,         -- wrong passwords in a row
    locked_until TEXT,                     -- sign-in refused until then
    last_sign_in_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL                -- bumped on every edit; stale edits conflict
);
CREATE INDEX users_reports_to ON users (reports_to);

-- Shape required by tower-sessions-sqlx-store (we create it here, not through its migrate()).
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    data BLOB NOT NULL,
    expiry_date INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_kind TEXT NOT NULL,              -- staff, portal, system
    actor_id BIGINT,
    action TEXT NOT NULL,                  -- e.g. user.create, auth.sign_in
    entity TEXT NOT NULL,
    entity_id BIGINT,
    before_json TEXT,
    after_json TEXT,
    ip TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,                 -- JSON
    unique_key TEXT UNIQUE,                -- e.g. kind:period, so N servers schedule once
    run_at TEXT NOT NULL,
    locked_until TEXT,                     -- a claim expires, so a crashed worker's job reruns
    locked_by TEXT,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    last_error TEXT,
    done_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE done_at IS NULL;

CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL,
    key TEXT NOT NULL,
    response TEXT NOT NULL,                -- the first result, replayed on a repeat
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
