-- SQLite's 0025 adds its covering index for a searched board's matching clients; PostgreSQL
-- has had one since 0023 (clients_match). Kept so both engines number their migrations alike.
SELECT 1;
