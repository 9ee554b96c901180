//! Plain endpoints of documents: the staff upload (a multipart form, streamed into chunks
//! as it arrives) and sending a document's bytes back, chunk by chunk.
use super::model::{
    Disposition, SubmittedUpload, UploadForm, clean_file_name, content_disposition, served_type,
};
use super::repo::{self, StoredFile};
use super::service::{self, ChunkWriter, StoredUpload};
use crate::auth::backend::{AuthSession, StaffUser};
use crate::core::error::AppError;
use crate::server::db::Db;
use crate::server::forms::{answer_on_page, ip_of, sign_in_first};
use crate::server::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::multipart::Field;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Room for the text fields and multipart framing besides the file itself.
const FORM_OVERHEAD: u64 = 64 * 1024;

/// POST `/projects/{id}/documents`: stores the file, then makes it visible if the form
/// checks out; otherwise the project page again with the messages (nothing kept).
pub async fn upload(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(project): Path<i64>,
    parts: Parts,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let page = format!("/projects/{project}");
    let result = match (
        service::check_may_upload(&state, &me, project).await,
        multipart,
    ) {
        (Err(error), _) => Err((error, UploadForm::default())),
        (Ok(()), _) if declared_length(&parts) > service::upload_limit(&state) + FORM_OVERHEAD => {
            Err((service::too_large(), UploadForm::default()))
        }
        (Ok(()), Err(_)) => Err((
            AppError::invalid("file", "documents.file_required"),
            UploadForm::default(),
        )),
        (Ok(()), Ok(multipart)) => receive(&state, &me, project, multipart, ip_of(&parts)).await,
    };
    let (result, form) = match result {
        Ok(id) => (Ok(id), UploadForm::default()),
        Err((error, form)) => (Err(error), form),
    };
    // The new document's id in the address: the page says it is uploaded.
    let done = match &result {
        Ok(id) => format!("{page}?uploaded={id}#documents"),
        Err(_) => page.clone(),
    };
    answer_on_page(
        &state,
        parts,
        &page,
        result,
        &done,
        move |errors, error_key| SubmittedUpload {
            form: UploadForm {
                form_key: String::new(),
                ..form
            },
            errors,
            error_key,
        },
    )
    .await
}

/// The request's declared body length (0 when not declared, e.g. chunked).
fn declared_length(parts: &Parts) -> u64 {
    parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Reads the form's fields in the order sent, storing the file's bytes as they come.
async fn receive(
    state: &AppState,
    me: &StaffUser,
    project: i64,
    mut multipart: Multipart,
    ip: Option<String>,
) -> Result<i64, (AppError, UploadForm)> {
    let mut form = UploadForm::default();
    let mut stored: Option<StoredUpload> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => {
                tracing::info!(%error, "upload cut short");
                return Err((discard(state, stored, upload_error(&error)).await, form));
            }
        };
        if field.name() == Some("file") && stored.is_none() {
            match store(state, me, project, field).await {
                Ok(file) => stored = file,
                Err(error) => return Err((error, form)),
            }
        } else if let Some(name) = field.name().map(str::to_string) {
            match read_text(field).await {
                Ok(text) => form.set(&name, text),
                Err(error) => return Err((discard(state, stored, error).await, form)),
            }
        }
    }
    service::complete_upload(state, me, project, &form, stored, ip)
        .await
        .map_err(|error| (error, form))
}

/// The longest text field read (a second file, say, is not read into memory).
const MAX_TEXT_FIELD: usize = 8 * 1024;

