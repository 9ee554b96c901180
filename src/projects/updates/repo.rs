//! SQL of project updates on the staff side. Bind parameters only; both engines. A
//! published version is locked by triggers, so every change here is of a draft.
use super::model::ValidUpdate;
use crate::portal::repo::INVESTOR_STAGES;
use crate::server::db::{Db, Tx};
use crate::{with_db, with_tx};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

#[derive(Clone, Debug, FromRow)]
pub struct UpdateRecord {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub project_owner: i64,
    pub project_archived: bool,
    pub series_id: i64,
    pub series_version: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub requires_ack: bool,
    pub status: String,
    pub content_hash: Option<String>,
    pub published_by_name: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i64,
}

const RECORD: &str = "SELECT u.id, u.project_id, p.name AS project_name,
        p.owner_id AS project_owner, p.archived_at IS NOT NULL AS project_archived,
        u.series_id, u.series_version, u.kind, u.title, u.body, u.requires_ack, u.status,
        u.content_hash, s.name AS published_by_name, u.published_at, u.version
    FROM updates u JOIN projects p ON p.id = u.project_id
    LEFT JOIN users s ON s.id = u.published_by";

pub async fn find(db: &Db, id: i64) -> Result<Option<UpdateRecord>, sqlx::Error> {
    let sql = format!("{RECORD} WHERE u.id = $1");
    with_db!(db, c => sqlx::query_as::<_, UpdateRecord>(&sql).bind(id).fetch_optional(c).await)
}

pub async fn find_tx(tx: &mut Tx, id: i64) -> Result<Option<UpdateRecord>, sqlx::Error> {
    let sql = format!("{RECORD} WHERE u.id = $1");
    with_tx!(tx, c => sqlx::query_as::<_, UpdateRecord>(&sql).bind(id).fetch_optional(c).await)
}

/// A new draft: the first version of a new series, or (with `series`) the next version.
pub async fn insert_draft(
    tx: &mut Tx,
    project_id: i64,
    author: i64,
    update: &ValidUpdate,
    series: Option<(i64, i64)>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let (series_id, series_version) = match series {
        Some((id, version)) => (Some(id), version),
        None => (None, 1),
    };
    let id: i64 = with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO updates (project_id, series_id, series_version, kind, title, body,
                              requires_ack, status, author_id, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $9, 1) RETURNING id",
    )
    .bind(project_id)
    .bind(series_id)
    .bind(series_version)
    .bind(update.kind.as_str())
    .bind(&update.title)
    .bind(&update.body)
    .bind(update.kind.asks_acknowledgement())
    .bind(author)
    .bind(now)
    .fetch_one(c)
    .await)?;
    if series_id.is_none() {
        with_tx!(tx, c => sqlx::query("UPDATE updates SET series_id = id WHERE id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|_| ()))?;
    }
    Ok(id)
}

/// Saves a draft if it is still a draft at `version`.
pub async fn update_draft(
    tx: &mut Tx,
    id: i64,
    version: i64,
    update: &ValidUpdate,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let changed = with_tx!(tx, c => sqlx::query(
        "UPDATE updates SET kind = $1, title = $2, body = $3, requires_ack = $4,
                            updated_at = $5, version = version + 1
         WHERE id = $6 AND version = $7 AND status = 'draft'",
    )
    .bind(update.kind.as_str())
    .bind(&update.title)
    .bind(&update.body)
    .bind(update.kind.asks_acknowledgement())
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Publishes a draft still at `version`, fixing its content hash; from here on the row is
/// locked.
pub async fn publish(
    tx: &mut Tx,
    id: i64,
    version: i64,
    content_hash: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let changed = with_tx!(tx, c => sqlx::query(
        "UPDATE updates SET status = 'published', content_hash = $1, published_by = $2,
                            published_at = $3, updated_at = $3, version = version + 1
         WHERE id = $4 AND version = $5 AND status = 'draft'",
    )
    .bind(content_hash)
    .bind(by)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// The draft of a series, if one is open, and the series' highest version.
pub async fn series_state(tx: &mut Tx, series_id: i64) -> Result<(Option<i64>, i64), sqlx::Error> {
    let draft: Option<i64> = with_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM updates WHERE series_id = $1 AND status = 'draft' ORDER BY id LIMIT 1",
    )
    .bind(series_id)
    .fetch_optional(c)
    .await)?;
    let highest: i64 = with_tx!(tx, c => sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(series_version), 0) AS BIGINT) FROM updates WHERE series_id = $1",
    )
    .bind(series_id)
    .fetch_one(c)
    .await)?;
    Ok((draft, highest))
}

