//! SQL of complaints on the staff side and the writes both sides share. Bind parameters
//! only; both engines. The investor's scoped reads are in `portal::complaints::repo`.
use super::stats::Timing;
use super::targets::Target;
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
    /// The survey response whose poor answers opened it.
    pub survey_response: Option<i64>,
}

/// Inserts a new complaint, due by `due` (first response, resolution) when its severity
/// has targets.
pub async fn insert(
    tx: &mut Tx,
    c: &NewComplaint<'_>,
    due: Option<(DateTime<Utc>, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO complaints (client_id, contact_id, portal_user_id, project_id, source,
                                 category, severity, status, description, assignee_id,
                                 created_by, created_at, updated_at, version,
                                 first_response_due_at, resolution_due_at, survey_response_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'new', $8, $9, $10, $11, $11, 1, $12, $13, $14)
         RETURNING id",
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
    .bind(due.map(|d| d.0))
    .bind(due.map(|d| d.1))
    .bind(c.survey_response)
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
    pub first_response_due_at: Option<DateTime<Utc>>,
    pub resolution_due_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// Every column a complaint's page needs; `{where}` narrows it.
pub const RECORD: &str = "SELECT q.id, q.client_id, c.owner_id AS client_owner,
        c.display_name AS entity, p.name AS project, q.portal_user_id,
        pu.name AS investor_name, pu.email AS investor_email, pu.locale AS investor_locale,
        pu.notify_answers AS investor_notify, q.source, q.category, q.severity, q.status,
        q.description, a.name AS assignee, q.first_response_at, q.first_response_due_at,
        q.resolution_due_at, q.escalated_at, q.created_at, q.version
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

/// An open complaint past a target it still has to meet at `$t`.
fn missed_by(t: &str) -> String {
    format!(
        "((q.first_response_at IS NULL AND q.first_response_due_at < {t})
          OR q.resolution_due_at < {t})"
    )
}

/// One page of the queue, newest first before `before`: `show` is `open`, `all`,
/// `breached` (a target missed at `now`) or `soon` (not missed, but due before `soon`).
pub async fn queue(
    db: &Db,
    show: &str,
    now: DateTime<Utc>,
    soon: DateTime<Utc>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ComplaintRecord>, sqlx::Error> {
    let (missed_now, missed_soon) = (missed_by("$4"), missed_by("$5"));
    let sql = format!(
        "{RECORD} WHERE q.id < $1
           AND ($2 = 'all' OR q.status NOT IN ('resolved', 'closed'))
           AND ($2 <> 'breached' OR {missed_now})
           AND ($2 <> 'soon' OR (NOT {missed_now} AND {missed_soon}))
         ORDER BY q.id DESC LIMIT $3"
    );
    with_db!(db, c => sqlx::query_as::<_, ComplaintRecord>(&sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(show)
        .bind(limit)
        .bind(now)
        .bind(soon)
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
    pub severity: &'a str,
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
        "UPDATE complaints SET status = $1, severity = $7,
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
    .bind(change.severity)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// The targets of `severity`, if it has any.
pub async fn target_of(tx: &mut Tx, severity: &str) -> Result<Option<Target>, sqlx::Error> {
    let row: Option<(i64, i64)> = with_tx!(tx, c => sqlx::query_as(
        "SELECT first_response_hours, resolution_hours FROM complaint_targets WHERE severity = $1",
    )
    .bind(severity)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|(first_response_hours, resolution_hours)| Target {
        first_response_hours,
        resolution_hours,
    }))
}

/// One severity's targets as the settings page shows them, with their last change.
#[derive(FromRow)]
pub struct TargetSetting {
    pub severity: String,
    pub first_response_hours: i64,
    pub resolution_hours: i64,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
}

/// Every severity's targets with who last changed them, most severe first.
pub async fn target_settings(db: &Db) -> Result<Vec<TargetSetting>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, TargetSetting>(
        "SELECT t.severity, t.first_response_hours, t.resolution_hours, t.updated_at,
                u.name AS updated_by
         FROM complaint_targets t LEFT JOIN users u ON u.id = t.updated_by
         ORDER BY t.resolution_hours, t.severity",
    )
    .fetch_all(c)
    .await)
}

/// Sets `severity`'s targets; true if they changed (an unchanged row keeps its last change).
pub async fn set_target(
    tx: &mut Tx,
    severity: &str,
    target: Target,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let changed = with_tx!(tx, c => sqlx::query(
        "UPDATE complaint_targets
         SET first_response_hours = $1, resolution_hours = $2, updated_by = $3, updated_at = $4
         WHERE severity = $5 AND (first_response_hours <> $1 OR resolution_hours <> $2)",
    )
    .bind(target.first_response_hours)
    .bind(target.resolution_hours)
    .bind(by)
    .bind(now)
    .bind(severity)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Every severity's targets, most severe first.
pub async fn targets(db: &Db) -> Result<Vec<(String, Target)>, sqlx::Error> {
    let rows: Vec<(String, i64, i64)> = with_db!(db, c => sqlx::query_as(
        "SELECT severity, first_response_hours, resolution_hours FROM complaint_targets
         ORDER BY resolution_hours, severity",
    )
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(severity, first_response_hours, resolution_hours)| {
            (
                severity,
                Target {
                    first_response_hours,
                    resolution_hours,
                },
            )
        })
        .collect())
}

/// Open complaints without due times (opened before targets existed): (id, opened, severity).
pub async fn without_due_times(
    db: &Db,
    limit: i64,
) -> Result<Vec<(i64, DateTime<Utc>, String)>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as(
        "SELECT id, created_at, severity FROM complaints
         WHERE resolution_due_at IS NULL AND status NOT IN ('resolved', 'closed')
         ORDER BY id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// Sets a complaint's due times. The version stays: targets are the firm's rules, not an
/// edit a member of staff could conflict with.
pub async fn set_due_times(
    tx: &mut Tx,
    id: i64,
    first_response: DateTime<Utc>,
    resolution: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE complaints SET first_response_due_at = $1, resolution_due_at = $2 WHERE id = $3",
    )
    .bind(first_response)
    .bind(resolution)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// A target an open complaint has missed and that has not been escalated yet.
#[derive(Clone, Debug, FromRow)]
pub struct MissedTarget {
    pub id: i64,
    /// `first_response` or `resolution`.
    pub target: String,
    pub due_at: DateTime<Utc>,
    pub assignee_id: Option<i64>,
    pub client_id: Option<i64>,
}

/// Up to `limit` missed, unescalated targets, the longest overdue first.
pub async fn missed_targets(
    db: &Db,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<MissedTarget>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, MissedTarget>(
        "SELECT m.id, m.target, m.due_at, m.assignee_id, m.client_id FROM (
             SELECT q.id, 'first_response' AS target, q.first_response_due_at AS due_at,
                    q.assignee_id, q.client_id
             FROM complaints q
             WHERE q.first_response_at IS NULL AND q.first_response_due_at < $1
               AND q.status NOT IN ('resolved', 'closed')
               AND NOT EXISTS (SELECT 1 FROM complaint_escalations x
                               WHERE x.complaint_id = q.id AND x.target = 'first_response')
             UNION ALL
             SELECT q.id, 'resolution', q.resolution_due_at, q.assignee_id, q.client_id
             FROM complaints q
             WHERE q.resolution_due_at < $1 AND q.status NOT IN ('resolved', 'closed')
               AND NOT EXISTS (SELECT 1 FROM complaint_escalations x
                               WHERE x.complaint_id = q.id AND x.target = 'resolution')
         ) m ORDER BY m.due_at, m.id, m.target LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// Claims the escalation of one missed target; false if another worker already has.
pub async fn claim_escalation(
    tx: &mut Tx,
    missed: &MissedTarget,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let inserted = with_tx!(tx, c => sqlx::query(
        "INSERT INTO complaint_escalations (complaint_id, target, due_at, escalated_at, notified)
         VALUES ($1, $2, $3, $4, 0) ON CONFLICT (complaint_id, target) DO NOTHING",
    )
    .bind(missed.id)
    .bind(&missed.target)
    .bind(missed.due_at)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if inserted == 0 {
        return Ok(false);
    }
    with_tx!(tx, c => sqlx::query(
        "UPDATE complaints SET escalated_at = COALESCE(escalated_at, $1) WHERE id = $2",
    )
    .bind(now)
    .bind(missed.id)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(true)
}

pub async fn set_notified(
    tx: &mut Tx,
    missed: &MissedTarget,
    notified: i64,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE complaint_escalations SET notified = $1 WHERE complaint_id = $2 AND target = $3",
    )
    .bind(notified)
    .bind(missed.id)
    .bind(&missed.target)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Someone an escalation is sent to.
#[derive(Clone, Debug, FromRow)]
pub struct Recipient {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub locale: String,
}

/// Who hears of a missed target: the assignee's manager and every CRM officer, if active.
pub async fn escalation_recipients(
    tx: &mut Tx,
    assignee: Option<i64>,
) -> Result<Vec<Recipient>, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_as::<_, Recipient>(
        "SELECT id, name, email, locale FROM users
         WHERE active = TRUE
           AND (role = 'crm_officer' OR id = (SELECT reports_to FROM users WHERE id = $1))
         ORDER BY id",
    )
    .bind(assignee)
    .fetch_all(c)
    .await)
}

/// A complaint's escalations: (target, due, escalated, people told), oldest first.
pub async fn escalations_of(
    db: &Db,
    id: i64,
) -> Result<Vec<(String, DateTime<Utc>, DateTime<Utc>, i64)>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as(
        "SELECT target, due_at, escalated_at, notified FROM complaint_escalations
         WHERE complaint_id = $1 ORDER BY escalated_at, target",
    )
    .bind(id)
    .fetch_all(c)
    .await)
}

/// The projects a client has deals in (the projects a complaint of theirs may be about).
pub async fn projects_of_client(db: &Db, client: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as(
        "SELECT p.id, p.name FROM projects p
         WHERE p.id IN (SELECT d.project_id FROM deals d WHERE d.client_id = $1)
         ORDER BY p.name, p.id LIMIT 200",
    )
    .bind(client)
    .fetch_all(c)
    .await)
}

/// Whether `client` has a deal in `project`.
pub async fn client_in_project(
    tx: &mut Tx,
    client: i64,
    project: i64,
) -> Result<bool, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM deals WHERE client_id = $1 AND project_id = $2)",
    )
    .bind(client)
    .bind(project)
    .fetch_one(c)
    .await)
}

