-- Progress updates, market analyses and disclosures that staff publish to a project's
-- investors (issue 5). A correction is a new version of the same series; a published
-- version is locked (triggers below), so what an investor acknowledged never changes.
CREATE TABLE updates (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    -- The first version's id, shared by every version of one update (set in the
    -- transaction that inserts the first version).
    series_id BIGINT,
    series_version BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('progress', 'financial', 'risk_assessment',
        'market_analysis', 'covenant_report', 'joint_risk_plan')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    requires_ack BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    -- SHA-256 of kind, title and body, set when published.
    content_hash TEXT,
    author_id BIGINT NOT NULL REFERENCES users (id),
    published_by BIGINT REFERENCES users (id),
    published_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (series_id, series_version)
);
CREATE INDEX updates_feed ON updates (project_id, status, published_at, id);

CREATE TRIGGER updates_published_no_update BEFORE UPDATE ON updates
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published update is locked');
END;
CREATE TRIGGER updates_published_no_delete BEFORE DELETE ON updates
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published update is locked');
END;

-- "Read and understood": one per portal user and version, never changed or removed.
CREATE TABLE acknowledgements (
    id INTEGER PRIMARY KEY,
    update_id BIGINT NOT NULL REFERENCES updates (id),
    portal_user_id BIGINT NOT NULL REFERENCES portal_users (id),
    series_version BIGINT NOT NULL,
    content_hash TEXT NOT NULL,
    acknowledged_at TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    UNIQUE (update_id, portal_user_id)
);
CREATE INDEX acknowledgements_user ON acknowledgements (portal_user_id, update_id);
CREATE TRIGGER acknowledgements_no_update BEFORE UPDATE ON acknowledgements
BEGIN
    SELECT RAISE(ABORT, 'acknowledgements are immutable');
END;
CREATE TRIGGER acknowledgements_no_delete BEFORE DELETE ON acknowledgements
BEGIN
    SELECT RAISE(ABORT, 'acknowledgements are immutable');
END;

-- When a portal user first opened an update: unread badges and engagement.
CREATE TABLE update_reads (
    update_id BIGINT NOT NULL REFERENCES updates (id),
    portal_user_id BIGINT NOT NULL REFERENCES portal_users (id),
    first_read_at TEXT NOT NULL,
    PRIMARY KEY (portal_user_id, update_id)
);
