-- Investor portal access (issue 5). A portal user is a contact of an investor client who was
-- invited; they may act for several investor entities (a fund and its SPV), each link made by
-- a member of staff. The password is NULL until the first invitation is accepted.
CREATE TABLE portal_users (
    id INTEGER PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    locale TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    password_hash TEXT,
    active BOOLEAN NOT NULL,
    failed_logins BIGINT NOT NULL,
    locked_until TEXT,
    last_sign_in_at TEXT,
    invited_by BIGINT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE portal_user_clients (
    portal_user_id BIGINT NOT NULL REFERENCES portal_users (id),
    client_id BIGINT NOT NULL REFERENCES clients (id),
    added_by BIGINT NOT NULL REFERENCES users (id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (portal_user_id, client_id)
);
CREATE INDEX portal_user_clients_client ON portal_user_clients (client_id);

-- Invitation and password-reset links: 256 random bits, of which only the SHA-256 is kept;
-- each expires and is used at most once.
CREATE TABLE portal_tokens (
    id INTEGER PRIMARY KEY,
    portal_user_id BIGINT NOT NULL REFERENCES portal_users (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX portal_tokens_user ON portal_tokens (portal_user_id);
