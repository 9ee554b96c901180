-- What an investor chooses in their portal profile (issue 5): which e-mails they want (new
-- updates of their projects, answers to their questions; both on unless turned off), and
-- their requests to change what the firm records about an entity they act for, which go
-- to the relationship manager instead of changing the record.
ALTER TABLE portal_users ADD COLUMN notify_updates BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE portal_users ADD COLUMN notify_answers BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE profile_change_requests (
    id INTEGER PRIMARY KEY,
    portal_user_id BIGINT NOT NULL REFERENCES portal_users (id),
    client_id BIGINT NOT NULL REFERENCES clients (id),
    field TEXT NOT NULL CHECK (field IN ('risk_appetite', 'ticket_size')),
    -- What the record said when the request was made, and what the investor asks for.
    current_value TEXT NOT NULL,
    requested_value TEXT NOT NULL,
    note TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'handled')),
    created_at TEXT NOT NULL,
    handled_by BIGINT REFERENCES users (id),
    handled_at TEXT
);
CREATE INDEX profile_change_requests_client ON profile_change_requests (client_id, status, id);
CREATE INDEX profile_change_requests_user ON profile_change_requests (portal_user_id, id);
