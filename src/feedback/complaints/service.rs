//! Complaints: raising one (from the portal here; staff-logged and survey ones come with
//! the feedback issue), the staff queue, and staff posts on the timeline (a response the
//! client sees and is e-mailed about, or an internal note, with or without a status
//! change). Each write is one transaction with its audit row.
use super::model::{
    ComplaintCategory, ComplaintDetail, ComplaintPage, ComplaintRow, ComplaintSource,
    ComplaintStatus, EventView, ResponseForm, Severity, after_first_response, may_move,
    next_statuses, summary_of, validate_response,
};
use super::model::{
    ComplaintDashboard, EscalationView, LogComplaintOptions, LoggedComplaintForm, SeverityLoad,
    validate_logged,
};
use super::repo::{self, Change, ComplaintRecord, EventRow, NewComplaint, NewEvent};
use super::targets::{DUE_SOON_HOURS, Progress, due_times, next_due, target_state};
use crate::auth::backend::StaffUser;
use crate::clients::service::can_edit;
use crate::core::error::AppError;
use crate::core::i18n::{self, Lang};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::errors::db;
use crate::server::format;
use crate::server::mail::{self, Outgoing};
use crate::server::state::AppState;
use chrono::{DateTime, Duration, Utc};

pub const PAGE_SIZE: i64 = 25;

/// A complaint in a list at moment `now` (which decides where it stands on its targets).
pub fn row_of(r: &ComplaintRecord, tz: &str, now: DateTime<Utc>) -> ComplaintRow {
    let status = ComplaintStatus::parse(&r.status);
    let progress = Progress {
        open: status.is_some_and(ComplaintStatus::is_open),
        responded: r.first_response_at.is_some(),
        first_response_due: r.first_response_due_at,
        resolution_due: r.resolution_due_at,
    };
    ComplaintRow {
        target: Some(target_state(&progress, now)),
        next_due: next_due(&progress).map(|at| format::date_time(at, tz)),
        escalated: r.escalated_at.is_some(),
        id: r.id,
        entity: r.entity.clone(),
        project: r.project.clone(),
        source: ComplaintSource::parse(&r.source),
        category: ComplaintCategory::parse(&r.category),
        severity: Severity::parse(&r.severity),
        status,
        summary: summary_of(&r.description),
        assignee: r.assignee.clone(),
        created_at: format::date_time(r.created_at, tz),
    }
}

pub fn event_of(e: EventRow, tz: &str) -> EventView {
    let by_staff = e.staff_name.is_some();
    EventView {
        to_status: e.to_status.as_deref().and_then(ComplaintStatus::parse),
        by: e.staff_name.or(e.investor_name).unwrap_or_default(),
        by_staff,
        visible_to_client: e.visible_to_client,
        at: format::date_time(e.created_at, tz),
        kind: e.kind,
        body: e.body,
    }
}

/// The staff queue, newest first: open complaints, those past a target, those due soon,
/// or all (`show`, see `model::QUEUE_TABS`).
pub async fn queue(
    state: &AppState,
    me: &StaffUser,
    show: &str,
    before: Option<i64>,
) -> Result<ComplaintPage, AppError> {
    let now = state.clock.now();
    let soon = now + Duration::hours(DUE_SOON_HOURS);
    let rows = repo::queue(&state.db, show, now, soon, before, PAGE_SIZE + 1)
        .await
        .map_err(db)?;
    let (rows, next) = crate::server::query::keyset_page(rows, PAGE_SIZE, |r| r.id);
    let tz = &me.0.time_zone;
    Ok(ComplaintPage {
        next,
        items: rows.iter().map(|r| row_of(r, tz, now)).collect(),
        unseen: Vec::new(),
    })
}

fn may_respond(me: &StaffUser, r: &ComplaintRecord) -> bool {
    // Whoever may edit the client may respond; a complaint without a client (an anonymous
    // survey answer) is for whoever may edit every record.
    can_edit(me, r.client_owner.unwrap_or(0))
}

