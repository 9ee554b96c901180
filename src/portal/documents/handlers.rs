//! GET `/portal/documents/{id}`: records the view or download, then streams the bytes.
use super::repo::{self, ViewOrigin};
use crate::core::error::AppError;
use crate::portal::access::backend::{Investor, PortalAuthSession};
use crate::projects::documents::handlers::{FileQuery, send_file};
use crate::projects::documents::model::served_type;
use crate::server::errors::db;
use crate::server::forms::{ip_of, render_error_page, user_agent_of};
use crate::server::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::response::Response;

/// GET `/portal/documents/{id}` (`?view=1` to show it in place): recorded first, so
/// every view and download the investor makes is on record.
pub async fn open(
    State(state): State<AppState>,
    portal: PortalAuthSession,
    Path(id): Path<i64>,
    Query(query): Query<FileQuery>,
    parts: Parts,
) -> Response {
    let Some(me) = &portal.user else {
        return crate::portal::handlers::to_sign_in(&parts);
    };
    match recorded_file(&state, me, id, &query, &parts).await {
        Ok(file) => send_file(&state.db, file, query.disposition()),
        Err(error) => render_error_page(&state, parts, error).await,
    }
}

async fn recorded_file(
    state: &AppState,
    me: &Investor,
    id: i64,
    query: &FileQuery,
    parts: &Parts,
) -> Result<crate::projects::documents::repo::StoredFile, AppError> {
    let file = repo::file(&state.db, me.0.id, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    // What the investor is actually sent: a type the browser cannot show is saved.
    let disposition = if served_type(&file.content_type).1 {
        query.disposition()
    } else {
        crate::projects::documents::model::Disposition::Attachment
    };
    let ip = ip_of(parts);
    let user_agent = user_agent_of(parts);
    let origin = ViewOrigin {
        kind: disposition.recorded_as(),
        ip: ip.as_deref(),
        user_agent: user_agent.as_deref(),
        at: state.clock.now(),
    };
    if !repo::record_view(&state.db, me.0.id, id, &origin)
        .await
        .map_err(db)?
    {
        return Err(AppError::NotFound);
    }
    Ok(file)
}
