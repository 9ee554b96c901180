-- When the investor who raised a complaint last opened it: staff responses after that
-- are "new" in the portal (badge and list mark).
ALTER TABLE complaints ADD COLUMN investor_seen_at TEXT;
