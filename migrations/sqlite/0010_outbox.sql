-- E-mail goes out through this outbox: a message is queued in the transaction of the change
-- that causes it, unique on its purpose and recipient (a retried request or a job that runs
-- twice queues it once), and a job sends it. A sent message keeps its envelope for the
-- record; its body, whose links may carry tokens stored elsewhere only as hashes, is cleared.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    purpose TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    attempts BIGINT NOT NULL,
    last_error TEXT,
    UNIQUE (purpose, recipient)
);
CREATE INDEX outbox_unsent ON outbox (sent_at, id);
