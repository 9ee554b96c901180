-- Contacts are removed, not deleted: interactions they took part in keep their names.
ALTER TABLE contacts ADD COLUMN removed_at TEXT;
