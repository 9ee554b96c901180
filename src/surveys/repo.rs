//! SQL of surveys: the builder's writes, waves and their links, the answer page's reads and
//! the recording of a response. Bind parameters only; both engines.
use super::model::{Answer, Audience, AudienceGroup, ValidQuestion, ValidSurvey};
use crate::server::db::{Db, Tx};
use crate::{with_db, with_tx};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

#[derive(Clone, Debug, FromRow)]
pub struct SurveyRecord {
    pub id: i64,
    pub title_zh: String,
    pub title_en: String,
    pub intro_zh: String,
    pub intro_en: String,
    pub status: String,
    pub purpose: String,
    pub link_days: i64,
    pub reminder_days: i64,
    pub max_reminders: i64,
    pub recur_months: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// Whether an anonymous open link is on (only its hash is kept).
    pub has_open_link: bool,
}

const SURVEY: &str = "SELECT id, title_zh, title_en, intro_zh, intro_en, status, purpose,
        link_days, reminder_days, max_reminders, recur_months, updated_at, version,
        open_token_hash IS NOT NULL AS has_open_link
    FROM surveys";

pub async fn insert_survey(
    tx: &mut Tx,
    s: &ValidSurvey,
    purpose: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO surveys (title_zh, title_en, intro_zh, intro_en, status, purpose,
                              link_days, reminder_days, max_reminders, recur_months,
                              created_by, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $11, 1)
         RETURNING id",
    )
    .bind(&s.title_zh)
    .bind(&s.title_en)
    .bind(&s.intro_zh)
    .bind(&s.intro_en)
    .bind(purpose)
    .bind(s.link_days)
    .bind(s.reminder_days)
    .bind(s.max_reminders)
    .bind(s.recur_months)
    .bind(by)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// Saves the settings if the survey is still at `version`; false if someone changed it.
pub async fn update_survey(
    tx: &mut Tx,
    id: i64,
    version: i64,
    s: &ValidSurvey,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = with_tx!(tx, c => sqlx::query(
        "UPDATE surveys SET title_zh = $1, title_en = $2, intro_zh = $3, intro_en = $4,
                link_days = $5, reminder_days = $6, max_reminders = $7, recur_months = $8,
                updated_at = $9, version = version + 1
         WHERE id = $10 AND version = $11",
    )
    .bind(&s.title_zh)
    .bind(&s.title_en)
    .bind(&s.intro_zh)
    .bind(&s.intro_en)
    .bind(s.link_days)
    .bind(s.reminder_days)
    .bind(s.max_reminders)
    .bind(s.recur_months)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Moves the survey to `status` if it is in `from`; false otherwise.
pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    from: &str,
    status: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = with_tx!(tx, c => sqlx::query(
        "UPDATE surveys SET status = $1, updated_at = $2, version = version + 1
         WHERE id = $3 AND status = $4",
    )
    .bind(status)
    .bind(now)
    .bind(id)
    .bind(from)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

pub async fn find(db: &Db, id: i64) -> Result<Option<SurveyRecord>, sqlx::Error> {
    let sql = format!("{SURVEY} WHERE id = $1");
    with_db!(db, c => sqlx::query_as::<_, SurveyRecord>(&sql).bind(id).fetch_optional(c).await)
}

/// A page of surveys, newest first, after id `before`.
pub async fn list(
    db: &Db,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<(SurveyRecord, i64, i64)>, sqlx::Error> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        survey: SurveyRecord,
        questions: i64,
        responses: i64,
    }
    let sql = "SELECT s.id, s.title_zh, s.title_en, s.intro_zh, s.intro_en, s.status, s.purpose,
            s.link_days, s.reminder_days, s.max_reminders, s.recur_months, s.updated_at, s.version,
            s.open_token_hash IS NOT NULL AS has_open_link,
            (SELECT COUNT(*) FROM survey_questions q
              WHERE q.survey_id = s.id AND q.retired_at IS NULL) AS questions,
            (SELECT COUNT(*) FROM survey_responses r WHERE r.survey_id = s.id) AS responses
        FROM surveys s WHERE ($1 IS NULL OR s.id < $1) ORDER BY s.id DESC LIMIT $2";
    let rows = with_db!(db, c => sqlx::query_as::<_, Row>(sql)
        .bind(before)
        .bind(limit)
        .fetch_all(c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.survey, r.questions, r.responses))
        .collect())
}

#[derive(Clone, Debug, FromRow)]
pub struct QuestionRecord {
    pub id: i64,
    pub position: i64,
    pub kind: String,
    pub prompt_zh: String,
    pub prompt_en: String,
    pub choices_zh: String,
    pub choices_en: String,
    pub required: bool,
    pub answers: i64,
}

/// The survey's current questions in order, with how many answers each has.
pub async fn questions(db: &Db, survey: i64) -> Result<Vec<QuestionRecord>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, QuestionRecord>(
        "SELECT q.id, q.position, q.kind, q.prompt_zh, q.prompt_en, q.choices_zh, q.choices_en,
                q.required,
                (SELECT COUNT(*) FROM survey_answers a WHERE a.question_id = q.id) AS answers
         FROM survey_questions q
         WHERE q.survey_id = $1 AND q.retired_at IS NULL
         ORDER BY q.position, q.id",
    )
    .bind(survey)
    .fetch_all(c)
    .await)
}

