-- PostgreSQL's 0023 adds a covering index for looking up matching clients by id (stage and
-- name). SQLite needs none: its clients table is itself ordered by id (INTEGER PRIMARY KEY),
-- so each lookup already reads one row of one b-tree. Kept so both engines number their
-- migrations alike.
SELECT 1;
