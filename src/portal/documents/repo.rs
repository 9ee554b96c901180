//! The portal's document queries, scoped in SQL by the portal user asking (`$1`): a
//! document is theirs to see when it is ready, its project is one they take part in, and
//! it is shared with the project's investors or with an entity they act for.
use crate::portal::repo::MY_DEALS;
use crate::projects::documents::repo::{STORED_FILE, StoredFile};
use crate::server::db::Db;
use crate::with_db;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

/// The condition on `doc` (documents) for the portal user `$1`.
fn mine() -> String {
    format!(
        "doc.status = 'ready'
         AND doc.project_id IN (SELECT d.project_id {MY_DEALS})
         AND (doc.visibility = 'project'
              OR (doc.visibility = 'investor'
                  AND doc.client_id IN (SELECT pc.client_id FROM portal_user_clients pc
                                        WHERE pc.portal_user_id = $1)))"
    )
}

#[derive(Clone, Debug, FromRow)]
pub struct DocumentRow {
    pub id: i64,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: DateTime<Utc>,
    pub for_entity: Option<String>,
}

/// One page of the user's documents of `project`, newest first, before `before`.
pub async fn of_project(
    db: &Db,
    portal_user: i64,
    project: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<DocumentRow>, sqlx::Error> {
    let sql = format!(
        "SELECT doc.id, doc.title, doc.file_name, doc.content_type, doc.size_bytes,
                doc.uploaded_at, c.display_name AS for_entity
         FROM documents doc LEFT JOIN clients c ON c.id = doc.client_id
         WHERE doc.project_id = $2 AND doc.id < $3 AND {}
         ORDER BY doc.id DESC LIMIT $4",
        mine()
    );
    with_db!(db, c => sqlx::query_as::<_, DocumentRow>(&sql)
        .bind(portal_user)
        .bind(project)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// Document `id` if the user may open it; otherwise nothing, as for an id that does not
/// exist.
pub async fn file(db: &Db, portal_user: i64, id: i64) -> Result<Option<StoredFile>, sqlx::Error> {
    let sql = format!("{STORED_FILE} WHERE doc.id = $2 AND {}", mine());
    with_db!(db, c => sqlx::query_as::<_, StoredFile>(&sql)
        .bind(portal_user)
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// Where a recorded view came from.
pub struct ViewOrigin<'a> {
    pub kind: &'a str,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Records that the user opened or saved document `id`, if it is theirs to see; true if
/// recorded.
pub async fn record_view(
    db: &Db,
    portal_user: i64,
    id: i64,
    origin: &ViewOrigin<'_>,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "INSERT INTO document_views (document_id, portal_user_id, kind, viewed_at, ip, user_agent)
         SELECT doc.id, $1, $3, $4, $5, $6 FROM documents doc WHERE doc.id = $2 AND {}",
        mine()
    );
    let inserted = with_db!(db, c => sqlx::query(&sql)
        .bind(portal_user)
        .bind(id)
        .bind(origin.kind)
        .bind(origin.at)
        .bind(origin.ip)
        .bind(origin.user_agent)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(inserted == 1)
}
