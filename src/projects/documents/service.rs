//! Staff work with documents: the project's list, uploads (streamed into chunks, then
//! checked and made visible in one transaction with the audit row) and reading the bytes.
use super::model::{
    CHUNK_SIZE, DocumentPage, DocumentRow, ReceivedFile, UploadForm, ValidUpload, Visibility,
    human_size, validate_upload,
};
use super::repo::{self, Finished, StoredFile};
use crate::auth::backend::StaffUser;
use crate::clients::service::can_edit;
use crate::core::error::{AppError, FieldError};
use crate::projects::repo::ProjectRecord;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::errors::db;
use crate::server::format;
use crate::server::idempotency;
use crate::server::state::AppState;
use sha2::{Digest, Sha256};

pub const PAGE_SIZE: i64 = 20;

/// The largest upload, in bytes.
pub fn upload_limit(state: &AppState) -> u64 {
    state.config.upload_limit_mb.saturating_mul(1024 * 1024)
}

async fn project(state: &AppState, id: i64) -> Result<ProjectRecord, AppError> {
    crate::projects::repo::find(&state.db, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)
}

fn may_upload_to(me: &StaffUser, project: &ProjectRecord) -> bool {
    project.archived_at.is_none() && can_edit(me, project.owner_id)
}

/// A page of a project's documents, newest first.
pub async fn list(
    state: &AppState,
    me: &StaffUser,
    project_id: i64,
    before: Option<i64>,
) -> Result<DocumentPage, AppError> {
    let p = project(state, project_id).await?;
    let rows = repo::list_for_project(&state.db, project_id, before, PAGE_SIZE + 1)
        .await
        .map_err(db)?;
    let (rows, next) = crate::server::query::keyset_page(rows, PAGE_SIZE, |r| r.id);
    let can_upload = may_upload_to(me, &p);
    let investors = if can_upload {
        repo::project_investors(&state.db, project_id)
            .await
            .map_err(db)?
    } else {
        Vec::new()
    };
    let tz = &me.0.time_zone;
    Ok(DocumentPage {
        next,
        items: rows
            .into_iter()
            .map(|r| DocumentRow {
                id: r.id,
                size: human_size(r.size_bytes),
                visibility: Visibility::parse(&r.visibility),
                uploaded_at: format::date_time(r.uploaded_at, tz),
                title: r.title,
                file_name: r.file_name,
                investor: r.investor,
                uploaded_by: r.uploaded_by,
                views: r.views,
                downloads: r.downloads,
            })
            .collect(),
        can_upload,
        investors,
        form_key: idempotency::new_key(),
        limit_mb: state.config.upload_limit_mb,
    })
}