/// The survey's current questions in order, as a respondent gets them: without the answer
/// counts of `questions`, which every submission would otherwise pay for (they grow with
/// the answers).
pub async fn asked_questions(db: &Db, survey: i64) -> Result<Vec<QuestionRecord>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, QuestionRecord>(
        "SELECT q.id, q.position, q.kind, q.prompt_zh, q.prompt_en, q.choices_zh, q.choices_en,
                q.required, CAST(0 AS BIGINT) AS answers
         FROM survey_questions q
         WHERE q.survey_id = $1 AND q.retired_at IS NULL
         ORDER BY q.position, q.id",
    )
    .bind(survey)
    .fetch_all(c)
    .await)
}

pub async fn insert_question(
    tx: &mut Tx,
    survey: i64,
    q: &ValidQuestion,
    position: Option<i64>,
    replaces: Option<i64>,
) -> Result<i64, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO survey_questions (survey_id, position, kind, prompt_zh, prompt_en,
                                       choices_zh, choices_en, required, replaces_id)
         VALUES ($1, COALESCE($2, (SELECT COALESCE(MAX(position), 0) + 1
                                     FROM survey_questions WHERE survey_id = $1)),
                 $3, $4, $5, $6, $7, $8, $9)
         RETURNING id",
    )
    .bind(survey)
    .bind(position)
    .bind(q.kind.as_str())
    .bind(&q.prompt_zh)
    .bind(&q.prompt_en)
    .bind(q.choices_zh.join("\n"))
    .bind(q.choices_en.join("\n"))
    .bind(q.required)
    .bind(replaces)
    .fetch_one(c)
    .await)
}

/// Rewrites a question that has no answers yet.
pub async fn rewrite_question(tx: &mut Tx, id: i64, q: &ValidQuestion) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE survey_questions SET kind = $1, prompt_zh = $2, prompt_en = $3, choices_zh = $4,
                choices_en = $5, required = $6
         WHERE id = $7",
    )
    .bind(q.kind.as_str())
    .bind(&q.prompt_zh)
    .bind(&q.prompt_en)
    .bind(q.choices_zh.join("\n"))
    .bind(q.choices_en.join("\n"))
    .bind(q.required)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Takes a question out of the survey; its answers stay, counted under the words asked.
pub async fn retire_question(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query("UPDATE survey_questions SET retired_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))
}

pub async fn set_position(tx: &mut Tx, id: i64, position: i64) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query("UPDATE survey_questions SET position = $1 WHERE id = $2")
        .bind(position)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))
}

