-- SQLite's 0007 makes search_terms a clustered (WITHOUT ROWID) table. PostgreSQL tables
-- are heaps with separate indexes either way, so nothing changes here; the file keeps the
-- two migration histories numbered alike.
SELECT 1;
