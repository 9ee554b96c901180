-- Deals (an investor client's participation in a project, optionally one tranche), the
-- record of their stage moves, and the interaction timeline of clients.
-- Amounts are minor units of `currency`; probability is a whole percent (0–100).

CREATE TABLE deals (
    id INTEGER PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    project_id BIGINT NOT NULL REFERENCES projects (id),
    tranche_id BIGINT REFERENCES tranches (id),
    owner_id BIGINT NOT NULL REFERENCES users (id),
    stage TEXT NOT NULL,
    currency TEXT NOT NULL,
    indicated_amount BIGINT,
    committed_amount BIGINT,
    probability BIGINT NOT NULL,
    expected_close TEXT,
    terms TEXT,
    archived_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX deals_client ON deals (client_id, id);
CREATE INDEX deals_project ON deals (project_id, id);
CREATE INDEX deals_owner ON deals (owner_id, id);
CREATE INDEX deals_stage ON deals (stage, id);

-- Every change of a deal's stage: from, to, who, when, why, and the request that made it.
CREATE TABLE deal_moves (
    id INTEGER PRIMARY KEY,
    deal_id BIGINT NOT NULL REFERENCES deals (id),
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    moved_by BIGINT REFERENCES users (id),
    moved_at TEXT NOT NULL,
    reason TEXT,
    request_id TEXT
);
CREATE INDEX deal_moves_deal ON deal_moves (deal_id, id);

-- Meetings, calls, e-mails, notes, site visits and events with a client.
CREATE TABLE interactions (
    id INTEGER PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    project_id BIGINT REFERENCES projects (id),
    kind TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    summary TEXT NOT NULL,
    logged_by BIGINT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX interactions_client ON interactions (client_id, occurred_at, id);
CREATE INDEX interactions_project ON interactions (project_id, occurred_at, id);

CREATE TABLE interaction_contacts (
    interaction_id BIGINT NOT NULL REFERENCES interactions (id),
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    PRIMARY KEY (interaction_id, contact_id)
);

CREATE TABLE interaction_staff (
    interaction_id BIGINT NOT NULL REFERENCES interactions (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (interaction_id, user_id)
);