#[derive(Clone, Debug, FromRow)]
pub struct ListedUpdate {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub series_version: i64,
    pub status: String,
    pub requires_ack: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub acknowledged: i64,
}

/// The newest version of each of a project's updates (drafts included), newest first,
/// before the cursor `before` (an id).
pub async fn list_for_project(
    db: &Db,
    project_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ListedUpdate>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, ListedUpdate>(
        "SELECT u.id, u.kind, u.title, u.series_version, u.status, u.requires_ack, u.published_at,
                (SELECT COUNT(*) FROM acknowledgements a WHERE a.update_id = u.id) AS acknowledged
         FROM updates u
         WHERE u.project_id = $1 AND u.id < $2
           AND NOT EXISTS (SELECT 1 FROM updates n
                           WHERE n.series_id = u.series_id AND n.series_version > u.series_version)
         ORDER BY u.id DESC LIMIT $3",
    )
    .bind(project_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(c)
    .await)
}

#[derive(Clone, Debug, FromRow)]
pub struct VersionRow {
    pub id: i64,
    pub series_version: i64,
    pub published_at: Option<DateTime<Utc>>,
}

pub async fn versions(db: &Db, series_id: i64) -> Result<Vec<VersionRow>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, VersionRow>(
        "SELECT id, series_version, published_at FROM updates WHERE series_id = $1
         ORDER BY series_version DESC LIMIT 100",
    )
    .bind(series_id)
    .fetch_all(c)
    .await)
}

/// Who sees a project in the portal: active portal users acting for a live client with a
/// deal in it at a stage investors see.
fn audience_sql(select: &str, tail: &str) -> String {
    format!(
        "SELECT {select} FROM portal_users pu
         WHERE pu.active = TRUE AND pu.password_hash IS NOT NULL
           AND pu.id IN (SELECT pa.portal_user_id FROM portal_user_clients pa
                         JOIN clients c ON c.id = pa.client_id AND c.archived_at IS NULL
                         JOIN deals d ON d.client_id = pa.client_id AND d.project_id = $1
                         WHERE d.archived_at IS NULL AND d.stage IN {INVESTOR_STAGES})
           {tail}"
    )
}

/// A portal user to e-mail about a new update.
#[derive(Clone, Debug, FromRow)]
pub struct Subscriber {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub locale: String,
}

/// The project's audience who want e-mail about new updates, by id after `after`.
pub async fn subscribers(
    db: &Db,
    project_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<Subscriber>, sqlx::Error> {
    let sql = audience_sql(
        "pu.id, pu.name, pu.email, pu.locale",
        "AND pu.notify_updates = TRUE AND pu.id > $2 ORDER BY pu.id LIMIT $3",
    );
    with_db!(db, c => sqlx::query_as::<_, Subscriber>(&sql)
        .bind(project_id)
        .bind(after)
        .bind(limit)
        .fetch_all(c)
        .await)
}

pub async fn audience_size(db: &Db, project_id: i64) -> Result<i64, sqlx::Error> {
    let sql = audience_sql("COUNT(*)", "");
    with_db!(db, c => sqlx::query_scalar(&sql).bind(project_id).fetch_one(c).await)
}

/// The first 200 of a project's portal users who have not acknowledged `update_id`.
pub async fn pending_readers(
    db: &Db,
    project_id: i64,
    update_id: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let sql = audience_sql(
        "pu.name, pu.email",
        "AND NOT EXISTS (SELECT 1 FROM acknowledgements a
                         WHERE a.update_id = $2 AND a.portal_user_id = pu.id)
         ORDER BY pu.name, pu.id LIMIT 200",
    );
    with_db!(db, c => sqlx::query_as::<_, (String, String)>(&sql)
        .bind(project_id)
        .bind(update_id)
        .fetch_all(c)
        .await)
}

pub async fn acknowledged_count(db: &Db, update_id: i64) -> Result<i64, sqlx::Error> {
    with_db!(db, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM acknowledgements WHERE update_id = $1",
    )
    .bind(update_id)
    .fetch_one(c)
    .await)
}
