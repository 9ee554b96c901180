-- Questions investors ask in the portal (about a project or in general) and the thread of
-- replies: staff answer, the investor may follow up. The investor is told of new answers by
-- e-mail and by an unread mark until they open the question again.
CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    portal_user_id BIGINT NOT NULL REFERENCES portal_users (id),
    -- The investor entity the question is asked for (it decides who answers).
    client_id BIGINT NOT NULL REFERENCES clients (id),
    project_id BIGINT REFERENCES projects (id),
    subject TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'answered')),
    last_answer_at TEXT,
    seen_by_investor_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX questions_of_user ON questions (portal_user_id, id);
CREATE INDEX questions_queue ON questions (status, created_at, id);

CREATE TABLE question_messages (
    id INTEGER PRIMARY KEY,
    question_id BIGINT NOT NULL REFERENCES questions (id),
    -- Exactly one author: a member of staff or the investor.
    staff_id BIGINT REFERENCES users (id),
    portal_user_id BIGINT REFERENCES portal_users (id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((staff_id IS NULL) <> (portal_user_id IS NULL))
);
CREATE INDEX question_messages_thread ON question_messages (question_id, id);
