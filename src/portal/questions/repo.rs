//! SQL of investor questions. The investor's reads and writes are scoped to their own
//! questions (`portal_user_id = $1`) and to the entities and projects they act for; staff
//! reads are the queue. Bind parameters only; both engines.
use crate::portal::repo::MY_DEALS;
use crate::server::db::{Db, Tx};
use crate::{with_db, with_tx};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

/// Whether client `$2` is one the portal user `$1` acts for (live).
pub async fn acts_for(tx: &mut Tx, portal_user: i64, client: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = with_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM portal_user_clients pa JOIN clients c ON c.id = pa.client_id
         WHERE pa.portal_user_id = $1 AND pa.client_id = $2 AND c.archived_at IS NULL",
    )
    .bind(portal_user)
    .bind(client)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}

/// Whether project `$2` is one the portal user `$1` takes part in.
pub async fn takes_part_in(
    tx: &mut Tx,
    portal_user: i64,
    project: i64,
) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) {MY_DEALS} AND d.project_id = $2");
    let n: i64 = with_tx!(tx, c => sqlx::query_scalar(&sql)
        .bind(portal_user)
        .bind(project)
        .fetch_one(c)
        .await)?;
    Ok(n > 0)
}

/// The entities the user acts for and the projects they take part in, for the ask form.
pub async fn ask_choices(
    db: &Db,
    portal_user: i64,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), sqlx::Error> {
    let entities = with_db!(db, c => sqlx::query_as::<_, (i64, String)>(
        "SELECT c.id, c.display_name FROM portal_user_clients pa
         JOIN clients c ON c.id = pa.client_id AND c.archived_at IS NULL
         WHERE pa.portal_user_id = $1 ORDER BY c.display_name, c.id LIMIT 100",
    )
    .bind(portal_user)
    .fetch_all(c)
    .await)?;
    let sql = format!(
        "SELECT p.id, p.name FROM projects p WHERE p.id IN (SELECT d.project_id {MY_DEALS})
         ORDER BY p.name, p.id LIMIT 200"
    );
    let projects = with_db!(db, c => sqlx::query_as::<_, (i64, String)>(&sql)
        .bind(portal_user)
        .fetch_all(c)
        .await)?;
    Ok((entities, projects))
}

pub struct NewQuestion<'a> {
    pub portal_user: i64,
    pub client: i64,
    pub project: Option<i64>,
    pub subject: &'a str,
}

pub async fn insert_question(
    tx: &mut Tx,
    q: &NewQuestion<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO questions (portal_user_id, client_id, project_id, subject, status,
                                seen_by_investor_at, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, 'open', $5, $5, $5, 1) RETURNING id",
    )
    .bind(q.portal_user)
    .bind(q.client)
    .bind(q.project)
    .bind(q.subject)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// Who wrote a message.
#[derive(Clone, Copy, Debug)]
pub enum Author {
    Staff(i64),
    Investor(i64),
}

/// Adds a message to question `id`; an answer by staff marks it answered, a follow-up by
/// the investor opens it again.
pub async fn add_message(
    tx: &mut Tx,
    id: i64,
    author: Author,
    body: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let (staff, investor) = match author {
        Author::Staff(s) => (Some(s), None),
        Author::Investor(p) => (None, Some(p)),
    };
    let message: i64 = with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO question_messages (question_id, staff_id, portal_user_id, body, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(id)
    .bind(staff)
    .bind(investor)
    .bind(body)
    .bind(now)
    .fetch_one(c)
    .await)?;
    let sql = match author {
        Author::Staff(_) => {
            "UPDATE questions SET status = 'answered', last_answer_at = $1, updated_at = $1,
                                  version = version + 1 WHERE id = $2"
        }
        Author::Investor(_) => {
            "UPDATE questions SET status = 'open', seen_by_investor_at = $1, updated_at = $1,
                                  version = version + 1 WHERE id = $2"
        }
    };
    with_tx!(tx, c => sqlx::query(sql).bind(now).bind(id).execute(c).await.map(|_| ()))?;
    Ok(message)
}

/// The investor opened question `id` (their own): its answers are no longer new.
pub async fn mark_seen(
    tx: &mut Tx,
    portal_user: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE questions SET seen_by_investor_at = $3 WHERE id = $2 AND portal_user_id = $1",
    )
    .bind(portal_user)
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

