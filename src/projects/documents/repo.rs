//! SQL of documents on the staff side and of their bytes. Bind parameters only; both
//! engines. Chunks are written one statement each while an upload streams in, so a long
//! upload never holds a transaction (on SQLite, the write lock) open.
use super::model::ValidUpload;
use crate::server::db::{Db, Tx};
use crate::{with_db, with_tx};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

/// Starts a document that is not seen by anyone until `finish` marks it ready.
pub async fn insert_uploading(
    db: &Db,
    project_id: i64,
    file_name: &str,
    content_type: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_db!(db, c => sqlx::query_scalar(
        "INSERT INTO documents (project_id, title, file_name, content_type, size_bytes,
                                chunk_count, visibility, status, uploaded_by, uploaded_at)
         VALUES ($1, $2, $2, $3, 0, 0, 'internal', 'uploading', $4, $5) RETURNING id",
    )
    .bind(project_id)
    .bind(file_name)
    .bind(content_type)
    .bind(by)
    .bind(now)
    .fetch_one(c)
    .await)
}

pub async fn insert_chunk(
    db: &Db,
    document: i64,
    seq: i64,
    bytes: &[u8],
) -> Result<(), sqlx::Error> {
    with_db!(db, c => sqlx::query(
        "INSERT INTO document_chunks (document_id, seq, bytes) VALUES ($1, $2, $3)",
    )
    .bind(document)
    .bind(seq)
    .bind(bytes)
    .execute(c)
    .await
    .map(|_| ()))
}

/// What a finished upload is: its fields and the facts of its bytes.
pub struct Finished<'a> {
    pub upload: &'a ValidUpload,
    pub size: i64,
    pub chunks: i64,
    pub sha256: &'a str,
}

/// Marks an upload ready with its title and visibility; true if it was still uploading.
pub async fn finish(tx: &mut Tx, id: i64, done: &Finished<'_>) -> Result<bool, sqlx::Error> {
    let changed = with_tx!(tx, c => sqlx::query(
        "UPDATE documents SET title = $1, visibility = $2, client_id = $3, size_bytes = $4,
                              chunk_count = $5, sha256 = $6, status = 'ready'
         WHERE id = $7 AND status = 'uploading'",
    )
    .bind(&done.upload.title)
    .bind(done.upload.visibility.as_str())
    .bind(done.upload.client_id)
    .bind(done.size)
    .bind(done.chunks)
    .bind(done.sha256)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// Removes an upload that did not finish, with its chunks (a ready document is kept).
pub async fn discard(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => sqlx::query(
        "DELETE FROM document_chunks WHERE document_id = $1
           AND document_id IN (SELECT id FROM documents WHERE status = 'uploading')",
    )
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))?;
    with_tx!(&mut tx, c => sqlx::query(
        "DELETE FROM documents WHERE id = $1 AND status = 'uploading'",
    )
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))?;
    tx.commit().await
}

/// Uploads begun before `before` that never finished (their server stopped mid-way).
pub async fn stale_uploads(db: &Db, before: DateTime<Utc>) -> Result<Vec<i64>, sqlx::Error> {
    with_db!(db, c => sqlx::query_scalar(
        "SELECT id FROM documents WHERE status = 'uploading' AND uploaded_at < $1
         ORDER BY id LIMIT 100",
    )
    .bind(before)
    .fetch_all(c)
    .await)
}

#[derive(Clone, Debug, FromRow)]
pub struct DocumentRecord {
    pub id: i64,
    pub title: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub visibility: String,
    pub investor: Option<String>,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    pub views: i64,
    pub downloads: i64,
}

/// One page of a project's ready documents, newest first, before `before`.
pub async fn list_for_project(
    db: &Db,
    project: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<DocumentRecord>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, DocumentRecord>(
        "SELECT d.id, d.title, d.file_name, d.size_bytes, d.visibility,
                c.display_name AS investor, u.name AS uploaded_by, d.uploaded_at,
                (SELECT COUNT(*) FROM document_views v
                 WHERE v.document_id = d.id AND v.kind = 'view') AS views,
                (SELECT COUNT(*) FROM document_views v
                 WHERE v.document_id = d.id AND v.kind = 'download') AS downloads
         FROM documents d JOIN users u ON u.id = d.uploaded_by
         LEFT JOIN clients c ON c.id = d.client_id
         WHERE d.project_id = $1 AND d.status = 'ready' AND d.id < $2
         ORDER BY d.id DESC LIMIT $3",
    )
    .bind(project)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// What sending a document's bytes needs.
#[derive(Clone, Debug, FromRow)]
pub struct StoredFile {
    pub id: i64,
    pub project_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub chunk_count: i64,
}

pub const STORED_FILE: &str =
    "SELECT doc.id, doc.project_id, doc.file_name, doc.content_type, doc.size_bytes,
            doc.chunk_count FROM documents doc";

/// A ready document of `project`, for staff (every member of staff reads every project).
pub async fn stored_file(
    db: &Db,
    project: i64,
    id: i64,
) -> Result<Option<StoredFile>, sqlx::Error> {
    let sql =
        format!("{STORED_FILE} WHERE doc.id = $1 AND doc.project_id = $2 AND doc.status = 'ready'");
    with_db!(db, c => sqlx::query_as::<_, StoredFile>(&sql)
        .bind(id)
        .bind(project)
        .fetch_optional(c)
        .await)
}

/// The bytes of chunk `seq` of a document (the caller has checked who may read it).
pub async fn chunk(db: &Db, document: i64, seq: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    with_db!(db, c => sqlx::query_scalar(
        "SELECT bytes FROM document_chunks WHERE document_id = $1 AND seq = $2",
    )
    .bind(document)
    .bind(seq)
    .fetch_optional(c)
    .await)
}

/// The investor clients taking part in the project at a stage they see it (the ones a
/// document can be shared with alone), by name.
pub async fn project_investors(db: &Db, project: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT c.id, c.display_name FROM clients c
         WHERE c.archived_at IS NULL
           AND c.id IN (SELECT d.client_id FROM deals d
                        WHERE d.project_id = $1 AND d.archived_at IS NULL
                          AND d.stage IN {})
         ORDER BY c.display_name, c.id LIMIT 500",
        crate::portal::repo::INVESTOR_STAGES
    );
    with_db!(db, c => sqlx::query_as::<_, (i64, String)>(&sql)
        .bind(project)
        .fetch_all(c)
        .await)
}