/// Marks the survey changed (its version moves on), for changes to its questions.
pub async fn touch(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE surveys SET updated_at = $1, version = version + 1 WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// The next wave of a survey; the unique (survey, number) makes two starts at once fail
/// instead of sending twice.
pub async fn insert_wave(
    tx: &mut Tx,
    survey: i64,
    audience: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(i64, i64), sqlx::Error> {
    with_tx!(tx, c => sqlx::query_as::<_, (i64, i64)>(
        "INSERT INTO survey_waves (survey_id, number, audience, started_by, started_at)
         VALUES ($1, (SELECT COALESCE(MAX(number), 0) + 1 FROM survey_waves WHERE survey_id = $1),
                 $2, $3, $4)
         RETURNING id, number",
    )
    .bind(survey)
    .bind(audience)
    .bind(by)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// A contact a wave can be sent to.
#[derive(Clone, Debug, FromRow)]
pub struct Recipient {
    pub client_id: i64,
    pub contact_id: i64,
    pub name: String,
    pub email: String,
    pub language: String,
}

/// The contacts in `audience` that can be surveyed now: with an address, not removed, not
/// unsubscribed, and not sent any survey since `not_since` (the cap on how often one
/// contact is asked). `capped` counts those the cap held back.
pub async fn recipients(
    db: &Db,
    survey: i64,
    audience: &Audience,
    not_since: DateTime<Utc>,
) -> Result<(Vec<Recipient>, i64), sqlx::Error> {
    // A project audience is the investors with a live deal in it; a chosen one, the clients
    // on the survey's hand-chosen list, whatever their kind.
    let group = match audience.group {
        Some(AudienceGroup::Borrowers) => "c.is_borrower",
        Some(AudienceGroup::Chosen) => "(c.is_investor OR c.is_borrower)",
        _ => "c.is_investor",
    };
    let sql = format!(
        "SELECT c.id AS client_id, k.id AS contact_id, k.name, k.email, k.language,
                EXISTS (SELECT 1 FROM survey_invitations i
                         WHERE i.contact_id = k.id AND i.created_at >= $5) AS capped
         FROM contacts k
         JOIN clients c ON c.id = k.client_id
         LEFT JOIN investor_profiles ip ON ip.client_id = c.id
         WHERE {group}
           AND ($1 IS NULL OR EXISTS (SELECT 1 FROM deals d WHERE d.client_id = c.id
                                       AND d.project_id = $1 AND d.stage <> 'declined'))
           AND ($2 IS NULL OR ip.risk_appetite = $2)
           AND ($3 IS NULL OR ip.ticket_band = $3)
           AND ($4 IS NULL OR c.lifecycle_stage = $4)
           AND (NOT $7 OR c.id IN (SELECT p.client_id FROM survey_picks p
                                    WHERE p.survey_id = $6))
           AND c.archived_at IS NULL
           AND k.removed_at IS NULL AND k.email IS NOT NULL AND k.email <> ''
           AND NOT EXISTS (SELECT 1 FROM survey_opt_outs o WHERE o.contact_id = k.id)
         ORDER BY c.id, k.id"
    );
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        recipient: Recipient,
        capped: bool,
    }
    let rows = with_db!(db, c => sqlx::query_as::<_, Row>(&sql)
        .bind(audience.project.filter(|_| audience.group == Some(AudienceGroup::Project)))
        .bind(audience.risk_appetite.map(|r| r.as_str()))
        .bind(audience.band.map(|b| b.as_str()))
        .bind(audience.stage.map(|s| s.as_str()))
        .bind(not_since)
        .bind(survey)
        .bind(audience.group == Some(AudienceGroup::Chosen))
        .fetch_all(c)
        .await)?;
    let capped = rows.iter().filter(|r| r.capped).count() as i64;
    Ok((
        rows.into_iter()
            .filter(|r| !r.capped)
            .map(|r| r.recipient)
            .collect(),
        capped,
    ))
}

pub struct NewInvitation<'a> {
    // (the link's token is added with `add_token`)
    pub survey: i64,
    pub wave: Option<i64>,
    pub client: i64,
    pub contact: i64,
    pub complaint: Option<i64>,
    pub language: &'a str,
    pub expires_at: DateTime<Utc>,
}

/// A contact's link in a wave; `None` if they already have one in it.
pub async fn insert_invitation(
    tx: &mut Tx,
    i: &NewInvitation<'_>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO survey_invitations (survey_id, wave_id, client_id, contact_id, complaint_id,
                                         language, expires_at, created_at, reminders,
                                         last_sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $8)
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(i.survey)
    .bind(i.wave)
    .bind(i.client)
    .bind(i.contact)
    .bind(i.complaint)
    .bind(i.language)
    .bind(i.expires_at)
    .bind(now)
    .fetch_optional(c)
    .await)
}

/// A token (its hash) that opens invitation `invitation`.
pub async fn add_token(
    tx: &mut Tx,
    invitation: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO survey_link_tokens (token_hash, invitation_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(hash)
    .bind(invitation)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

#[derive(Clone, Debug, FromRow)]
pub struct WaveRecord {
    pub id: i64,
    pub number: i64,
    pub started_at: DateTime<Utc>,
    pub invited: i64,
    pub sent: i64,
    pub failed: i64,
    pub answered: i64,
}

/// The survey's waves with how their mails went: sent, failed so far (the job retries),
/// and the links answered. The outbox row of a link is `survey.invite:<link id>`.
pub async fn waves(db: &Db, survey: i64) -> Result<Vec<WaveRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT w.id, w.number, w.started_at,
            (SELECT COUNT(*) FROM survey_invitations i WHERE i.wave_id = w.id) AS invited,
            (SELECT COUNT(*) FROM survey_invitations i JOIN outbox o ON o.purpose = {purpose}
              WHERE i.wave_id = w.id AND o.sent_at IS NOT NULL) AS sent,
            (SELECT COUNT(*) FROM survey_invitations i JOIN outbox o ON o.purpose = {purpose}
              WHERE i.wave_id = w.id AND o.sent_at IS NULL AND o.last_error IS NOT NULL) AS failed,
            (SELECT COUNT(*) FROM survey_invitations i
              WHERE i.wave_id = w.id AND i.answered_at IS NOT NULL) AS answered
         FROM survey_waves w WHERE w.survey_id = $1 ORDER BY w.number DESC",
        purpose = INVITE_PURPOSE_SQL
    );
    with_db!(db, c => sqlx::query_as::<_, WaveRecord>(&sql).bind(survey).fetch_all(c).await)
}

