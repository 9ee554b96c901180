//! The investor's documents of one project, newest first (listing only what the portal's
//! scope lets them open).
use super::model::{PortalDocument, PortalDocumentPage};
use super::repo;
use crate::core::error::AppError;
use crate::portal::access::backend::Investor;
use crate::projects::documents::model::{human_size, served_type};
use crate::server::errors::db;
use crate::server::format;
use crate::server::state::AppState;

pub const PAGE_SIZE: i64 = 20;

/// One page of the documents of `project` the investor may open, newest first.
pub async fn page(
    state: &AppState,
    me: &Investor,
    project: i64,
    before: Option<i64>,
) -> Result<PortalDocumentPage, AppError> {
    // A project they do not take part in is "not found", as the project page says.
    crate::portal::repo::project(&state.db, me.0.id, project)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let rows = repo::of_project(&state.db, me.0.id, project, before, PAGE_SIZE + 1)
        .await
        .map_err(db)?;
    let (rows, next) = crate::server::query::keyset_page(rows, PAGE_SIZE, |r| r.id);
    let tz = &me.0.time_zone;
    Ok(PortalDocumentPage {
        next,
        items: rows
            .into_iter()
            .map(|r| PortalDocument {
                id: r.id,
                viewable: served_type(&r.content_type).1,
                size: human_size(r.size_bytes),
                uploaded_at: format::date_time(r.uploaded_at, tz),
                title: r.title,
                file_name: r.file_name,
                for_entity: r.for_entity,
            })
            .collect(),
    })
}