pub async fn detail(
    state: &AppState,
    me: &StaffUser,
    id: i64,
) -> Result<ComplaintDetail, AppError> {
    let r = repo::find(&state.db, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let tz = &me.0.time_zone;
    let events = repo::events(&state.db, id, false)
        .await
        .map_err(db)?
        .into_iter()
        .map(|e| event_of(e, tz))
        .collect();
    let escalations = repo::escalations_of(&state.db, id)
        .await
        .map_err(db)?
        .into_iter()
        .map(|(target, due, at, notified)| EscalationView {
            target,
            due_at: format::date_time(due, tz),
            escalated_at: format::date_time(at, tz),
            notified,
        })
        .collect();
    let status = ComplaintStatus::parse(&r.status);
    Ok(ComplaintDetail {
        row: row_of(&r, tz, state.clock.now()),
        description: r.description.clone(),
        client_id: r.client_id,
        events,
        next_statuses: status.map(next_statuses).unwrap_or_default(),
        can_respond: may_respond(me, &r),
        version: r.version,
        first_response_due: r.first_response_due_at.map(|at| format::date_time(at, tz)),
        resolution_due: r.resolution_due_at.map(|at| format::date_time(at, tz)),
        escalations,
    })
}

/// Opens a complaint, due by its severity's targets, with the first entry of its timeline
/// (raised by `raised_by`: the investor, or the member of staff who logged it). Every
/// source of complaints opens them here.
pub async fn open_complaint(
    tx: &mut crate::server::db::Tx,
    new: &NewComplaint<'_>,
    raised_by: &NewEvent<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let due = repo::target_of(tx, new.severity)
        .await?
        .map(|target| due_times(now, target));
    open_complaint_due(tx, new, raised_by, due, now).await
}

/// Opens a complaint whose due times (from its severity's targets at `now`) were read
/// before the transaction, which then holds the writer for two statements fewer.
pub async fn open_complaint_due(
    tx: &mut crate::server::db::Tx,
    new: &NewComplaint<'_>,
    raised_by: &NewEvent<'_>,
    due: Option<(DateTime<Utc>, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let id = repo::insert(tx, new, due, now).await?;
    repo::add_event(tx, id, raised_by, now).await?;
    Ok(id)
}

/// The due times a complaint of `severity` opened at `now` gets, read outside a transaction.
pub async fn due_times_for(
    db: &crate::server::db::Db,
    severity: &str,
    now: DateTime<Utc>,
) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>, sqlx::Error> {
    Ok(super::targets::due_times_in(
        &repo::targets(db).await?,
        severity,
        now,
    ))
}

/// A staff post on complaint `id`: text for the client or a note, and/or a status change
/// the rules allow. A response to the client counts as the first response and is
/// e-mailed to an investor who raised it in the portal (unless they turned that off).
pub async fn respond(
    state: &AppState,
    me: &StaffUser,
    id: i64,
    form: &ResponseForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    let post = validate_response(form).map_err(AppError::Invalid)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let r = repo::find_tx(&mut tx, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    if !may_respond(me, &r) {
        return Err(AppError::Forbidden);
    }
    let from = ComplaintStatus::parse(&r.status).ok_or(AppError::NotFound)?;
    let responds = post.body.is_some() && post.visible_to_client;
    let mut to = if responds {
        after_first_response(from)
    } else {
        from
    };
    if let Some(wanted) = post.status {
        if wanted != to && !may_move(to, wanted) {
            return Err(AppError::invalid("status", "complaint.status_not_allowed"));
        }
        to = wanted;
    }
    let severity = post.severity.map(|s| s.as_str()).unwrap_or(&r.severity);
    let change = Change {
        status: to.as_str(),
        severity,
        first_response: responds,
        resolved: to == ComplaintStatus::Resolved && from != ComplaintStatus::Resolved,
    };
    if !repo::apply(&mut tx, id, post.version, &change, now)
        .await
        .map_err(db)?
    {
        return Err(AppError::conflict("error.stale"));
    }
    if severity != r.severity {
        // Triage: the targets of the new severity, counted from the opening.
        if let Some(target) = repo::target_of(&mut tx, severity).await.map_err(db)? {
            let (first, resolution) = due_times(r.created_at, target);
            repo::set_due_times(&mut tx, id, first, resolution)
                .await
                .map_err(db)?;
        }
    }
    if let Some(body) = post.body.as_deref() {
        let kind = if post.visible_to_client {
            "response"
        } else {
            "note"
        };
        let event = NewEvent {
            kind,
            visible_to_client: post.visible_to_client,
            body: Some(body),
            from_status: None,
            to_status: None,
            staff: Some(me.0.id),
            portal_user: None,
        };
        repo::add_event(&mut tx, id, &event, now)
            .await
            .map_err(db)?;
    }
    if to != from {
        let event = NewEvent {
            kind: "status",
            visible_to_client: true,
            body: None,
            from_status: Some(from.as_str()),
            to_status: Some(to.as_str()),
            staff: Some(me.0.id),
            portal_user: None,
        };
        repo::add_event(&mut tx, id, &event, now)
            .await
            .map_err(db)?;
    }
    if responds || to != from {
        tell_the_investor(state, &mut tx, &r, to, now).await?;
    }
    if change.resolved {
        // Closing the loop: a complaint a survey answer opened asks the customer again.
        crate::surveys::follow_up::send_after_resolution(&mut tx, state, id, now)
            .await
            .map_err(db)?;
    }
    let entry = AuditEntry::new(Actor::Staff(me.0.id), "complaint.respond", "complaint", Some(id))
        .before(&serde_json::json!({ "status": from.as_str(), "severity": r.severity }))
        .after(&serde_json::json!({ "status": to.as_str(), "severity": severity, "response": responds, "note": post.body.is_some() && !post.visible_to_client }))
        .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    // Resolving an overdue complaint lifts that part of the client's decline signal.
    if let Some(client) = r.client_id {
        crate::pipeline::lifecycle::warning::refresh_quietly(&state.db, now, client).await;
    }
    Ok(id)
}

/// E-mails the investor who raised a complaint in the portal that there is news on it.
async fn tell_the_investor(
    state: &AppState,
    tx: &mut crate::server::db::Tx,
    r: &ComplaintRecord,
    status: ComplaintStatus,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let (Some(name), Some(email), Some(true)) =
        (&r.investor_name, &r.investor_email, r.investor_notify)
    else {
        return Ok(());
    };
    let lang = r
        .investor_locale
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_default();
    let base = state.config.public_url.as_str().trim_end_matches('/');
    let link = format!("{base}/portal/complaints/{}", r.id);
    let status_name = i18n::t(lang, &status.i18n_key());
    let values = [
        ("name", name.as_str()),
        ("status", status_name.as_str()),
        ("link", link.as_str()),
    ];
    let subject = i18n::t_with(lang, "mail.complaint_news.subject", &values);
    let body = i18n::t_with(lang, "mail.complaint_news.body", &values);
    // One e-mail per complaint and state of it, however often it is retried.
    let purpose = format!("portal.complaint:{}:{}", r.id, r.version + 1);
    mail::queue(
        tx,
        &Outgoing {
            purpose: &purpose,
            to_address: email,
            to_name: Some(name),
            language: lang.code(),
            subject: &subject,
            body: &body,
        },
        now,
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// What the log-a-complaint form of client `client` offers `me`.
pub async fn log_options(
    state: &AppState,
    me: &StaffUser,
    client: i64,
) -> Result<LogComplaintOptions, AppError> {
    let record = crate::clients::repo::find(&state.db, client)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let contacts = crate::clients::repo::contacts_of(&state.db, client)
        .await
        .map_err(db)?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(LogComplaintOptions {
        form_key: crate::server::idempotency::new_key(),
        contacts,
        projects: repo::projects_of_client(&state.db, client)
            .await
            .map_err(db)?,
        can_log: can_edit(me, record.owner_id) && record.archived_at.is_none(),
    })
}

/// Logs a complaint a client made by phone, by e-mail or in a meeting, once per form key;
/// it is assigned to the client's owner. Returns its id.
pub async fn log_for_client(
    state: &AppState,
    me: &StaffUser,
    client: i64,
    form: &LoggedComplaintForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    if !crate::server::idempotency::is_well_formed(&form.form_key) {
        return Err(AppError::conflict("error.form_expired"));
    }
    let valid = validate_logged(form).map_err(AppError::Invalid)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let purpose = "complaint.log";
    if let Some(id) =
        crate::server::idempotency::replay::<i64>(&mut tx, me.0.id, purpose, &form.form_key)
            .await
            .map_err(db)?
    {
        return Ok(id);
    }
    let record = crate::clients::repo::find_tx(&mut tx, client)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    if !can_edit(me, record.owner_id) {
        return Err(AppError::Forbidden);
    }
    if record.archived_at.is_some() {
        return Err(AppError::conflict("complaint.client_archived"));
    }
    if let Some(contact) = valid.contact
        && crate::clients::repo::find_contact_tx(&mut tx, client, contact)
            .await
            .map_err(db)?
            .is_none()
    {
        return Err(AppError::invalid("contact", "form.choose_one"));
    }
    if let Some(project) = valid.project
        && !repo::client_in_project(&mut tx, client, project)
            .await
            .map_err(db)?
    {
        return Err(AppError::invalid("project", "form.choose_one"));
    }
    let new = NewComplaint {
        client: Some(client),
        contact: valid.contact,
        portal_user: None,
        project: valid.project,
        source: valid.source.as_str(),
        category: valid.category.as_str(),
        severity: valid.severity.as_str(),
        description: &valid.description,
        assignee: Some(record.owner_id),
        created_by: Some(me.0.id),
        survey_response: None,
    };
    let raised = NewEvent {
        kind: "raised",
        visible_to_client: true,
        body: None,
        from_status: None,
        to_status: Some("new"),
        staff: Some(me.0.id),
        portal_user: None,
    };
    let id = open_complaint(&mut tx, &new, &raised, now)
        .await
        .map_err(db)?;
    let entry = AuditEntry::new(
        Actor::Staff(me.0.id),
        "complaint.log",
        "complaint",
        Some(id),
    )
    .after(&serde_json::json!({
        "client_id": client, "source": valid.source.as_str(),
        "severity": valid.severity.as_str(), "category": valid.category.as_str(),
    }))
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    crate::server::idempotency::remember(&mut tx, me.0.id, purpose, &form.form_key, &id, now)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

/// At most this many complaints of the last year go into the dashboard's months.
const DASHBOARD_LIMIT: i64 = 100_000;

/// The complaint dashboard: open complaints by severity, and the last twelve months.
pub async fn dashboard(state: &AppState) -> Result<ComplaintDashboard, AppError> {
    let now = state.clock.now();
    let mut by_severity: Vec<SeverityLoad> = repo::load_by_severity(&state.db, now)
        .await
        .map_err(db)?
        .into_iter()
        .map(|(severity, open, breached)| SeverityLoad {
            severity: Severity::parse(&severity),
            open,
            breached,
        })
        .collect();
    // Most severe first.
    by_severity.sort_by_key(|s| {
        std::cmp::Reverse(
            s.severity
                .and_then(|v| Severity::ALL.iter().position(|x| *x == v))
                .unwrap_or(0),
        )
    });
    let timings = repo::timings_since(&state.db, now - Duration::days(365), DASHBOARD_LIMIT)
        .await
        .map_err(db)?;
    let tz: chrono_tz::Tz = format::DEFAULT_TIME_ZONE
        .parse()
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let (followed_up, answered, recovered) = repo::recovery(&state.db).await.map_err(db)?;
    Ok(ComplaintDashboard {
        by_severity,
        months: super::stats::monthly(&timings, tz),
        recovery: super::model::Recovery {
            followed_up,
            answered,
            recovered,
        },
    })
}

/// The response-time targets per severity, for any staff member to read; CRM officers and
/// administrators may change them.
pub async fn target_settings(
    state: &AppState,
    me: &StaffUser,
) -> Result<super::model::TargetSettings, AppError> {
    let tz = &me.0.time_zone;
    let rows = repo::target_settings(&state.db)
        .await
        .map_err(db)?
        .into_iter()
        .map(|t| super::model::TargetRow {
            severity: Severity::parse(&t.severity),
            first_response_hours: t.first_response_hours,
            resolution_hours: t.resolution_hours,
            changed_at: t.updated_at.map(|at| format::date_time(at, tz)),
            changed_by: t.updated_by,
        })
        .collect();
    Ok(super::model::TargetSettings {
        rows,
        can_edit: may_set_targets(me),
    })
}

fn may_set_targets(me: &StaffUser) -> bool {
    me.0.role()
        .can(crate::core::roles::Permission::EditAllRecords)
}

/// Saves the targets of `form` with one audit row of what changed. New targets apply to
/// complaints opened (or given a new severity) from now on; open complaints keep the due
/// times they were given, which staff and the escalation job already work to.
pub async fn save_targets(
    state: &AppState,
    me: &StaffUser,
    form: &super::targets::TargetsForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    if !may_set_targets(me) {
        return Err(AppError::Forbidden);
    }
    let targets = super::targets::validate_targets(form).map_err(AppError::Invalid)?;
    let before: Vec<(String, super::targets::Target)> =
        repo::targets(&state.db).await.map_err(db)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let mut changed = Vec::new();
    for (severity, target) in &targets {
        if repo::set_target(&mut tx, severity.as_str(), *target, me.0.id, now)
            .await
            .map_err(db)?
        {
            changed.push((severity.as_str(), *target));
        }
    }
    if !changed.is_empty() {
        let was: Vec<_> = before
            .iter()
            .filter(|(s, _)| changed.iter().any(|(c, _)| c == s))
            .collect();
        let entry = AuditEntry::new(
            Actor::Staff(me.0.id),
            "complaint.targets",
            "complaint_targets",
            None,
        )
        .before(&was)
        .after(&changed)
        .ip(ip);
        audit::record(&mut tx, now, entry).await.map_err(db)?;
    }
    tx.commit().await.map_err(db)?;
    Ok(changed.len() as i64)
}
