-- Column figures of the boards, kept per (stage, owner) by triggers, so the boards without
-- filters or with only an owner (everyone, "my clients", "my deals") and the figures in a
-- move's answer read a few dozen rows instead of counting and summing every live card
-- (the large demo set: 20,000 clients, 12,000 deals). Triggers, not the services, keep them
-- in step, so every write path (moves, edits, archiving, reassignment, commitments, bulk
-- loads) is covered. Filtered boards keep reading the indexes of 0008.
--
-- Concurrency (several app servers): each trigger changes its rows in one statement, in
-- key order, so two moves that touch the same rows lock them in the same order and cannot
-- deadlock. A change of committed capital locks its client's row first, so it and a
-- concurrent move of that client are serialised: otherwise each could read the other's
-- old state and the amount would be left in the stage the client just left.

CREATE TABLE lifecycle_counts (
    stage TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    cards BIGINT NOT NULL,
    PRIMARY KEY (stage, owner_id)
);

CREATE TABLE lifecycle_values (
    stage TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (stage, owner_id, currency)
);

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
SELECT c.lifecycle_stage, c.owner_id, cc.currency, CAST(SUM(cc.amount) AS BIGINT)
FROM client_commitments cc JOIN clients c ON c.id = cc.client_id
WHERE c.archived_at IS NULL
GROUP BY c.lifecycle_stage, c.owner_id, cc.currency;

INSERT INTO deal_totals (stage, owner_id, currency, cards, amount, weighted)
SELECT stage, owner_id, currency, COUNT(*),
    CAST(SUM(COALESCE(committed_amount, indicated_amount, 0)) AS BIGINT),
    CAST(SUM(COALESCE(committed_amount, indicated_amount, 0) * probability / 100) AS BIGINT)
FROM deals WHERE archived_at IS NULL
GROUP BY stage, owner_id, currency;

-- Clients: a live client counts in its (stage, owner); a move, a new owner or archiving
-- takes the count and the client's committed capital from the old place to the new one.
CREATE FUNCTION clients_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lifecycle_counts (stage, owner_id, cards)
    SELECT stage, owner_id, SUM(cards) FROM (
        SELECT OLD.lifecycle_stage AS stage, OLD.owner_id AS owner_id, -1 AS cards
        WHERE TG_OP <> 'INSERT' AND OLD.archived_at IS NULL
        UNION ALL
        SELECT NEW.lifecycle_stage, NEW.owner_id, 1
        WHERE TG_OP <> 'DELETE' AND NEW.archived_at IS NULL
    ) change
    GROUP BY stage, owner_id ORDER BY stage, owner_id
    ON CONFLICT (stage, owner_id) DO UPDATE SET cards = lifecycle_counts.cards + excluded.cards;

    IF TG_OP = 'UPDATE' THEN
        INSERT INTO lifecycle_values (stage, owner_id, currency, amount)
        SELECT stage, owner_id, currency, SUM(amount) FROM (
            SELECT OLD.lifecycle_stage AS stage, OLD.owner_id AS owner_id, currency, -amount AS amount
            FROM client_commitments WHERE client_id = OLD.id AND OLD.archived_at IS NULL
            UNION ALL
            SELECT NEW.lifecycle_stage, NEW.owner_id, currency, amount
            FROM client_commitments WHERE client_id = NEW.id AND NEW.archived_at IS NULL
        ) change
        GROUP BY stage, owner_id, currency ORDER BY stage, owner_id, currency
        ON CONFLICT (stage, owner_id, currency)
            DO UPDATE SET amount = lifecycle_values.amount + excluded.amount;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER clients_totals_insert AFTER INSERT ON clients
    FOR EACH ROW WHEN (NEW.archived_at IS NULL) EXECUTE FUNCTION clients_totals();
CREATE TRIGGER clients_totals_update AFTER UPDATE OF lifecycle_stage, owner_id, archived_at ON clients
    FOR EACH ROW WHEN (OLD.lifecycle_stage IS DISTINCT FROM NEW.lifecycle_stage
        OR OLD.owner_id IS DISTINCT FROM NEW.owner_id
        OR (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL))
    EXECUTE FUNCTION clients_totals();
