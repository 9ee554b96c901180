-- Column figures of the boards, kept per (stage, owner) by triggers, so the boards without
-- filters or with only an owner (everyone, "my clients", "my deals") and the figures in a
-- move's answer read a few dozen rows instead of counting and summing every live card
-- (the large demo set: 20,000 clients, 12,000 deals). Triggers, not the services, keep them
-- in step, so every write path (moves, edits, archiving, reassignment, commitments, bulk
-- loads) is covered. Filtered boards keep reading the indexes of 0008.

-- Live clients per lifecycle stage and owner.
CREATE TABLE lifecycle_counts (
    stage TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    cards BIGINT NOT NULL,
    PRIMARY KEY (stage, owner_id)
);

-- Committed capital of live clients per lifecycle stage, owner and currency (the client's
-- stage and owner, the amounts of client_commitments).
CREATE TABLE lifecycle_values (
    stage TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (stage, owner_id, currency)
);

-- Live deals per stage, owner and currency: count, sum of the counted amount (committed,
-- else indicated) and the probability-weighted sum (each deal's share rounded down, as the
-- board's own SQL sums it).
CREATE TABLE deal_totals (
    stage TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    currency TEXT NOT NULL,
    cards BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    weighted BIGINT NOT NULL,
    PRIMARY KEY (stage, owner_id, currency)
);

INSERT INTO lifecycle_counts (stage, owner_id, cards)
SELECT lifecycle_stage, owner_id, COUNT(*) FROM clients WHERE archived_at IS NULL
GROUP BY lifecycle_stage, owner_id;

INSERT INTO lifecycle_values (stage, owner_id, currency, amount)
SELECT c.lifecycle_stage, c.owner_id, cc.currency, SUM(cc.amount)
FROM client_commitments cc JOIN clients c ON c.id = cc.client_id
WHERE c.archived_at IS NULL
GROUP BY c.lifecycle_stage, c.owner_id, cc.currency;

INSERT INTO deal_totals (stage, owner_id, currency, cards, amount, weighted)
SELECT stage, owner_id, currency, COUNT(*),
    SUM(COALESCE(committed_amount, indicated_amount, 0)),
    SUM(COALESCE(committed_amount, indicated_amount, 0) * probability / 100)
FROM deals WHERE archived_at IS NULL
GROUP BY stage, owner_id, currency;

-- Clients: a live client counts in its (stage, owner); a move, a new owner or archiving
-- takes the count and the client's committed capital from the old place to the new one.
CREATE TRIGGER clients_totals_insert AFTER INSERT ON clients WHEN NEW.archived_at IS NULL
BEGIN
    INSERT INTO lifecycle_counts (stage, owner_id, cards) VALUES (NEW.lifecycle_stage, NEW.owner_id, 1)
    ON CONFLICT (stage, owner_id) DO UPDATE SET cards = cards + 1;
END;

CREATE TRIGGER clients_totals_update AFTER UPDATE OF lifecycle_stage, owner_id, archived_at ON clients
WHEN OLD.lifecycle_stage IS NOT NEW.lifecycle_stage OR OLD.owner_id IS NOT NEW.owner_id
    OR (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL)
BEGIN
    INSERT INTO lifecycle_counts (stage, owner_id, cards)
    SELECT OLD.lifecycle_stage, OLD.owner_id, -1 WHERE OLD.archived_at IS NULL
    ON CONFLICT (stage, owner_id) DO UPDATE SET cards = cards - 1;
    INSERT INTO lifecycle_counts (stage, owner_id, cards)
    SELECT NEW.lifecycle_stage, NEW.owner_id, 1 WHERE NEW.archived_at IS NULL
    ON CONFLICT (stage, owner_id) DO UPDATE SET cards = cards + 1;
    INSERT INTO lifecycle_values (stage, owner_id, currency, amount)
    SELECT OLD.lifecycle_stage, OLD.owner_id, currency, -amount FROM client_commitments
    WHERE client_id = OLD.id AND OLD.archived_at IS NULL
    ON CONFLICT (stage, owner_id, currency) DO UPDATE SET amount = amount + excluded.amount;
    INSERT INTO lifecycle_values (stage, owner_id, currency, amount)
    SELECT NEW.lifecycle_stage, NEW.owner_id, currency, amount FROM client_commitments
    WHERE client_id = NEW.id AND NEW.archived_at IS NULL
    ON CONFLICT (stage, owner_id, currency) DO UPDATE SET amount = amount + excluded.amount;
END;

CREATE TRIGGER clients_totals_delete AFTER DELETE ON clients WHEN OLD.archived_at IS NULL
BEGIN
    UPDATE lifecycle_counts SET cards = cards - 1
    WHERE stage = OLD.lifecycle_stage AND owner_id = OLD.owner_id;
END;

-- Committed capital: counted at its client's (stage, owner) while the client is live.
CREATE TRIGGER commitments_totals_insert AFTER INSERT ON client_commitments
BEGIN
    INSERT INTO lifecycle_values (stage, owner_id, currency, amount)
    SELECT lifecycle_stage, owner_id, NEW.currency, NEW.amount FROM clients
    WHERE id = NEW.client_id AND archived_at IS NULL
    ON CONFLICT (stage, owner_id, currency) DO UPDATE SET amount = amount + excluded.amount;
END;

CREATE TRIGGER commitments_totals_update AFTER UPDATE ON client_commitments
BEGIN
    INSERT INTO lifecycle_values (stage, owner_id, currency, amount)
    SELECT lifecycle_stage, owner_id, OLD.currency, -OLD.amount FROM clients
    WHERE id = OLD.client_id AND archived_at IS NULL
    ON CONFLICT (stage, owner_id, currency) DO UPDATE SET amount = amount + excluded.amount;
    INSERT INTO lifecycle_values (stage, owner_id, currency, amount)
    SELECT lifecycle_stage, owner_id, NEW.currency, NEW.amount FROM clients
    WHERE id = NEW.client_id AND archived_at IS NULL
    ON CONFLICT (stage, owner_id, currency) DO UPDATE SET amount = amount + excluded.amount;
END;

CREATE TRIGGER commitments_totals_delete AFTER DELETE ON client_commitments
BEGIN
    INSERT INTO lifecycle_values (stage, owner_id, currency, amount)
    SELECT lifecycle_stage, owner_id, OLD.currency, -OLD.amount FROM clients
    WHERE id = OLD.client_id AND archived_at IS NULL
    ON CONFLICT (stage, owner_id, currency) DO UPDATE SET amount = amount + excluded.amount;
END;

-- Deals: every live deal counts in its (stage, owner, currency); any change of what the
-- figures read takes the old contribution out and puts the new one in.
CREATE TRIGGER deals_totals_insert AFTER INSERT ON deals WHEN NEW.archived_at IS NULL
BEGIN
    INSERT INTO deal_totals (stage, owner_id, currency, cards, amount, weighted)
    VALUES (NEW.stage, NEW.owner_id, NEW.currency, 1,
        COALESCE(NEW.committed_amount, NEW.indicated_amount, 0),
        COALESCE(NEW.committed_amount, NEW.indicated_amount, 0) * NEW.probability / 100)
    ON CONFLICT (stage, owner_id, currency) DO UPDATE SET cards = cards + excluded.cards,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
END;

CREATE TRIGGER deals_totals_update
AFTER UPDATE OF stage, owner_id, currency, committed_amount, indicated_amount, probability, archived_at ON deals
BEGIN
    INSERT INTO deal_totals (stage, owner_id, currency, cards, amount, weighted)
    SELECT OLD.stage, OLD.owner_id, OLD.currency, -1,
        -COALESCE(OLD.committed_amount, OLD.indicated_amount, 0),
        -(COALESCE(OLD.committed_amount, OLD.indicated_amount, 0) * OLD.probability / 100)
    WHERE OLD.archived_at IS NULL
    ON CONFLICT (stage, owner_id, currency) DO UPDATE SET cards = cards + excluded.cards,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
    INSERT INTO deal_totals (stage, owner_id, currency, cards, amount, weighted)
    SELECT NEW.stage, NEW.owner_id, NEW.currency, 1,
        COALESCE(NEW.committed_amount, NEW.indicated_amount, 0),
        COALESCE(NEW.committed_amount, NEW.indicated_amount, 0) * NEW.probability / 100
    WHERE NEW.archived_at IS NULL
    ON CONFLICT (stage, owner_id, currency) DO UPDATE SET cards = cards + excluded.cards,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
END;

CREATE TRIGGER deals_totals_delete AFTER DELETE ON deals WHEN OLD.archived_at IS NULL
BEGIN
    UPDATE deal_totals SET cards = cards - 1,
        amount = amount - COALESCE(OLD.committed_amount, OLD.indicated_amount, 0),
        weighted = weighted - COALESCE(OLD.committed_amount, OLD.indicated_amount, 0) * OLD.probability / 100
    WHERE stage = OLD.stage AND owner_id = OLD.owner_id AND currency = OLD.currency;
END;
