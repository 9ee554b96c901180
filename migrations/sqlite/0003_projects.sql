-- Financing projects (sponsored by a borrower client) and their tranches.
-- Returns and pricing are integer basis points; sizes are minor units of `currency`.

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    latin_name TEXT,
    sort_name TEXT NOT NULL,
    sponsor_id BIGINT NOT NULL REFERENCES clients (id),
    owner_id BIGINT NOT NULL REFERENCES users (id),
    sector TEXT NOT NULL,
    country TEXT NOT NULL,
    total_size BIGINT NOT NULL,
    currency TEXT NOT NULL,
    stage TEXT NOT NULL,
    risk_rating TEXT NOT NULL,
    expected_return_bps BIGINT,
    tenor_months BIGINT,
    esg_category TEXT NOT NULL,
    showcase BOOLEAN NOT NULL,
    description TEXT,
    archived_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX projects_sort ON projects (sort_name, id);
CREATE INDEX projects_sponsor ON projects (sponsor_id);
CREATE INDEX projects_owner ON projects (owner_id);

CREATE TABLE tranches (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    name TEXT NOT NULL,
    instrument TEXT NOT NULL,
    size BIGINT NOT NULL,
    currency TEXT NOT NULL,
    pricing_bps BIGINT,
    tenor_months BIGINT,
    risk_band TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX tranches_project ON tranches (project_id, id);
