-- Contacts are removed, not deleted: interactions they took part in keep their names.
-- Keep in step with migrations/sqlite/0005_contact_removal.sql (schema-parity test).
ALTER TABLE contacts ADD COLUMN removed_at TIMESTAMPTZ;