/// Open complaints per severity: (severity, open, past a target at `now`).
pub async fn load_by_severity(
    db: &Db,
    now: DateTime<Utc>,
) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    let missed = missed_by("$1");
    let sql = format!(
        "SELECT q.severity, COUNT(*),
                CAST(COALESCE(SUM(CASE WHEN {missed} THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM complaints q WHERE q.status NOT IN ('resolved', 'closed')
         GROUP BY q.severity"
    );
    with_db!(db, c => sqlx::query_as(&sql).bind(now).fetch_all(c).await)
}

/// The times of the complaints opened since `since` (at most `limit`, oldest first).
pub async fn timings_since(
    db: &Db,
    since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Timing>, sqlx::Error> {
    type Row = (
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    );
    let rows: Vec<Row> = with_db!(db, c => sqlx::query_as(
        "SELECT created_at, first_response_at, first_response_due_at, resolved_at,
                resolution_due_at
         FROM complaints WHERE created_at >= $1 ORDER BY created_at, id LIMIT $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(
            |(opened, first_response, first_response_due, resolved, resolution_due)| Timing {
                opened,
                first_response,
                first_response_due,
                resolved,
                resolution_due,
            },
        )
        .collect())
}

/// Complaints from survey answers with a follow-up: (sent, answered, recovered).
pub async fn recovery(db: &Db) -> Result<(i64, i64, i64), sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT COUNT(*),
                COUNT(q.recovered),
                CAST(COALESCE(SUM(CASE WHEN q.recovered THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM complaints q
         WHERE EXISTS (SELECT 1 FROM survey_invitations i WHERE i.complaint_id = q.id)",
    )
    .fetch_one(c)
    .await)
}