#[derive(Clone, Debug, FromRow)]
pub struct QuestionRecord {
    pub id: i64,
    pub portal_user_id: i64,
    pub client_id: i64,
    pub client_owner: i64,
    pub entity: String,
    pub asker: String,
    pub asker_email: String,
    pub asker_locale: String,
    /// Whether the asker wants answers e-mailed.
    pub asker_notify: bool,
    pub subject: String,
    pub project_name: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub unread: bool,
}

const RECORD: &str = "SELECT q.id, q.portal_user_id, q.client_id, c.owner_id AS client_owner,
        c.display_name AS entity, u.name AS asker, u.email AS asker_email,
        u.locale AS asker_locale, u.notify_answers AS asker_notify, q.subject, p.name AS project_name, q.status, q.created_at,
        (q.last_answer_at IS NOT NULL
         AND (q.seen_by_investor_at IS NULL OR q.seen_by_investor_at < q.last_answer_at)) AS unread
    FROM questions q JOIN clients c ON c.id = q.client_id
    JOIN portal_users u ON u.id = q.portal_user_id
    LEFT JOIN projects p ON p.id = q.project_id";

/// The investor's own questions, newest first, before the id `before`.
pub async fn mine(
    db: &Db,
    portal_user: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<QuestionRecord>, sqlx::Error> {
    let sql =
        format!("{RECORD} WHERE q.portal_user_id = $1 AND q.id < $2 ORDER BY q.id DESC LIMIT $3");
    with_db!(db, c => sqlx::query_as::<_, QuestionRecord>(&sql)
        .bind(portal_user)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// Question `id` if it is the investor's own.
pub async fn my_question(
    db: &Db,
    portal_user: i64,
    id: i64,
) -> Result<Option<QuestionRecord>, sqlx::Error> {
    let sql = format!("{RECORD} WHERE q.portal_user_id = $1 AND q.id = $2");
    with_db!(db, c => sqlx::query_as::<_, QuestionRecord>(&sql)
        .bind(portal_user)
        .bind(id)
        .fetch_optional(c)
        .await)
}

pub async fn find(db: &Db, id: i64) -> Result<Option<QuestionRecord>, sqlx::Error> {
    let sql = format!("{RECORD} WHERE q.id = $1");
    with_db!(db, c => sqlx::query_as::<_, QuestionRecord>(&sql).bind(id).fetch_optional(c).await)
}

/// The staff queue: questions of `status`, oldest first (the longest waiting at the top),
/// after the id `after`.
pub async fn queue(
    db: &Db,
    status: &str,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<QuestionRecord>, sqlx::Error> {
    let sql = format!("{RECORD} WHERE q.status = $1 AND q.id > $2 ORDER BY q.id LIMIT $3");
    with_db!(db, c => sqlx::query_as::<_, QuestionRecord>(&sql)
        .bind(status)
        .bind(after.unwrap_or(0))
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// How many of the investor's questions have an answer they have not opened.
pub async fn unread_answers(db: &Db, portal_user: i64) -> Result<i64, sqlx::Error> {
    with_db!(db, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM questions WHERE portal_user_id = $1 AND last_answer_at IS NOT NULL
           AND (seen_by_investor_at IS NULL OR seen_by_investor_at < last_answer_at)",
    )
    .bind(portal_user)
    .fetch_one(c)
    .await)
}

#[derive(Clone, Debug, FromRow)]
pub struct MessageRow {
    pub from_staff: bool,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// The thread of question `id`, oldest first (at most 500 messages).
pub async fn messages(db: &Db, id: i64) -> Result<Vec<MessageRow>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, MessageRow>(
        "SELECT m.staff_id IS NOT NULL AS from_staff,
                COALESCE(s.name, u.name, '') AS author, m.body, m.created_at
         FROM question_messages m
         LEFT JOIN users s ON s.id = m.staff_id
         LEFT JOIN portal_users u ON u.id = m.portal_user_id
         WHERE m.question_id = $1 ORDER BY m.id LIMIT 500",
    )
    .bind(id)
    .fetch_all(c)
    .await)
}
