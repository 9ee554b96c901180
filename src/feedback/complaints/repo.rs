//! SQL of complaints on the staff side and the writes both sides share. Bind parameters
//! only; both engines. The investor's scoped reads are in `portal::complaints::repo`.
use crate::server::db::{Db, Tx};
use crate::{with_db, with_tx};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

pub struct NewComplaint<'a> {
    pub client: Option<i64>,
    pub contact: Option<i64>,
    pub portal_user: Option<i64>,
    pub project: Option<i64>,
    pub source: &'a str,
    pub category: &'a str,
    pub severity: &'a str,
    pub description: &'a str,
    pub assignee: Option<i64>,
    pub created_by: Option<i64>,
}

pub async fn insert(
    tx: &mut Tx,
    c: &NewComplaint<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO complaints (client_id, contact_id, portal_user_id, project_id, source,
                                 category, severity, status, description, assignee_id,
                                 created_by, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'new', $8, $9, $10, $11, $11, 1) RETURNING id",
    )
    .bind(c.client)
    .bind(c.contact)
    .bind(c.portal_user)
    .bind(c.project)
    .bind(c.source)
    .bind(c.category)
    .bind(c.severity)
    .bind(c.description)
    .bind(c.assignee)
    .bind(c.created_by)
    .bind(now)
    .fetch_one(conn)
    .await)
}

/// One entry of a complaint's timeline.
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub visible_to_client: bool,
    pub body: Option<&'a str>,
    pub from_status: Option<&'a str>,
    pub to_status: Option<&'a str>,
    pub staff: Option<i64>,
    pub portal_user: Option<i64>,
}

pub async fn add_event(
    tx: &mut Tx,
    complaint: i64,
    e: &NewEvent<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO complaint_events (complaint_id, kind, visible_to_client, body, from_status,
                                       to_status, staff_id, portal_user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(complaint)
    .bind(e.kind)
    .bind(e.visible_to_client)
    .bind(e.body)
    .bind(e.from_status)
    .bind(e.to_status)
    .bind(e.staff)
    .bind(e.portal_user)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))
}

#[derive(Clone, Debug, FromRow)]
pub struct ComplaintRecord {
    pub id: i64,
    pub client_id: Option<i64>,
    pub client_owner: Option<i64>,
    pub entity: Option<String>,
    pub project: Option<String>,
    pub portal_user_id: Option<i64>,
    pub investor_name: Option<String>,
    pub investor_email: Option<String>,
    pub investor_locale: Option<String>,
    pub investor_notify: Option<bool>,
    pub source: String,
    pub category: String,
    pub severity: String,
    pub status: String,
    pub description: String,
    pub assignee: Option<String>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// Every column a complaint's page needs; `{where}` narrows it.
pub const RECORD: &str = "SELECT q.id, q.client_id, c.owner_id AS client_owner,
        c.display_name AS entity, p.name AS project, q.portal_user_id,
        pu.name AS investor_name, pu.email AS investor_email, pu.locale AS investor_locale,
        pu.notify_answers AS investor_notify, q.source, q.category, q.severity, q.status,
        q.description, a.name AS assignee, q.first_response_at, q.created_at, q.version
    FROM complaints q
    LEFT JOIN clients c ON c.id = q.client_id
    LEFT JOIN projects p ON p.id = q.project_id
    LEFT JOIN portal_users pu ON pu.id = q.portal_user_id
    LEFT JOIN users a ON a.id = q.assignee_id";

pub async fn find(db: &Db, id: i64) -> Result<Option<ComplaintRecord>, sqlx::Error> {
    let sql = format!("{RECORD} WHERE q.id = $1");
    with_db!(db, c => sqlx::query_as::<_, ComplaintRecord>(&sql).bind(id).fetch_optional(c).await)
}

pub async fn find_tx(tx: &mut Tx, id: i64) -> Result<Option<ComplaintRecord>, sqlx::Error> {
    let sql = format!("{RECORD} WHERE q.id = $1");
    with_tx!(tx, c => sqlx::query_as::<_, ComplaintRecord>(&sql).bind(id).fetch_optional(c).await)
}

/// One page of the queue, newest first before `before`: open complaints only, or all.
pub async fn queue(
    db: &Db,
    open_only: bool,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ComplaintRecord>, sqlx::Error> {
    let sql = format!(
        "{RECORD} WHERE q.id < $1 AND ($2 = FALSE OR q.status NOT IN ('resolved', 'closed'))
         ORDER BY q.id DESC LIMIT $3"
    );
    with_db!(db, c => sqlx::query_as::<_, ComplaintRecord>(&sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(open_only)
        .bind(limit)
        .fetch_all(c)
        .await)
}

#[derive(Clone, Debug, FromRow)]
pub struct EventRow {
    pub kind: String,
    pub body: Option<String>,
    pub to_status: Option<String>,
    pub staff_name: Option<String>,
    pub investor_name: Option<String>,
    pub visible_to_client: bool,
    pub created_at: DateTime<Utc>,
}

/// A complaint's timeline, oldest first: everything, or what the client sees.
pub async fn events(db: &Db, id: i64, client_view: bool) -> Result<Vec<EventRow>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, EventRow>(
        "SELECT e.kind, e.body, e.to_status, s.name AS staff_name, pu.name AS investor_name,
                e.visible_to_client, e.created_at
         FROM complaint_events e
         LEFT JOIN users s ON s.id = e.staff_id
         LEFT JOIN portal_users pu ON pu.id = e.portal_user_id
         WHERE e.complaint_id = $1 AND ($2 = FALSE OR e.visible_to_client = TRUE)
         ORDER BY e.id LIMIT 500",
    )
    .bind(id)
    .bind(client_view)
    .fetch_all(c)
    .await)
}

/// What a staff post changes on the complaint itself.
pub struct Change<'a> {
    pub status: &'a str,
    pub first_response: bool,
    pub resolved: bool,
}

/// Applies a post if the complaint is still at `version`: the status, the first response
/// time (once) and the resolution time.
pub async fn apply(
    tx: &mut Tx,
    id: i64,
    version: i64,
    change: &Change<'_>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let changed = with_tx!(tx, c => sqlx::query(
        "UPDATE complaints SET status = $1,
                first_response_at = CASE WHEN $2 THEN COALESCE(first_response_at, $4)
                                         ELSE first_response_at END,
                resolved_at = CASE WHEN $3 THEN $4 ELSE resolved_at END,
                updated_at = $4, version = version + 1
         WHERE id = $5 AND version = $6",
    )
    .bind(change.status)
    .bind(change.first_response)
    .bind(change.resolved)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}
