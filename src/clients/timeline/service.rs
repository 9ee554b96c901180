//! Logging interactions and reading timelines: authorise → validate → repository → audit.
use super::model::*;
use super::repo::{self, Scope};
use crate::auth::backend::StaffUser;
use crate::core::error::AppError;
use crate::core::roles::Permission;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::errors::db;
use crate::server::state::AppState;
use crate::server::{format, idempotency};
use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;

pub const PAGE_SIZE: i64 = 20;

fn zone_of(me: &StaffUser) -> Tz {
    me.0.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
}

/// Logs an interaction with a client. Everyone who may change records may log one on any
/// client: departments share one record of each client, and a colleague from finance who
/// joined a meeting logs it too.
pub async fn log(
    state: &AppState,
    me: &StaffUser,
    client_id: i64,
    form: &InteractionForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    if !me.0.role().can(Permission::EditOwnRecords) {
        return Err(AppError::Forbidden);
    }
    if !idempotency::is_well_formed(&form.form_key) {
        return Err(AppError::conflict("error.form_expired"));
    }
    let valid = validate_interaction(form).map_err(AppError::Invalid)?;
    let Some(occurred_at) = zone_of(me)
        .from_local_datetime(&valid.occurred_local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
    else {
        return Err(AppError::invalid("occurred_at", "interaction.time_invalid"));
    };
    let now = state.clock.now();
    if occurred_at > now + Duration::days(1) {
        return Err(AppError::invalid("occurred_at", "interaction.in_future"));
    }
    if let Some(project_id) = valid.project_id {
        let open = crate::projects::repo::find(&state.db, project_id)
            .await
            .map_err(db)?
            .is_some_and(|p| p.archived_at.is_none());
        if !open {
            return Err(AppError::invalid("project_id", "form.choose_one"));
        }
    }
    let active: Vec<i64> = crate::auth::repo::active_names(&state.db)
        .await
        .map_err(db)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    if valid.staff_ids.iter().any(|id| !active.contains(id)) {
        return Err(AppError::invalid("staff_ids", "form.choose_one"));
    }
    let mut tx = state.db.begin().await.map_err(db)?;
    let client = crate::clients::repo::find_tx(&mut tx, client_id)
        .await
        .map_err(db)?
        .filter(|c| c.archived_at.is_none())
        .ok_or(AppError::NotFound)?;
    if let Some(id) =
        idempotency::replay::<i64>(&mut tx, me.0.id, "interaction.create", &form.form_key)
            .await
            .map_err(db)?
    {
        return Ok(id);
    }
    if repo::contacts_of_client(&mut tx, client.id, &valid.contact_ids)
        .await
        .map_err(db)?
        != valid.contact_ids.len()
    {
        return Err(AppError::invalid("contact_ids", "form.choose_one"));
    }
    let id = repo::insert(&mut tx, client.id, &valid, occurred_at, me.0.id, now)
        .await
        .map_err(db)?;
    let after = serde_json::json!({
        "interaction_id": id,
        "kind": valid.kind.as_str(),
        "occurred_at": occurred_at,
        "project_id": valid.project_id,
        "contact_ids": valid.contact_ids,
        "staff_ids": valid.staff_ids,
        "summary": valid.summary,
    });
    let entry = AuditEntry::new(
        Actor::Staff(me.0.id),
        "interaction.create",
        "client",
        Some(client.id),
    )
    .after(&after)
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    idempotency::remember(
        &mut tx,
        me.0.id,
        "interaction.create",
        &form.form_key,
        &id,
        now,
    )
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    crate::pipeline::lifecycle::warning::refresh_quietly(&state.db, now, client.id).await;
    Ok(id)
}

fn parse_cursor(cursor: &str) -> Option<(DateTime<Utc>, i64)> {
    let (at, id) = cursor.split_once('~')?;
    let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
    Some((at, id.parse().ok()?))
}

/// One page of a timeline (every staff member reads every client).
pub async fn page(
    state: &AppState,
    me: &StaffUser,
    scope: Scope,
    after: Option<&str>,
) -> Result<TimelinePage, AppError> {
    let after = after.and_then(parse_cursor);
    let mut rows = repo::page(&state.db, scope, after, PAGE_SIZE + 1)
        .await
        .map_err(db)?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last()
            .map(|r| format!("{}~{}", r.occurred_at.to_rfc3339(), r.id))
    } else {
        None
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let (contacts, staff) = repo::participants(&state.db, &ids).await.map_err(db)?;
    let names_of = |list: &[(i64, String)], id: i64| -> Vec<String> {
        list.iter()
            .filter(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .collect()
    };
    let tz = me.0.time_zone.clone();
    let items = rows
        .into_iter()
        .map(|r| TimelineItem {
            id: r.id,
            at: format::date_time(r.occurred_at, &tz),
            kind: InteractionKind::parse(&r.kind),
            summary: r.summary,
            client: (r.client_id, r.client_name),
            project: r.project_id.zip(r.project_name),
            contacts: names_of(&contacts, r.id),
            staff: names_of(&staff, r.id),
            logged_by: r.logged_by_name,
        })
        .collect();
    Ok(TimelinePage { items, next })
}

/// The choices of the log form of one client.
pub async fn options(
    state: &AppState,
    me: &StaffUser,
    client_id: i64,
) -> Result<LogOptions, AppError> {
    let projects = repo::projects_of_client(&state.db, client_id)
        .await
        .map_err(db)?;
    let contacts = crate::clients::repo::contacts_of(&state.db, client_id)
        .await
        .map_err(db)?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let staff = crate::auth::repo::active_names(&state.db)
        .await
        .map_err(db)?;
    let now_local = state
        .clock
        .now()
        .with_timezone(&zone_of(me))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    Ok(LogOptions {
        projects,
        staff,
        contacts,
        my_id: me.0.id,
        form_key: idempotency::new_key(),
        now_local,
    })
}
