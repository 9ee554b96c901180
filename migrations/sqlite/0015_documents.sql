-- Documents staff share with a project's investors (issue 5). The bytes live in the
-- database in chunks of about 1 MiB (DESIGN §4), written one statement at a time while the
-- upload streams in; a document is seen by no one until its last chunk is stored and it
-- is marked ready.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    chunk_count BIGINT NOT NULL,
    -- SHA-256 of the bytes, set when the upload is complete.
    sha256 TEXT,
    -- internal: staff only; project: every investor of the project; investor: the
    -- investor client `client_id` only (and only while it takes part in the project).
    visibility TEXT NOT NULL CHECK (visibility IN ('internal', 'project', 'investor')),
    client_id BIGINT REFERENCES clients (id),
    status TEXT NOT NULL CHECK (status IN ('uploading', 'ready')),
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    uploaded_at TEXT NOT NULL,
    CHECK ((visibility = 'investor') = (client_id IS NOT NULL))
);
CREATE INDEX documents_project ON documents (project_id, status, id);
CREATE INDEX documents_uploading ON documents (status, uploaded_at);

CREATE TABLE document_chunks (
    document_id BIGINT NOT NULL REFERENCES documents (id),
    seq BIGINT NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (document_id, seq)
);

-- Every time an investor opened (view) or saved (download) a document: engagement.
CREATE TABLE document_views (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents (id),
    portal_user_id BIGINT NOT NULL REFERENCES portal_users (id),
    kind TEXT NOT NULL CHECK (kind IN ('view', 'download')),
    viewed_at TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX document_views_document ON document_views (document_id, kind);
CREATE INDEX document_views_user ON document_views (portal_user_id, viewed_at);
