//! The investor's complaint reads, scoped by the portal user asking (`$1`): their own
//! complaints, for entities they still act for.
use crate::feedback::complaints::repo::{ComplaintRecord, RECORD};
use crate::server::db::{Db, Tx};
use crate::{with_db, with_tx};
use chrono::{DateTime, Utc};

const MINE: &str = "q.portal_user_id = $1
    AND q.client_id IN (SELECT pa.client_id FROM portal_user_clients pa
                        WHERE pa.portal_user_id = $1)";

/// One page of the user's complaints, newest first before `before`.
pub async fn mine(
    db: &Db,
    portal_user: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ComplaintRecord>, sqlx::Error> {
    let sql = format!("{RECORD} WHERE {MINE} AND q.id < $2 ORDER BY q.id DESC LIMIT $3");
    with_db!(db, c => sqlx::query_as::<_, ComplaintRecord>(&sql)
        .bind(portal_user)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// Complaint `id` if it is the user's own; otherwise nothing.
pub async fn my_complaint(
    db: &Db,
    portal_user: i64,
    id: i64,
) -> Result<Option<ComplaintRecord>, sqlx::Error> {
    let sql = format!("{RECORD} WHERE {MINE} AND q.id = $2");
    with_db!(db, c => sqlx::query_as::<_, ComplaintRecord>(&sql)
        .bind(portal_user)
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// The user's complaints with a staff response they have not opened since (never opened
/// counts as not seen).
const UNSEEN: &str = "EXISTS (SELECT 1 FROM complaint_events e
    WHERE e.complaint_id = q.id AND e.visible_to_client = TRUE AND e.staff_id IS NOT NULL
      AND (q.investor_seen_at IS NULL OR e.created_at > q.investor_seen_at))";

/// How many of the user's complaints have a response they have not seen.
pub async fn unseen_count(db: &Db, portal_user: i64) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM complaints q WHERE {MINE} AND {UNSEEN}");
    with_db!(db, c => sqlx::query_scalar(&sql).bind(portal_user).fetch_one(c).await)
}

/// Which of the complaints `ids` (one page of the list) have a response not seen yet.
pub async fn unseen_among(db: &Db, portal_user: i64, ids: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    let (Some(low), Some(high)) = (ids.iter().min(), ids.iter().max()) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT q.id FROM complaints q WHERE {MINE} AND q.id BETWEEN $2 AND $3 AND {UNSEEN}"
    );
    with_db!(db, c => sqlx::query_scalar(&sql)
        .bind(portal_user)
        .bind(*low)
        .bind(*high)
        .fetch_all(c)
        .await)
}

/// Records that the user opened their complaint `id` (nothing, if it is not theirs).
/// The record's version stays: seeing a complaint is not a change staff could conflict with.
pub async fn mark_seen(
    tx: &mut Tx,
    portal_user: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql =
        format!("UPDATE complaints AS q SET investor_seen_at = $3 WHERE {MINE} AND q.id = $2");
    with_tx!(tx, c => sqlx::query(&sql)
        .bind(portal_user)
        .bind(id)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ()))
}
