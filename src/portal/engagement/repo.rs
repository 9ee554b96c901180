//! SQL of a portal user's engagement: their reads, acknowledgements and document views as
//! one newest-first list, keyset-paged on (time, kind, row). Bind parameters only.
use crate::server::db::Db;
use crate::with_db;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

#[derive(Clone, Debug, FromRow)]
pub struct EventRow {
    pub at: DateTime<Utc>,
    /// `read`, `ack`, `view` or `download`.
    pub src: String,
    /// The row's own key within its kind (the cursor's tie-breaker).
    pub item: i64,
    pub target: i64,
    pub title: String,
    pub project_id: i64,
    pub project_name: String,
    pub version: Option<i64>,
}

/// Where the previous page ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub src: String,
    pub item: i64,
}

/// Every event of `$1`, as rows of one shape. A user has at most one read per update, so
/// the update id keys reads; acknowledgements and views key by their own id.
const EVENTS: &str = "
    SELECT r.first_read_at AS at, 'read' AS src, r.update_id AS item, r.update_id AS target,
           u.title AS title, u.project_id AS project_id, p.name AS project_name,
           u.series_version AS version
    FROM update_reads r
    JOIN updates u ON u.id = r.update_id
    JOIN projects p ON p.id = u.project_id
    WHERE r.portal_user_id = $1
    UNION ALL
    SELECT a.acknowledged_at, 'ack', a.id, a.update_id, u.title, u.project_id, p.name,
           a.series_version
    FROM acknowledgements a
    JOIN updates u ON u.id = a.update_id
    JOIN projects p ON p.id = u.project_id
    WHERE a.portal_user_id = $1
    UNION ALL
    SELECT v.viewed_at, v.kind, v.id, v.document_id, d.title, d.project_id, p.name, NULL
    FROM document_views v
    JOIN documents d ON d.id = v.document_id
    JOIN projects p ON p.id = d.project_id
    WHERE v.portal_user_id = $1";

/// One page (`limit` rows) of the user's events, newest first, after `cursor`.
pub async fn events(
    db: &Db,
    portal_user: i64,
    cursor: Option<&Cursor>,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    let after = if cursor.is_some() {
        "WHERE (e.at, e.src, e.item) < ($3, $4, $5)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT e.at, e.src, e.item, e.target, e.title, e.project_id, e.project_name, e.version
         FROM ({EVENTS}) e {after}
         ORDER BY e.at DESC, e.src DESC, e.item DESC LIMIT $2"
    );
    with_db!(db, c => {
        let mut q = sqlx::query_as::<_, EventRow>(&sql).bind(portal_user).bind(limit);
        if let Some(cursor) = cursor {
            q = q.bind(cursor.at).bind(cursor.src.clone()).bind(cursor.item);
        }
        q.fetch_all(c).await
    })
}

/// How many updates the user read, disclosures they acknowledged, documents they opened
/// and saved.
pub async fn counts(db: &Db, portal_user: i64) -> Result<(i64, i64, i64, i64), sqlx::Error> {
    with_db!(db, c => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM update_reads WHERE portal_user_id = $1),
                (SELECT COUNT(*) FROM acknowledgements WHERE portal_user_id = $1),
                (SELECT COUNT(*) FROM document_views WHERE portal_user_id = $1 AND kind = 'view'),
                (SELECT COUNT(*) FROM document_views
                 WHERE portal_user_id = $1 AND kind = 'download')",
    )
    .bind(portal_user)
    .fetch_one(c)
    .await)
}

/// The clients the user acts for, archived ones included (staff see the whole record).
pub async fn entities(db: &Db, portal_user: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as(
        "SELECT c.id, c.display_name FROM portal_user_clients l
         JOIN clients c ON c.id = l.client_id
         WHERE l.portal_user_id = $1 ORDER BY c.display_name, c.id",
    )
    .bind(portal_user)
    .fetch_all(c)
    .await)
}