/// The outbox purpose of link `i`'s first mail, in SQL (both engines concatenate with ||).
const INVITE_PURPOSE_SQL: &str = "'survey.invite:' || CAST(i.id AS TEXT)";

/// The purpose of link `id`'s first mail and of its reminders.
pub fn invite_purpose(id: i64) -> String {
    format!("survey.invite:{id}")
}

pub fn reminder_purpose(id: i64, number: i64) -> String {
    format!("survey.reminder:{id}:{number}")
}

/// A link as the answer page needs it.
#[derive(Clone, Debug, FromRow)]
pub struct LinkRecord {
    pub invitation_id: Option<i64>,
    pub survey_id: i64,
    pub wave_id: Option<i64>,
    pub client_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub complaint_id: Option<i64>,
    pub language: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub status: String,
    /// The client's owner, if active: who a complaint from a poor answer is assigned to.
    pub owner_id: Option<i64>,
    /// Whether the client's decline signal has a survey reason now (an answer may clear it).
    pub survey_reason: bool,
}

/// A link and one of its survey's current questions (none when the survey has none).
#[derive(FromRow)]
struct LinkQuestionRow {
    #[sqlx(flatten)]
    link: LinkRecord,
    question_id: Option<i64>,
    position: Option<i64>,
    kind: Option<String>,
    prompt_zh: Option<String>,
    prompt_en: Option<String>,
    choices_zh: Option<String>,
    choices_en: Option<String>,
    required: Option<bool>,
}

impl LinkQuestionRow {
    fn question(self) -> Option<QuestionRecord> {
        Some(QuestionRecord {
            id: self.question_id?,
            position: self.position?,
            kind: self.kind?,
            prompt_zh: self.prompt_zh?,
            prompt_en: self.prompt_en?,
            choices_zh: self.choices_zh?,
            choices_en: self.choices_en?,
            required: self.required?,
            answers: 0,
        })
    }
}

/// The link with token hash `hash` (a contact's link, or a survey's anonymous open link)
/// and its survey's current questions in order, in one read: a submission's reads are most
/// of its cost, and the questions are needed whenever the link is.
pub async fn link(
    db: &Db,
    hash: &str,
) -> Result<Option<(LinkRecord, Vec<QuestionRecord>)>, sqlx::Error> {
    let rows = with_db!(db, c => sqlx::query_as::<_, LinkQuestionRow>(
        "WITH found AS (
            SELECT i.id AS invitation_id, i.survey_id, i.wave_id, i.client_id, i.contact_id,
                   i.complaint_id, i.language, i.expires_at, i.answered_at, s.status,
                   CASE WHEN u.active THEN u.id END AS owner_id,
                   COALESCE(cl.risk_reasons LIKE '%signal.survey_%', FALSE) AS survey_reason
            FROM survey_link_tokens t
            JOIN survey_invitations i ON i.id = t.invitation_id
            JOIN surveys s ON s.id = i.survey_id
            LEFT JOIN clients cl ON cl.id = i.client_id
            LEFT JOIN users u ON u.id = cl.owner_id
            WHERE t.token_hash = $1
            UNION ALL
            SELECT CAST(NULL AS BIGINT), id, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
                   CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS TEXT),
                   CAST(NULL AS TIMESTAMPTZ), CAST(NULL AS TIMESTAMPTZ), status,
                   CAST(NULL AS BIGINT), FALSE
            FROM surveys WHERE open_token_hash = $1
         )
         SELECT f.*, q.id AS question_id, q.position, q.kind, q.prompt_zh, q.prompt_en,
                q.choices_zh, q.choices_en, q.required
         FROM found f
         LEFT JOIN survey_questions q ON q.survey_id = f.survey_id AND q.retired_at IS NULL
         ORDER BY q.position, q.id",
    )
    .bind(hash)
    .fetch_all(c)
    .await)?;
    let Some(link) = rows.first().map(|r| r.link.clone()) else {
        return Ok(None);
    };
    let questions = rows
        .into_iter()
        .filter_map(LinkQuestionRow::question)
        .collect();
    Ok(Some((link, questions)))
}

pub async fn set_open_link(
    tx: &mut Tx,
    survey: i64,
    hash: Option<&str>,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query("UPDATE surveys SET open_token_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(survey)
        .execute(c)
        .await
        .map(|_| ()))
}

