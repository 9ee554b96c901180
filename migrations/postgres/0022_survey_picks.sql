-- Clients chosen by hand for a survey's audience (DESIGN §2, feedback): a wave to the
-- "chosen" group reaches their contacts, and each recurring wave the list as it is then.
CREATE TABLE survey_picks (
    survey_id BIGINT NOT NULL REFERENCES surveys (id),
    client_id BIGINT NOT NULL REFERENCES clients (id),
    added_by BIGINT REFERENCES users (id),
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (survey_id, client_id)
);
