-- Response-time targets per severity in calendar hours (DESIGN §5), and the escalations of
-- complaints that missed one. Due times are computed by the server from its clock (never
-- in SQL) when a complaint is opened or its severity changes.
CREATE TABLE complaint_targets (
    severity TEXT PRIMARY KEY CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    first_response_hours BIGINT NOT NULL CHECK (first_response_hours > 0),
    resolution_hours BIGINT NOT NULL CHECK (resolution_hours >= first_response_hours),
    updated_by BIGINT REFERENCES users (id),
    updated_at TEXT
);
INSERT INTO complaint_targets (severity, first_response_hours, resolution_hours) VALUES
    ('critical', 4, 48),
    ('high', 8, 72),
    ('medium', 24, 168),
    ('low', 72, 336);

-- One row per complaint and missed target: inserting it is what lets exactly one worker
-- escalate, once.
CREATE TABLE complaint_escalations (
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    target TEXT NOT NULL CHECK (target IN ('first_response', 'resolution')),
    due_at TEXT NOT NULL,
    escalated_at TEXT NOT NULL,
    notified BIGINT NOT NULL,
    PRIMARY KEY (complaint_id, target)
);
CREATE INDEX complaints_first_response_due ON complaints (first_response_due_at);
CREATE INDEX complaints_resolution_due ON complaints (resolution_due_at);