/// The kind of client `c` (joined as `c`) as a response records it.
macro_rules! client_kind_as_recorded {
    () => {
        "CASE WHEN c.is_investor AND c.is_borrower THEN 'both'
              WHEN c.is_investor THEN 'investor'
              WHEN c.is_borrower THEN 'borrower' END"
    };
}
pub(super) use client_kind_as_recorded;

/// The response a link gave.
pub struct NewResponse<'a> {
    pub survey: i64,
    pub wave: Option<i64>,
    pub invitation: Option<i64>,
    pub client: Option<i64>,
    pub contact: Option<i64>,
    pub language: &'a str,
}

/// Records a response with the client's segment and stage as they are now; `None` if the
/// link has already been answered (its response exists), which records nothing.
pub async fn insert_response(
    tx: &mut Tx,
    r: &NewResponse<'_>,
    answers: &[Answer],
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    let id: Option<i64> = with_tx!(tx, c => sqlx::query_scalar(concat!(
        "INSERT INTO survey_responses (survey_id, wave_id, invitation_id, client_id, contact_id,
                                       language, client_kind, risk_appetite, ticket_band,
                                       lifecycle_stage, submitted_at)
         SELECT $1, $2, $3, $4, $5, $6, ",
        client_kind_as_recorded!(),
        ", ip.risk_appetite, ip.ticket_band, c.lifecycle_stage, $7
         FROM (SELECT 1 AS one) AS x
         LEFT JOIN clients c ON c.id = $4
         LEFT JOIN investor_profiles ip ON ip.client_id = c.id
         -- SQLite reads ON CONFLICT after a join's ON without a WHERE in between.
         WHERE 1 = 1
         ON CONFLICT DO NOTHING RETURNING id",
    ))
    .bind(r.survey)
    .bind(r.wave)
    .bind(r.invitation)
    .bind(r.client)
    .bind(r.contact)
    .bind(r.language)
    .bind(now)
    .fetch_optional(c)
    .await)?;
    let Some(id) = id else {
        return Ok(None);
    };
    insert_answers(tx, id, answers).await?;
    if let Some(invitation) = r.invitation {
        with_tx!(tx, c => sqlx::query(
            "UPDATE survey_invitations SET answered_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(invitation)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(Some(id))
}

/// The answers of response `response`, in one statement (a submission's write time is
/// what limits how many a second one database takes).
async fn insert_answers(tx: &mut Tx, response: i64, answers: &[Answer]) -> Result<(), sqlx::Error> {
    if answers.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..answers.len())
        .map(|i| {
            let n = i * 4 + 2;
            format!("($1, ${n}, ${}, ${}, ${})", n + 1, n + 2, n + 3)
        })
        .collect();
    let sql = format!(
        "INSERT INTO survey_answers (response_id, question_id, score, choices, body) VALUES {}",
        rows.join(", ")
    );
    let choices: Vec<Option<String>> = answers
        .iter()
        .map(|a| {
            (!a.choices.is_empty()).then(|| {
                a.choices
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            })
        })
        .collect();
    with_tx!(tx, c => {
        let mut q = sqlx::query(&sql).bind(response);
        for (a, chosen) in answers.iter().zip(&choices) {
            q = q
                .bind(a.question_id)
                .bind(a.score)
                .bind(chosen.as_deref())
                .bind(a.body.as_deref());
        }
        q.execute(c).await.map(|_| ())
    })
}

/// The contact unsubscribes from surveys; true the first time.
pub async fn opt_out(tx: &mut Tx, contact: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = with_tx!(tx, c => sqlx::query(
        "INSERT INTO survey_opt_outs (contact_id, created_at) VALUES ($1, $2)
         ON CONFLICT DO NOTHING",
    )
    .bind(contact)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// One answer of a survey's responses, for results.
#[derive(Clone, Debug, FromRow)]
pub struct AnswerRecord {
    pub response_id: i64,
    pub wave_id: Option<i64>,
    pub question_id: i64,
    pub score: Option<i64>,
    pub choices: Option<String>,
    pub body: Option<String>,
    pub risk_appetite: Option<String>,
    pub lifecycle_stage: Option<String>,
    pub submitted_at: DateTime<Utc>,
}

/// Every answer of the survey (of wave `wave` if given), oldest first.
pub async fn answers(
    db: &Db,
    survey: i64,
    wave: Option<i64>,
) -> Result<Vec<AnswerRecord>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, AnswerRecord>(
        "SELECT r.id AS response_id, r.wave_id, a.question_id, a.score, a.choices, a.body,
                r.risk_appetite, r.lifecycle_stage, r.submitted_at
         FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id
         WHERE r.survey_id = $1 AND ($2 IS NULL OR r.wave_id = $2)
         ORDER BY r.id, a.question_id",
    )
    .bind(survey)
    .bind(wave)
    .fetch_all(c)
    .await)
}

/// Responses and links of the survey (of one wave if given): (responses, links sent).
pub async fn response_counts(
    db: &Db,
    survey: i64,
    wave: Option<i64>,
) -> Result<(i64, i64), sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, (i64, i64)>(
        "SELECT (SELECT COUNT(*) FROM survey_responses r
                  WHERE r.survey_id = $1 AND ($2 IS NULL OR r.wave_id = $2)),
                (SELECT COUNT(*) FROM survey_invitations i
                  WHERE i.survey_id = $1 AND ($2 IS NULL OR i.wave_id = $2))",
    )
    .bind(survey)
    .bind(wave)
    .fetch_one(c)
    .await)
}