/// A text field's value, read piece by piece up to `MAX_TEXT_FIELD` bytes.
async fn read_text(mut field: Field<'_>) -> Result<String, AppError> {
    let mut bytes = Vec::new();
    while let Some(piece) = field.chunk().await.map_err(|e| upload_error(&e))? {
        bytes.extend_from_slice(&piece);
        if bytes.len() > MAX_TEXT_FIELD {
            return Err(AppError::invalid("file", "documents.upload_broken"));
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A broken or oversized body, as the message the form shows.
fn upload_error(error: &axum::extract::multipart::MultipartError) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        service::too_large()
    } else {
        AppError::invalid("file", "documents.upload_broken")
    }
}

async fn discard(state: &AppState, stored: Option<StoredUpload>, error: AppError) -> AppError {
    if let Some(s) = stored {
        let _ = repo::discard(&state.db, s.id).await;
    }
    error
}

/// Streams one file field into chunks; `None` when no file was chosen (browsers send an
/// empty part without a name).
async fn store(
    state: &AppState,
    me: &StaffUser,
    project: i64,
    mut field: Field<'_>,
) -> Result<Option<StoredUpload>, AppError> {
    let raw_name = field.file_name().unwrap_or("").to_string();
    if raw_name.is_empty() {
        return Ok(None);
    }
    let content_type = field
        .content_type()
        .unwrap_or("application/octet-stream")
        .to_string();
    let mut writer = ChunkWriter::start(
        state,
        me,
        project,
        clean_file_name(&raw_name),
        &content_type,
    )
    .await?;
    loop {
        match field.chunk().await {
            Ok(Some(bytes)) => {
                if let Err(error) = writer.push(&bytes).await {
                    writer.abandon().await;
                    return Err(error);
                }
            }
            Ok(None) => break,
            Err(error) => {
                writer.abandon().await;
                return Err(upload_error(&error));
            }
        }
    }
    writer.finish().await.map(Some)
}

#[derive(Debug, Default, Deserialize)]
pub struct FileQuery {
    /// `1`: show in the browser (for types it shows safely) instead of saving.
    #[serde(default)]
    pub view: Option<String>,
}

impl FileQuery {
    pub fn disposition(&self) -> Disposition {
        if self.view.as_deref() == Some("1") {
            Disposition::Inline
        } else {
            Disposition::Attachment
        }
    }
}

/// GET `/projects/{id}/documents/{document}`: staff read every project's documents.
pub async fn staff_download(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((project, id)): Path<(i64, i64)>,
    Query(query): Query<FileQuery>,
    parts: Parts,
) -> Response {
    if auth.user.is_none() {
        return sign_in_first(&parts);
    }
    match service::staff_file(&state, project, id).await {
        Ok(file) => send_file(&state.db, file, query.disposition()),
        Err(error) => crate::server::forms::render_error_page(&state, parts, error).await,
    }
}

/// The document's bytes as a streamed response: one chunk read from the database at a
/// time, so a large file never sits in memory whole.
pub fn send_file(db: &Db, file: StoredFile, wanted: Disposition) -> Response {
    let (content_type, showable) = served_type(&file.content_type);
    let disposition = if showable {
        wanted
    } else {
        Disposition::Attachment
    };
    let db = db.clone();
    let (id, chunks) = (file.id, file.chunk_count);
    let stream = futures_util::stream::unfold(0i64, move |seq| {
        let db = db.clone();
        async move {
            if seq >= chunks {
                return None;
            }
            let next = match repo::chunk(&db, id, seq).await {
                Ok(Some(bytes)) => Ok(Bytes::from(bytes)),
                Ok(None) => Err(std::io::Error::other(format!(
                    "document {id} lacks chunk {seq}"
                ))),
                Err(error) => Err(std::io::Error::other(error)),
            };
            if let Err(error) = &next {
                tracing::error!(%error, "a document download broke off");
            }
            // After an error the stream ends (the client sees a cut-off download).
            let seq = if next.is_ok() { seq + 1 } else { chunks };
            Some((next, seq))
        }
    });
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(file.size_bytes.max(0) as u64),
    );
    if let Ok(value) = HeaderValue::from_str(&content_disposition(disposition, &file.file_name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    // Nothing inside a document may run as this site.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'self'"),
    );
    response
}