CREATE TRIGGER clients_totals_delete AFTER DELETE ON clients
    FOR EACH ROW WHEN (OLD.archived_at IS NULL) EXECUTE FUNCTION clients_totals();

-- Committed capital: counted at its client's (stage, owner) while the client is live.
CREATE FUNCTION commitments_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    client_of BIGINT := CASE WHEN TG_OP = 'DELETE' THEN OLD.client_id ELSE NEW.client_id END;
BEGIN
    -- Waits for a move of this client in flight, and holds off the next one (see above).
    PERFORM 1 FROM clients WHERE id = client_of FOR NO KEY UPDATE;
    INSERT INTO lifecycle_values (stage, owner_id, currency, amount)
    SELECT c.lifecycle_stage, c.owner_id, change.currency, SUM(change.amount) FROM (
        SELECT OLD.client_id AS client_id, OLD.currency AS currency, -OLD.amount AS amount
        WHERE TG_OP <> 'INSERT'
        UNION ALL
        SELECT NEW.client_id, NEW.currency, NEW.amount WHERE TG_OP <> 'DELETE'
    ) change JOIN clients c ON c.id = change.client_id
    WHERE c.archived_at IS NULL
    GROUP BY c.lifecycle_stage, c.owner_id, change.currency
    ORDER BY c.lifecycle_stage, c.owner_id, change.currency
    ON CONFLICT (stage, owner_id, currency)
        DO UPDATE SET amount = lifecycle_values.amount + excluded.amount;
    RETURN NULL;
END;
$$;

CREATE TRIGGER commitments_totals AFTER INSERT OR UPDATE OR DELETE ON client_commitments
    FOR EACH ROW EXECUTE FUNCTION commitments_totals();

-- Deals: every live deal counts in its (stage, owner, currency); any change of what the
-- figures read takes the old contribution out and puts the new one in.
CREATE FUNCTION deals_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deal_totals (stage, owner_id, currency, cards, amount, weighted)
    SELECT stage, owner_id, currency, SUM(cards), SUM(amount), SUM(weighted) FROM (
        SELECT OLD.stage AS stage, OLD.owner_id AS owner_id, OLD.currency AS currency, -1 AS cards,
            -COALESCE(OLD.committed_amount, OLD.indicated_amount, 0) AS amount,
            -(COALESCE(OLD.committed_amount, OLD.indicated_amount, 0) * OLD.probability / 100) AS weighted
        WHERE TG_OP <> 'INSERT' AND OLD.archived_at IS NULL
        UNION ALL
        SELECT NEW.stage, NEW.owner_id, NEW.currency, 1,
            COALESCE(NEW.committed_amount, NEW.indicated_amount, 0),
            COALESCE(NEW.committed_amount, NEW.indicated_amount, 0) * NEW.probability / 100
        WHERE TG_OP <> 'DELETE' AND NEW.archived_at IS NULL
    ) change
    GROUP BY stage, owner_id, currency ORDER BY stage, owner_id, currency
    ON CONFLICT (stage, owner_id, currency) DO UPDATE SET
        cards = deal_totals.cards + excluded.cards,
        amount = deal_totals.amount + excluded.amount,
        weighted = deal_totals.weighted + excluded.weighted;
    RETURN NULL;
END;
$$;

CREATE TRIGGER deals_totals_insert AFTER INSERT ON deals
    FOR EACH ROW WHEN (NEW.archived_at IS NULL) EXECUTE FUNCTION deals_totals();
CREATE TRIGGER deals_totals_update
    AFTER UPDATE OF stage, owner_id, currency, committed_amount, indicated_amount, probability, archived_at ON deals
    FOR EACH ROW EXECUTE FUNCTION deals_totals();
CREATE TRIGGER deals_totals_delete AFTER DELETE ON deals
    FOR EACH ROW WHEN (OLD.archived_at IS NULL) EXECUTE FUNCTION deals_totals();
