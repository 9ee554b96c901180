-- Clients (investors, borrowers or both), their profiles and contacts, and the search index.
-- Dates (KYC review) are TEXT 'YYYY-MM-DD' here and DATE on PostgreSQL.

CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    display_name TEXT NOT NULL,
    latin_name TEXT,
    sort_name TEXT NOT NULL,               -- lower-cased name, compared byte-wise on both engines
    registration_id TEXT UNIQUE,           -- unified social credit code or LEI, upper-cased
    client_type TEXT NOT NULL,
    country TEXT NOT NULL,                 -- ISO 3166-1 alpha-2
    sector TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    is_investor BOOLEAN NOT NULL,
    is_borrower BOOLEAN NOT NULL,
    lifecycle_stage TEXT NOT NULL,
    strategic_rating BIGINT,
    notes TEXT,
    archived_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    CHECK (is_investor OR is_borrower)
);
CREATE INDEX clients_sort ON clients (sort_name, id);
CREATE INDEX clients_updated ON clients (updated_at, id);
CREATE INDEX clients_owner ON clients (owner_id);
CREATE INDEX clients_stage ON clients (lifecycle_stage, sort_name, id);

CREATE TABLE investor_profiles (
    client_id BIGINT PRIMARY KEY REFERENCES clients (id),
    risk_appetite TEXT NOT NULL,
    ticket_min BIGINT NOT NULL,            -- minor units of ticket_currency
    ticket_max BIGINT NOT NULL,
    ticket_currency TEXT NOT NULL,
    ticket_band TEXT NOT NULL,             -- band of ticket_max in the reporting currency
    preferred_sectors TEXT NOT NULL,       -- comma-separated codes
    preferred_regions TEXT NOT NULL,
    preferred_instruments TEXT NOT NULL,
    max_tenor_months BIGINT,
    esg_requirement TEXT NOT NULL,
    kyc_status TEXT NOT NULL,
    kyc_review_due TEXT,
    qualified_investor BOOLEAN NOT NULL
);
CREATE INDEX investor_profiles_risk ON investor_profiles (risk_appetite);
CREATE INDEX investor_profiles_band ON investor_profiles (ticket_band);

CREATE TABLE borrower_profiles (
    client_id BIGINT PRIMARY KEY REFERENCES clients (id),
    credit_rating TEXT,
    financing_need BIGINT,                 -- minor units of financing_currency
    financing_currency TEXT
);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    name TEXT NOT NULL,
    latin_name TEXT,
    title TEXT,
    email TEXT,
    phone TEXT,
    language TEXT NOT NULL,
    is_primary BOOLEAN NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX contacts_client ON contacts (client_id, id);

-- Search terms filled in Rust on every write (DESIGN §3): Latin words and prefixes, Chinese
-- characters and pairs, digits of phone numbers and ids. `source` is the record the terms
-- came from ('client' or 'contact:<id>'), so one record's terms can be replaced.
CREATE TABLE search_terms (
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    term TEXT NOT NULL,
    PRIMARY KEY (entity, term, entity_id, source)
);
CREATE INDEX search_terms_source ON search_terms (entity, entity_id, source);

-- Exchange rates kept by finance: units of the reporting currency per unit of `currency`,
-- times 1,000,000 (integers only, DESIGN §3). The newest rate on or before a date applies.
CREATE TABLE fx_rates (
    currency TEXT NOT NULL,
    as_of TEXT NOT NULL,
    rate_micros BIGINT NOT NULL,
    PRIMARY KEY (currency, as_of)
);
