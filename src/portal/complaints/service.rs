//! The investor's side of complaints: their list and one complaint with the part of its
//! timeline they see, and raising one (assigned to the entity's relationship manager, who
//! is e-mailed).
use super::repo;
use crate::core::error::AppError;
use crate::core::i18n::{self, Lang};
use crate::feedback::complaints::model::{
    ComplaintDetail, ComplaintForm, ComplaintPage, ComplaintRow, Severity, validate_complaint,
};
use crate::feedback::complaints::repo::{
    self as complaints, ComplaintRecord, NewComplaint, NewEvent,
};
use crate::feedback::complaints::service::{PAGE_SIZE, event_of, open_complaint, row_of};
use crate::portal::access::backend::Investor;
use crate::portal::questions::repo::{acts_for, takes_part_in};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::errors::db;
use crate::server::idempotency;
use crate::server::mail::{self, Outgoing};
use crate::server::state::AppState;

/// A complaint as the investor sees it: without the firm's internal handling (where it
/// stands against its targets, whether it was escalated).
fn client_row(r: &ComplaintRecord, tz: &str) -> ComplaintRow {
    ComplaintRow {
        target: None,
        next_due: None,
        escalated: false,
        ..row_of(r, tz, r.created_at)
    }
}

pub async fn my_complaints(
    state: &AppState,
    me: &Investor,
    before: Option<i64>,
) -> Result<ComplaintPage, AppError> {
    let rows = repo::mine(&state.db, me.0.id, before, PAGE_SIZE + 1)
        .await
        .map_err(db)?;
    let (rows, next) = crate::server::query::keyset_page(rows, PAGE_SIZE, |r| r.id);
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let unseen = repo::unseen_among(&state.db, me.0.id, &ids)
        .await
        .map_err(db)?;
    let tz = &me.0.time_zone;
    Ok(ComplaintPage {
        next,
        items: rows.iter().map(|r| client_row(r, tz)).collect(),
        unseen,
    })
}

/// Records that the investor opened complaint `id`, so its responses are no longer new.
pub async fn mark_seen(state: &AppState, me: &Investor, id: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await.map_err(db)?;
    repo::mark_seen(&mut tx, me.0.id, id, state.clock.now())
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)
}

pub async fn my_complaint(
    state: &AppState,
    me: &Investor,
    id: i64,
) -> Result<ComplaintDetail, AppError> {
    let r = repo::my_complaint(&state.db, me.0.id, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let tz = &me.0.time_zone;
    let events = complaints::events(&state.db, id, true)
        .await
        .map_err(db)?
        .into_iter()
        .map(|e| event_of(e, tz))
        .collect();
    Ok(ComplaintDetail {
        row: client_row(&r, tz),
        description: r.description.clone(),
        client_id: r.client_id,
        events,
        next_statuses: Vec::new(),
        can_respond: false,
        version: r.version,
        // Targets and escalations are the firm's internal handling.
        first_response_due: None,
        resolution_due: None,
        escalations: Vec::new(),
    })
}

/// Raises a complaint once per form key; returns its id.
pub async fn raise(
    state: &AppState,
    me: &Investor,
    form: &ComplaintForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    if !idempotency::is_well_formed(&form.form_key) {
        return Err(AppError::conflict("error.form_expired"));
    }
    let valid = validate_complaint(form).map_err(AppError::Invalid)?;
    let user = me.0.id;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    if let Some(id) = idempotency::replay::<i64>(&mut tx, user, "portal.complaint", &form.form_key)
        .await
        .map_err(db)?
    {
        return Ok(id);
    }
    let client = match valid.entity {
        Some(client) => client,
        None => crate::portal::questions::repo::ask_choices(&state.db, user)
            .await
            .map_err(db)?
            .0
            .first()
            .map(|(id, _)| *id)
            .ok_or_else(|| AppError::invalid("entity", "form.choose_one"))?,
    };
    if !acts_for(&mut tx, user, client).await.map_err(db)? {
        return Err(AppError::invalid("entity", "form.choose_one"));
    }
    if let Some(project) = valid.project
        && !takes_part_in(&mut tx, user, project).await.map_err(db)?
    {
        return Err(AppError::invalid("project", "form.choose_one"));
    }
    let owner = crate::clients::repo::owner_of(&mut tx, client)
        .await
        .map_err(db)?;
    let new = NewComplaint {
        client: Some(client),
        contact: Some(me.0.contact_id),
        portal_user: Some(user),
        project: valid.project,
        source: "portal",
        category: valid.category.as_str(),
        // Staff set the severity when they take it up.
        severity: Severity::Medium.as_str(),
        description: &valid.description,
        assignee: owner.as_ref().map(|o| o.id),
        created_by: None,
        survey_response: None,
    };
    let raised = NewEvent {
        kind: "raised",
        visible_to_client: true,
        body: None,
        from_status: None,
        to_status: Some("new"),
        staff: None,
        portal_user: Some(user),
    };
    let id = open_complaint(&mut tx, &new, &raised, now)
        .await
        .map_err(db)?;
    // An owner who has left gets no mail; the complaint is still assigned to them until
    // their clients are handed over.
    if let Some(crate::clients::repo::ClientOwner {
        name,
        email,
        locale,
        active: true,
        ..
    }) = owner
    {
        let lang = Lang::parse(&locale).unwrap_or_default();
        let base = state.config.public_url.as_str().trim_end_matches('/');
        let link = format!("{base}/complaints/{id}");
        let category = i18n::t(lang, &valid.category.i18n_key());
        let values = [
            ("name", name.as_str()),
            ("investor", me.0.name.as_str()),
            ("category", category.as_str()),
            ("link", link.as_str()),
        ];
        let purpose = format!("complaint.raised:{id}");
        mail::queue(
            &mut tx,
            &Outgoing {
                purpose: &purpose,
                to_address: &email,
                to_name: Some(&name),
                language: lang.code(),
                subject: &i18n::t_with(lang, "mail.complaint_raised.subject", &values),
                body: &i18n::t_with(lang, "mail.complaint_raised.body", &values),
            },
            now,
        )
        .await
        .map_err(db)?;
    }
    let entry = AuditEntry::new(Actor::Portal(user), "portal.complaint", "complaint", Some(id))
        .after(&serde_json::json!({ "client_id": client, "project_id": valid.project, "category": valid.category.as_str() }))
        .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    idempotency::remember(&mut tx, user, "portal.complaint", &form.form_key, &id, now)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}