/// Refuses an upload before any byte is read: the project exists, is live, and `me` may
/// publish to its investors.
pub async fn check_may_upload(
    state: &AppState,
    me: &StaffUser,
    project_id: i64,
) -> Result<(), AppError> {
    let p = project(state, project_id).await?;
    if may_upload_to(me, &p) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The file over the upload limit.
pub fn too_large() -> AppError {
    AppError::invalid("file", "documents.too_large")
}

/// Writes an incoming file into chunks as its bytes arrive: full chunks go to the
/// database at once, so memory holds at most one chunk whatever the file's size.
pub struct ChunkWriter {
    state: AppState,
    id: i64,
    file_name: String,
    buffer: Vec<u8>,
    written: i64,
    size: u64,
    limit: u64,
    hash: Sha256,
}

/// A file stored in chunks, not yet visible.
pub struct StoredUpload {
    pub id: i64,
    pub file: ReceivedFile,
    pub chunks: i64,
    pub sha256: String,
}

impl ChunkWriter {
    pub async fn start(
        state: &AppState,
        me: &StaffUser,
        project_id: i64,
        file_name: String,
        content_type: &str,
    ) -> Result<ChunkWriter, AppError> {
        let content_type: String = content_type.chars().take(100).collect();
        let id = repo::insert_uploading(
            &state.db,
            project_id,
            &file_name,
            &content_type,
            me.0.id,
            state.clock.now(),
        )
        .await
        .map_err(db)?;
        Ok(ChunkWriter {
            state: state.clone(),
            id,
            file_name,
            buffer: Vec::with_capacity(CHUNK_SIZE),
            written: 0,
            size: 0,
            limit: upload_limit(state),
            hash: Sha256::new(),
        })
    }

    /// Takes the next bytes of the file; past the limit the upload is refused.
    pub async fn push(&mut self, mut bytes: &[u8]) -> Result<(), AppError> {
        self.size += bytes.len() as u64;
        if self.size > self.limit {
            return Err(too_large());
        }
        self.hash.update(bytes);
        while !bytes.is_empty() {
            let room = CHUNK_SIZE - self.buffer.len();
            let (now, later) = bytes.split_at(room.min(bytes.len()));
            self.buffer.extend_from_slice(now);
            bytes = later;
            if self.buffer.len() == CHUNK_SIZE {
                self.flush().await?;
            }
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), AppError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        repo::insert_chunk(&self.state.db, self.id, self.written, &self.buffer)
            .await
            .map_err(db)?;
        self.written += 1;
        self.buffer.clear();
        Ok(())
    }

    /// Stores the last bytes; the document is complete but not yet visible.
    pub async fn finish(mut self) -> Result<StoredUpload, AppError> {
        self.flush().await?;
        Ok(StoredUpload {
            id: self.id,
            file: ReceivedFile {
                file_name: self.file_name,
                size: self.size as i64,
            },
            chunks: self.written,
            sha256: hex::encode(self.hash.finalize()),
        })
    }

    /// Gives the upload up: what was stored of it is removed.
    pub async fn abandon(self) {
        abandon(&self.state, self.id).await;
    }
}

async fn abandon(state: &AppState, id: i64) {
    if let Err(error) = repo::discard(&state.db, id).await {
        // The hourly clean-up removes it later.
        tracing::warn!(
            ?error,
            document = id,
            "could not remove an unfinished upload"
        );
    }
}

/// Makes a stored upload visible once its fields check out: one transaction with the
/// audit row and the form key (a repeated post returns the first document). On any
/// refusal the stored bytes are removed again.
pub async fn complete_upload(
    state: &AppState,
    me: &StaffUser,
    project_id: i64,
    form: &UploadForm,
    stored: Option<StoredUpload>,
    ip: Option<String>,
) -> Result<i64, AppError> {
    let stored_id = stored.as_ref().map(|s| s.id);
    let result = make_visible(state, me, project_id, form, stored, ip).await;
    if let (Some(id), Ok(kept)) = (stored_id, &result)
        && *kept == id
    {
        return result;
    }
    if let Some(id) = stored_id {
        abandon(state, id).await;
    }
    result
}

async fn make_visible(
    state: &AppState,
    me: &StaffUser,
    project_id: i64,
    form: &UploadForm,
    stored: Option<StoredUpload>,
    ip: Option<String>,
) -> Result<i64, AppError> {
    check_may_upload(state, me, project_id).await?;
    if !idempotency::is_well_formed(&form.form_key) {
        return Err(AppError::conflict("error.form_expired"));
    }
    let valid =
        validate_upload(form, stored.as_ref().map(|s| &s.file)).map_err(AppError::Invalid)?;
    let Some(stored) = stored else {
        return Err(AppError::invalid("file", "documents.file_required"));
    };
    let investors = repo::project_investors(&state.db, project_id)
        .await
        .map_err(db)?;
    if !shared_with_an_investor_of(&investors, &valid) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "client",
            "documents.investor_not_in_project",
        )]));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    if let Some(first) =
        idempotency::replay::<i64>(&mut tx, me.0.id, "document.upload", &form.form_key)
            .await
            .map_err(db)?
    {
        return Ok(first);
    }
    let done = Finished {
        upload: &valid,
        size: stored.file.size,
        chunks: stored.chunks,
        sha256: &stored.sha256,
    };
    if !repo::finish(&mut tx, stored.id, &done).await.map_err(db)? {
        return Err(AppError::NotFound);
    }
    let entry = AuditEntry::new(
        Actor::Staff(me.0.id),
        "document.upload",
        "document",
        Some(stored.id),
    )
    .after(&serde_json::json!({
        "project_id": project_id,
        "title": valid.title,
        "file_name": stored.file.file_name,
        "size": stored.file.size,
        "sha256": stored.sha256,
        "visibility": valid.visibility.as_str(),
        "client_id": valid.client_id,
    }))
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    idempotency::remember(
        &mut tx,
        me.0.id,
        "document.upload",
        &form.form_key,
        &stored.id,
        now,
    )
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(stored.id)
}

/// A one-investor document must name an investor of the project; the others need no one.
fn shared_with_an_investor_of(investors: &[(i64, String)], upload: &ValidUpload) -> bool {
    match (upload.visibility, upload.client_id) {
        (Visibility::Investor, Some(id)) => investors.iter().any(|(i, _)| *i == id),
        (Visibility::Investor, None) => false,
        _ => true,
    }
}

/// A document of `project_id` for a member of staff to read.
pub async fn staff_file(
    state: &AppState,
    project_id: i64,
    id: i64,
) -> Result<StoredFile, AppError> {
    repo::stored_file(&state.db, project_id, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)
}

/// Removes uploads a stopped server left unfinished (hourly job).
pub async fn discard_stale_uploads(state: &AppState) -> Result<usize, sqlx::Error> {
    let before = state.clock.now() - chrono::Duration::hours(24);
    let stale = repo::stale_uploads(&state.db, before).await?;
    for id in &stale {
        repo::discard(&state.db, *id).await?;
    }
    Ok(stale.len())
}
