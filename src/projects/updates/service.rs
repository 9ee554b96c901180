//! Staff publishing to a project's investors: drafts, publication (which locks the version
//! and fixes its content hash), corrections as new versions, and who has acknowledged.
//! Each write is one transaction with its audit row.
use super::model::{
    PendingReader, UpdateDetail, UpdateForm, UpdateKind, UpdateNewInfo, UpdatePage, UpdateRow,
    VersionLink, hashed_content, validate_update,
};
use super::repo::{self, UpdateRecord};
use crate::auth::backend::StaffUser;
use crate::clients::service::can_edit;
use crate::core::error::AppError;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::errors::db;
use crate::server::format;
use crate::server::idempotency;
use crate::server::state::AppState;
use sha2::{Digest, Sha256};

pub const PAGE_SIZE: i64 = 20;

fn may_publish(me: &StaffUser, project_owner: i64, archived: bool) -> bool {
    !archived && can_edit(me, project_owner)
}

/// A project's updates (newest version of each), one page before `before`.
pub async fn list(
    state: &AppState,
    me: &StaffUser,
    project_id: i64,
    before: Option<i64>,
) -> Result<UpdatePage, AppError> {
    let project = crate::projects::repo::find(&state.db, project_id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let mut rows = repo::list_for_project(&state.db, project_id, before, PAGE_SIZE + 1)
        .await
        .map_err(db)?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let audience = repo::audience_size(&state.db, project_id)
        .await
        .map_err(db)?;
    let tz = &me.0.time_zone;
    Ok(UpdatePage {
        next: if more {
            rows.last().map(|r| r.id)
        } else {
            None
        },
        items: rows
            .into_iter()
            .map(|r| UpdateRow {
                id: r.id,
                kind: UpdateKind::parse(&r.kind),
                published: r.status == "published",
                published_at: r.published_at.map(|at| format::date_time(at, tz)),
                acknowledged: (r.requires_ack && r.status == "published")
                    .then_some((r.acknowledged, audience)),
                title: r.title,
                series_version: r.series_version,
            })
            .collect(),
        can_publish: may_publish(me, project.owner_id, project.archived_at.is_some()),
    })
}

pub async fn new_info(
    state: &AppState,
    me: &StaffUser,
    project_id: i64,
) -> Result<UpdateNewInfo, AppError> {
    let project = crate::projects::repo::find(&state.db, project_id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    if !may_publish(me, project.owner_id, project.archived_at.is_some()) {
        return Err(AppError::Forbidden);
    }
    Ok(UpdateNewInfo {
        project_id,
        project_name: project.name,
        form_key: idempotency::new_key(),
    })
}

fn form_of(r: &UpdateRecord) -> UpdateForm {
    UpdateForm {
        kind: r.kind.clone(),
        title: r.title.clone(),
        body: r.body.clone(),
        form_key: String::new(),
    }
}

pub async fn detail(state: &AppState, me: &StaffUser, id: i64) -> Result<UpdateDetail, AppError> {
    let r = repo::find(&state.db, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let tz = &me.0.time_zone;
    let published = r.status == "published";
    let versions = repo::versions(&state.db, r.series_id)
        .await
        .map_err(db)?
        .into_iter()
        .map(|v| VersionLink {
            id: v.id,
            series_version: v.series_version,
            published_at: v.published_at.map(|at| format::date_time(at, tz)),
        })
        .collect();
    let (pending, acknowledged) = if published && r.requires_ack {
        let pending = repo::pending_readers(&state.db, r.project_id, id)
            .await
            .map_err(db)?
            .into_iter()
            .map(|(name, email)| PendingReader { name, email })
            .collect();
        let count = repo::acknowledged_count(&state.db, id).await.map_err(db)?;
        (pending, count)
    } else {
        (Vec::new(), 0)
    };
    Ok(UpdateDetail {
        id: r.id,
        project_id: r.project_id,
        project_name: r.project_name.clone(),
        kind: UpdateKind::parse(&r.kind),
        form: form_of(&r),
        title: r.title.clone(),
        body: r.body.clone(),
        series_version: r.series_version,
        published,
        published_at: r.published_at.map(|at| format::date_time(at, tz)),
        published_by: r.published_by_name.clone(),
        requires_ack: r.requires_ack,
        content_hash: r.content_hash.clone(),
        versions,
        pending,
        acknowledged,
        can_edit: may_publish(me, r.project_owner, r.project_archived),
        version: r.version,
    })
}

/// Writes a new draft for `project_id` once per form key; returns its id.
pub async fn create(
    state: &AppState,
    me: &StaffUser,
    project_id: i64,
    form: &UpdateForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    let project = crate::projects::repo::find(&state.db, project_id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    if !may_publish(me, project.owner_id, project.archived_at.is_some()) {
        return Err(AppError::Forbidden);
    }
    if !idempotency::is_well_formed(&form.form_key) {
        return Err(AppError::conflict("error.form_expired"));
    }
    let valid = validate_update(form).map_err(AppError::Invalid)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    if let Some(id) = idempotency::replay::<i64>(&mut tx, me.0.id, "update.create", &form.form_key)
        .await
        .map_err(db)?
    {
        return Ok(id);
    }
    let id = repo::insert_draft(&mut tx, project_id, me.0.id, &valid, None, now)
        .await
        .map_err(db)?;
    let entry = AuditEntry::new(Actor::Staff(me.0.id), "update.create", "update", Some(id))
        .after(&serde_json::json!({ "project_id": project_id, "kind": valid.kind.as_str(), "title": valid.title }))
        .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    idempotency::remember(&mut tx, me.0.id, "update.create", &form.form_key, &id, now)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

/// The update `id` for a change by `me`: it exists, and `me` may publish on its project.
async fn editable(
    tx: &mut crate::server::db::Tx,
    me: &StaffUser,
    id: i64,
) -> Result<UpdateRecord, AppError> {
    let r = repo::find_tx(tx, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    if !may_publish(me, r.project_owner, r.project_archived) {
        return Err(AppError::Forbidden);
    }
    Ok(r)
}

/// Saves a draft; a published version cannot change, and a stale form is a conflict.
pub async fn edit(
    state: &AppState,
    me: &StaffUser,
    id: i64,
    version: i64,
    form: &UpdateForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    let valid = validate_update(form).map_err(AppError::Invalid)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let before = editable(&mut tx, me, id).await?;
    if before.status == "published" {
        return Err(AppError::conflict("updates.locked"));
    }
    if !repo::update_draft(&mut tx, id, version, &valid, now)
        .await
        .map_err(db)?
    {
        return Err(AppError::conflict("error.stale"));
    }
    let entry = AuditEntry::new(Actor::Staff(me.0.id), "update.edit", "update", Some(id))
        .before(&serde_json::json!({ "title": before.title, "body": before.body }))
        .after(&serde_json::json!({ "title": valid.title, "body": valid.body }))
        .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

/// Publishes a draft to the project's investors: the version is locked from now on and its
/// content hash is what acknowledgements will name.
pub async fn publish(
    state: &AppState,
    me: &StaffUser,
    id: i64,
    version: i64,
    ip: Option<String>,
) -> Result<i64, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let r = editable(&mut tx, me, id).await?;
    if r.status == "published" {
        // A second click of the same button: the version is out already.
        return Ok(id);
    }
    let kind = UpdateKind::parse(&r.kind).ok_or(AppError::NotFound)?;
    let hash = hex::encode(Sha256::digest(hashed_content(kind, &r.title, &r.body)));
    if !repo::publish(&mut tx, id, version, &hash, me.0.id, now)
        .await
        .map_err(db)?
    {
        return Err(AppError::conflict("error.stale"));
    }
    let entry = AuditEntry::new(Actor::Staff(me.0.id), "update.publish", "update", Some(id))
        .after(&serde_json::json!({ "series_version": r.series_version, "content_hash": hash }))
        .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    super::notify::enqueue(&mut tx, id, now).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

/// Starts a correction of a published update: a draft of the next version with the same
/// content, or the series' open draft if there is one already.
pub async fn new_version(
    state: &AppState,
    me: &StaffUser,
    id: i64,
    ip: Option<String>,
) -> Result<i64, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let r = editable(&mut tx, me, id).await?;
    let (draft, highest) = repo::series_state(&mut tx, r.series_id).await.map_err(db)?;
    if let Some(draft) = draft {
        return Ok(draft);
    }
    let valid = validate_update(&form_of(&r)).map_err(AppError::Invalid)?;
    let draft = repo::insert_draft(
        &mut tx,
        r.project_id,
        me.0.id,
        &valid,
        Some((r.series_id, highest + 1)),
        now,
    )
    .await
    .map_err(db)?;
    let entry = AuditEntry::new(
        Actor::Staff(me.0.id),
        "update.new_version",
        "update",
        Some(draft),
    )
    .after(&serde_json::json!({ "series_id": r.series_id, "series_version": highest + 1 }))
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(draft)
}