/// Projects a wave can go to the investors of (not archived), by name.
pub async fn audience_projects(db: &Db) -> Result<Vec<(i64, String)>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM projects WHERE archived_at IS NULL ORDER BY sort_name, id LIMIT 500",
    )
    .fetch_all(c)
    .await)
}

/// An unanswered link that may be due a reminder.
#[derive(Clone, Debug, FromRow)]
pub struct ReminderCandidate {
    pub id: i64,
    pub survey_id: i64,
    pub reminders: i64,
    pub reminder_days: i64,
    pub last_sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub language: String,
    pub name: String,
    pub email: String,
    pub title_zh: String,
    pub title_en: String,
}

/// Unanswered, unexpired links of open surveys with reminders left, to contacts still
/// reachable; oldest mail first. Whether each is due is decided by the caller.
pub async fn reminder_candidates(
    db: &Db,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<ReminderCandidate>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, ReminderCandidate>(
        "SELECT i.id, i.survey_id, i.reminders, s.reminder_days, i.last_sent_at, i.expires_at,
                i.language, k.name, k.email, s.title_zh, s.title_en
         FROM survey_invitations i
         JOIN surveys s ON s.id = i.survey_id
         JOIN contacts k ON k.id = i.contact_id
         WHERE i.answered_at IS NULL AND s.status = 'open' AND s.reminder_days > 0
           AND i.reminders < s.max_reminders AND i.expires_at > $1
           AND k.removed_at IS NULL AND k.email IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM survey_opt_outs o WHERE o.contact_id = i.contact_id)
         ORDER BY i.last_sent_at, i.id
         LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// Counts a reminder for link `id` if it still has `reminders` sent and no answer; false
/// if another worker (or the respondent) got there first.
pub async fn count_reminder(
    tx: &mut Tx,
    id: i64,
    reminders: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = with_tx!(tx, c => sqlx::query(
        "UPDATE survey_invitations SET reminders = reminders + 1, last_sent_at = $1
         WHERE id = $2 AND reminders = $3 AND answered_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(reminders)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Open recurring surveys with their latest wave (its number, start and audience).
#[derive(Clone, Debug, FromRow)]
pub struct RecurringSurvey {
    pub id: i64,
    pub recur_months: i64,
    pub number: i64,
    pub started_at: DateTime<Utc>,
    pub audience: String,
}

pub async fn recurring(db: &Db) -> Result<Vec<RecurringSurvey>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, RecurringSurvey>(
        "SELECT s.id, s.recur_months, w.number, w.started_at, w.audience
         FROM surveys s
         JOIN survey_waves w ON w.survey_id = s.id
         WHERE s.status = 'open' AND s.recur_months IS NOT NULL
           AND w.number = (SELECT MAX(x.number) FROM survey_waves x WHERE x.survey_id = s.id)
         ORDER BY s.id",
    )
    .fetch_all(c)
    .await)
}

/// Every question of the survey that is current or has answers, in order: results count
/// answers under the words that were asked.
pub async fn answered_questions(
    db: &Db,
    survey: i64,
) -> Result<Vec<(QuestionRecord, bool)>, sqlx::Error> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        question: QuestionRecord,
        retired: bool,
    }
    let rows = with_db!(db, c => sqlx::query_as::<_, Row>(
        "SELECT q.id, q.position, q.kind, q.prompt_zh, q.prompt_en, q.choices_zh, q.choices_en,
                q.required,
                (SELECT COUNT(*) FROM survey_answers a WHERE a.question_id = q.id) AS answers,
                q.retired_at IS NOT NULL AS retired
         FROM survey_questions q
         WHERE q.survey_id = $1
           AND (q.retired_at IS NULL
                OR EXISTS (SELECT 1 FROM survey_answers a WHERE a.question_id = q.id))
         ORDER BY q.position, q.id",
    )
    .bind(survey)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|r| (r.question, r.retired)).collect())
}

