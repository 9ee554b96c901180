-- Satisfaction surveys (DESIGN §5): a survey and its questions, the waves it is sent in, one
-- link per contact and wave (only the token's hash is kept), and the responses with the
-- client's segment and lifecycle stage as they were when the answer was given, so later
-- changes to the client never rewrite past results.
CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    intro_zh TEXT NOT NULL,
    intro_en TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
    -- A follow-up survey is the short one sent when a complaint from a survey is resolved.
    purpose TEXT NOT NULL CHECK (purpose IN ('regular', 'follow_up')),
    -- How long a sent link can be used, and the reminders to those who have not answered.
    link_days BIGINT NOT NULL CHECK (link_days > 0),
    reminder_days BIGINT NOT NULL CHECK (reminder_days >= 0),
    max_reminders BIGINT NOT NULL CHECK (max_reminders >= 0),
    -- A recurring survey goes to the same audience again as a new wave every N months.
    recur_months BIGINT CHECK (recur_months > 0),
    -- The one anonymous open link, if the survey has one.
    open_token_hash TEXT UNIQUE,
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX surveys_list ON surveys (status, id);

-- A question that has answers never changes: an edit retires it and adds its next version
-- (`replaces_id`), so results always count answers to the words that were asked.
CREATE TABLE survey_questions (
    id INTEGER PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys (id),
    position BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('nps', 'csat', 'ces', 'rating', 'single', 'multiple',
        'text')),
    prompt_zh TEXT NOT NULL,
    prompt_en TEXT NOT NULL,
    -- The choices of a single or multiple choice question, one per line.
    choices_zh TEXT NOT NULL,
    choices_en TEXT NOT NULL,
    required BOOLEAN NOT NULL,
    replaces_id BIGINT REFERENCES survey_questions (id),
    retired_at TEXT
);
CREATE INDEX survey_questions_survey ON survey_questions (survey_id, position, id);

-- One sending of a survey to its audience (the rule is kept, so a recurring survey sends
-- the next wave to the audience as it is then).
CREATE TABLE survey_waves (
    id INTEGER PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys (id),
    number BIGINT NOT NULL,
    audience TEXT NOT NULL,
    started_by BIGINT REFERENCES users (id),
    started_at TEXT NOT NULL,
    UNIQUE (survey_id, number)
);

CREATE TABLE survey_invitations (
    id INTEGER PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys (id),
    wave_id BIGINT REFERENCES survey_waves (id),
    client_id BIGINT NOT NULL REFERENCES clients (id),
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    -- For a follow-up survey: the complaint whose resolution it asks about.
    complaint_id BIGINT REFERENCES complaints (id),
    language TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reminders BIGINT NOT NULL,
    last_sent_at TEXT NOT NULL,
    answered_at TEXT,
    UNIQUE (wave_id, contact_id)
);
CREATE INDEX survey_invitations_wave ON survey_invitations (wave_id, id);
CREATE INDEX survey_invitations_contact ON survey_invitations (contact_id, created_at);
CREATE INDEX survey_invitations_unanswered ON survey_invitations (answered_at, last_sent_at);

-- The links of an invitation: the first mail's and one per reminder, each its own token
-- (only the hash is kept, so a reminder cannot resend the first link), all opening the
-- same invitation.
CREATE TABLE survey_link_tokens (
    token_hash TEXT PRIMARY KEY,
    invitation_id BIGINT NOT NULL REFERENCES survey_invitations (id),
    created_at TEXT NOT NULL
);
CREATE INDEX survey_link_tokens_invitation ON survey_link_tokens (invitation_id);

-- Contacts who followed an unsubscribe link: no later survey is sent to them.
CREATE TABLE survey_opt_outs (
    contact_id BIGINT PRIMARY KEY REFERENCES contacts (id),
    created_at TEXT NOT NULL
);

CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys (id),
    wave_id BIGINT REFERENCES survey_waves (id),
    -- One response per link: a second submission of the same link finds this taken.
    invitation_id BIGINT UNIQUE REFERENCES survey_invitations (id),
    -- Empty for an answer through the anonymous open link.
    client_id BIGINT REFERENCES clients (id),
    contact_id BIGINT REFERENCES contacts (id),
    language TEXT NOT NULL,
    -- The client as it was when the answer was given.
    client_kind TEXT,
    risk_appetite TEXT,
    ticket_band TEXT,
    lifecycle_stage TEXT,
    submitted_at TEXT NOT NULL
);
CREATE INDEX survey_responses_survey ON survey_responses (survey_id, id);
CREATE INDEX survey_responses_client ON survey_responses (client_id, submitted_at);

CREATE TABLE survey_answers (
    response_id BIGINT NOT NULL REFERENCES survey_responses (id),
    question_id BIGINT NOT NULL REFERENCES survey_questions (id),
    -- NPS, CSAT, CES and rating answers.
    score BIGINT,
    -- Chosen choices (their positions, comma-separated) of a choice question.
    choices TEXT,
    body TEXT,
    PRIMARY KEY (response_id, question_id)
);
CREATE INDEX survey_answers_question ON survey_answers (question_id);
