-- Complaints in the shape of DESIGN §5 (issue 5 raises them from the portal and lets staff
-- respond; issue 6 adds response-time targets, escalation and the survey loop). Due times
-- stay empty until targets exist.
CREATE TABLE complaints (
    id INTEGER PRIMARY KEY,
    -- Empty only for an anonymous survey response (issue 6).
    client_id BIGINT REFERENCES clients (id),
    contact_id BIGINT REFERENCES contacts (id),
    portal_user_id BIGINT REFERENCES portal_users (id),
    project_id BIGINT REFERENCES projects (id),
    source TEXT NOT NULL CHECK (source IN ('portal', 'survey', 'phone', 'email', 'meeting',
        'survey_follow_up')),
    category TEXT NOT NULL CHECK (category IN ('service', 'information', 'reporting',
        'payment', 'documents', 'other')),
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status TEXT NOT NULL CHECK (status IN ('new', 'acknowledged', 'in_progress', 'resolved',
        'closed', 'reopened')),
    description TEXT NOT NULL,
    assignee_id BIGINT REFERENCES users (id),
    first_response_due_at TEXT,
    resolution_due_at TEXT,
    first_response_at TEXT,
    resolved_at TEXT,
    escalated_at TEXT,
    -- The survey response that opened it (issue 6 adds the reference when surveys exist).
    survey_response_id BIGINT,
    -- The member of staff who logged a complaint taken by phone, e-mail or in a meeting.
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX complaints_queue ON complaints (status, id);
CREATE INDEX complaints_client ON complaints (client_id, id);
CREATE INDEX complaints_portal_user ON complaints (portal_user_id, id);

-- The timeline: responses to the client, internal notes, status changes.
CREATE TABLE complaint_events (
    id INTEGER PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    kind TEXT NOT NULL CHECK (kind IN ('raised', 'response', 'note', 'status')),
    -- Whether the client sees it: responses and status changes yes, notes never.
    visible_to_client BOOLEAN NOT NULL,
    body TEXT,
    from_status TEXT,
    to_status TEXT,
    staff_id BIGINT REFERENCES users (id),
    portal_user_id BIGINT REFERENCES portal_users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX complaint_events_complaint ON complaint_events (complaint_id, id);
