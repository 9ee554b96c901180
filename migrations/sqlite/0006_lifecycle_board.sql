-- The lifecycle board and the decline early warning.

-- Every change of a client's lifecycle stage: from, to, who, when, why, and the request.
CREATE TABLE lifecycle_moves (
    id INTEGER PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    moved_by BIGINT REFERENCES users (id),
    moved_at TEXT NOT NULL,
    reason TEXT,
    request_id TEXT
);
CREATE INDEX lifecycle_moves_client ON lifecycle_moves (client_id, id);

-- What a card shows without reading deals and interactions: the committed capital of the
-- client's committed and closed deals per currency, and the time of the last interaction.
-- Both are kept in step by the writes that change them.
CREATE TABLE client_commitments (
    client_id BIGINT NOT NULL REFERENCES clients (id),
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (client_id, currency)
);
ALTER TABLE clients ADD COLUMN last_interaction_at TEXT;

-- The decline signal: a severity (0 = none) and the reasons, as codes with their numbers
-- (JSON), refreshed by a job and by the writes that change it.
ALTER TABLE clients ADD COLUMN risk_severity BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN risk_reasons TEXT;
ALTER TABLE clients ADD COLUMN risk_refreshed_at TEXT;
CREATE INDEX clients_at_risk ON clients (risk_severity, id);

-- Deal board columns page by stage, newest change first.
CREATE INDEX deals_board ON deals (stage, updated_at, id);