/// One response for the export, with who gave it.
#[derive(Clone, Debug, FromRow)]
pub struct ExportRow {
    pub id: i64,
    pub wave: Option<i64>,
    pub submitted_at: DateTime<Utc>,
    pub language: String,
    pub client: Option<String>,
    pub contact: Option<String>,
    pub risk_appetite: Option<String>,
    pub ticket_band: Option<String>,
    pub lifecycle_stage: Option<String>,
}

/// The survey's responses (of one wave if given), oldest first.
pub async fn export_rows(
    db: &Db,
    survey: i64,
    wave: Option<i64>,
) -> Result<Vec<ExportRow>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, ExportRow>(
        "SELECT r.id, w.number AS wave, r.submitted_at, r.language, c.display_name AS client,
                k.name AS contact, r.risk_appetite, r.ticket_band, r.lifecycle_stage
         FROM survey_responses r
         LEFT JOIN survey_waves w ON w.id = r.wave_id
         LEFT JOIN clients c ON c.id = r.client_id
         LEFT JOIN contacts k ON k.id = r.contact_id
         WHERE r.survey_id = $1 AND ($2 IS NULL OR r.wave_id = $2)
         ORDER BY r.id",
    )
    .bind(survey)
    .bind(wave)
    .fetch_all(c)
    .await)
}

/// The firm's follow-up survey: (id, Chinese title, English title).
pub async fn follow_up_survey(tx: &mut Tx) -> Result<Option<(i64, String, String)>, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_as::<_, (i64, String, String)>(
        "SELECT id, title_zh, title_en FROM surveys WHERE purpose = 'follow_up'",
    )
    .fetch_optional(c)
    .await)
}

/// Creates the follow-up survey, open; `None` if another server just did (one per firm).
pub async fn insert_follow_up_survey(
    tx: &mut Tx,
    s: &ValidSurvey,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO surveys (title_zh, title_en, intro_zh, intro_en, status, purpose,
                              link_days, reminder_days, max_reminders, recur_months,
                              created_by, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, 'open', 'follow_up', $5, 0, 0, NULL, NULL, $6, $6, 1)
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(&s.title_zh)
    .bind(&s.title_en)
    .bind(&s.intro_zh)
    .bind(&s.intro_en)
    .bind(s.link_days)
    .bind(now)
    .fetch_optional(c)
    .await)
}

/// Who complaint `complaint`'s follow-up goes to: its contact, if a survey answer opened
/// it, the contact can be mailed and has not unsubscribed, and no follow-up went yet.
pub async fn follow_up_recipient(
    tx: &mut Tx,
    complaint: i64,
) -> Result<Option<Recipient>, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_as::<_, Recipient>(
        "SELECT q.client_id, k.id AS contact_id, k.name, k.email, k.language
         FROM complaints q JOIN contacts k ON k.id = q.contact_id
         WHERE q.id = $1 AND q.source = 'survey' AND q.client_id IS NOT NULL
           AND k.removed_at IS NULL AND k.email IS NOT NULL AND k.email <> ''
           AND NOT EXISTS (SELECT 1 FROM survey_opt_outs o WHERE o.contact_id = k.id)
           AND NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.complaint_id = q.id)",
    )
    .bind(complaint)
    .fetch_optional(c)
    .await)
}

/// Records on complaint `complaint` whether its follow-up answer shows the customer
/// recovered.
pub async fn record_recovery(
    tx: &mut Tx,
    complaint: i64,
    recovered: bool,
    response: i64,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE complaints SET recovered = $1, follow_up_response_id = $2 WHERE id = $3",
    )
    .bind(recovered)
    .bind(response)
    .bind(complaint)
    .execute(c)
    .await
    .map(|_| ()))
}

/// A survey waiting for contact `contact`: (invitation, Chinese title, English title,
/// expiry), unanswered, unexpired, of open surveys; soonest to expire first.
pub async fn waiting_for(
    db: &Db,
    contact: i64,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, String, String, DateTime<Utc>)>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, (i64, String, String, DateTime<Utc>)>(
        "SELECT i.id, s.title_zh, s.title_en, i.expires_at
         FROM survey_invitations i JOIN surveys s ON s.id = i.survey_id
         WHERE i.contact_id = $1 AND i.answered_at IS NULL AND i.expires_at > $2
           AND s.status = 'open'
         ORDER BY i.expires_at, i.id
         LIMIT 20",
    )
    .bind(contact)
    .bind(now)
    .fetch_all(c)
    .await)
}

/// One survey response of a client's contacts, with its scores.
#[derive(Clone, Debug, FromRow)]
pub struct ClientResponse {
    pub id: i64,
    pub submitted_at: DateTime<Utc>,
    pub contact: Option<String>,
    pub title_zh: String,
    pub title_en: String,
    pub nps: Option<i64>,
    pub csat: Option<i64>,
    pub ces: Option<i64>,
    pub comment: Option<String>,
}

