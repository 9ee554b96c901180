//! The investor's complaint reads, scoped by the portal user asking (`$1`): their own
//! complaints, for entities they still act for.
use crate::feedback::complaints::repo::{ComplaintRecord, RECORD};
use crate::server::db::Db;
use crate::with_db;

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