/// The survey responses of client `client`'s contacts, newest first, before response
/// `before`.
pub async fn client_responses(
    db: &Db,
    client: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ClientResponse>, sqlx::Error> {
    let score = |kind: &str| {
        format!(
            "(SELECT MIN(a.score) FROM survey_answers a
               JOIN survey_questions q ON q.id = a.question_id
              WHERE a.response_id = r.id AND q.kind = '{kind}') AS {kind}"
        )
    };
    let sql = format!(
        "SELECT r.id, r.submitted_at, k.name AS contact, s.title_zh, s.title_en, {}, {}, {},
                (SELECT MIN(a.body) FROM survey_answers a
                  WHERE a.response_id = r.id AND a.body IS NOT NULL) AS comment
         FROM survey_responses r
         JOIN surveys s ON s.id = r.survey_id
         LEFT JOIN contacts k ON k.id = r.contact_id
         WHERE r.client_id = $1 AND ($2 IS NULL OR r.id < $2)
         ORDER BY r.id DESC LIMIT $3",
        score("nps"),
        score("csat"),
        score("ces")
    );
    with_db!(db, c => sqlx::query_as::<_, ClientResponse>(&sql)
        .bind(client)
        .bind(before)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// A hand-chosen client of a survey (or a search result), with its reachable contacts.
#[derive(FromRow)]
pub struct PickRecord {
    pub client_id: i64,
    pub display_name: String,
    pub sort_name: String,
    pub is_investor: bool,
    pub is_borrower: bool,
    pub lifecycle_stage: String,
    pub reachable: i64,
    pub picked: bool,
}

const PICK_COLUMNS: &str = "c.id AS client_id, c.display_name, c.sort_name, c.is_investor,
    c.is_borrower, c.lifecycle_stage,
    (SELECT COUNT(*) FROM contacts k
      WHERE k.client_id = c.id AND k.removed_at IS NULL AND k.email IS NOT NULL
        AND k.email <> ''
        AND NOT EXISTS (SELECT 1 FROM survey_opt_outs o WHERE o.contact_id = k.id)) AS reachable";

/// Survey `survey`'s chosen clients by name after `after` (sort name, id), `limit` of
/// them, and how many it has in all.
pub async fn picks(
    db: &Db,
    survey: i64,
    after: Option<(&str, i64)>,
    limit: i64,
) -> Result<(Vec<PickRecord>, i64), sqlx::Error> {
    let total: i64 = with_db!(db, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM survey_picks WHERE survey_id = $1",
    )
    .bind(survey)
    .fetch_one(c)
    .await)?;
    let sql = format!(
        "SELECT {PICK_COLUMNS}, TRUE AS picked
         FROM survey_picks p JOIN clients c ON c.id = p.client_id
         WHERE p.survey_id = $1
           AND ($2 IS NULL OR c.sort_name > $2 OR (c.sort_name = $2 AND c.id > $3))
         ORDER BY c.sort_name, c.id LIMIT $4"
    );
    let (name, id) = after.unzip();
    let rows = with_db!(db, c => sqlx::query_as::<_, PickRecord>(&sql)
        .bind(survey)
        .bind(name)
        .bind(id.unwrap_or(0))
        .bind(limit)
        .fetch_all(c)
        .await)?;
    Ok((rows, total))
}

/// Clients `ids` (a search's matches) as picks of survey `survey`, marked if chosen.
pub async fn pick_candidates(
    db: &Db,
    survey: i64,
    ids: &[i64],
) -> Result<Vec<PickRecord>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT {PICK_COLUMNS},
                EXISTS (SELECT 1 FROM survey_picks p
                         WHERE p.survey_id = $1 AND p.client_id = c.id) AS picked
         FROM clients c WHERE c.id IN ({}) ORDER BY c.sort_name, c.id",
        list.join(", ")
    );
    with_db!(db, c => {
        let mut q = sqlx::query_as::<_, PickRecord>(&sql).bind(survey);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })
}

/// Adds client `client` to survey `survey`'s chosen list; false if it was on it already.
pub async fn add_pick(
    tx: &mut Tx,
    survey: i64,
    client: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let added = with_tx!(tx, c => sqlx::query(
        "INSERT INTO survey_picks (survey_id, client_id, added_by, added_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(survey)
    .bind(client)
    .bind(by)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(added == 1)
}

/// Takes client `client` off survey `survey`'s chosen list; false if it was not on it.
pub async fn remove_pick(tx: &mut Tx, survey: i64, client: i64) -> Result<bool, sqlx::Error> {
    let removed = with_tx!(tx, c => sqlx::query(
        "DELETE FROM survey_picks WHERE survey_id = $1 AND client_id = $2",
    )
    .bind(survey)
    .bind(client)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(removed == 1)
}
