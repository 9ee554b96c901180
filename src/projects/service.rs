//! Project writes and views: authorise → validate → repository → audit, one transaction.
use super::model::*;
use super::repo::{self, ProjectRecord};
use crate::auth::backend::StaffUser;
use crate::clients::service::{can_edit, state as app_state};
use crate::core::error::AppError;
use crate::core::money::format_amount;
use crate::core::roles::Permission;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::errors::db;
pub use crate::server::forms::Outcome;
use crate::server::idempotency;
use crate::server::state::AppState;

pub fn state() -> Result<AppState, AppError> {
    app_state()
}

/// The sponsor must be an active borrower client.
async fn check_sponsor(state: &AppState, sponsor_id: i64) -> Result<String, AppError> {
    let sponsor = crate::clients::repo::find(&state.db, sponsor_id)
        .await
        .map_err(db)?;
    match sponsor {
        Some(s) if s.is_borrower && s.archived_at.is_none() => Ok(s.display_name),
        _ => Err(AppError::invalid("sponsor_id", "project.sponsor_required")),
    }
}

pub async fn new_context(state: &AppState, sponsor_id: i64) -> Result<NewProjectContext, AppError> {
    let sponsor_name = check_sponsor(state, sponsor_id).await?;
    Ok(NewProjectContext {
        sponsor_id,
        sponsor_name,
        form_key: idempotency::new_key(),
    })
}

pub async fn create(
    state: &AppState,
    me: &StaffUser,
    form: &ProjectForm,
    ip: Option<String>,
) -> Outcome {
    let result: Result<Outcome, AppError> = async {
        if !me.0.role().can(Permission::EditOwnRecords) {
            return Err(AppError::Forbidden);
        }
        if !idempotency::is_well_formed(&form.form_key) {
            return Err(AppError::conflict("error.form_expired"));
        }
        let valid = validate_project(form).map_err(AppError::Invalid)?;
        check_sponsor(state, valid.sponsor_id).await?;
        let now = state.clock.now();
        let mut tx = state.db.begin().await.map_err(db)?;
        if let Some(id) =
            idempotency::replay::<i64>(&mut tx, me.0.id, "project.create", &form.form_key)
                .await
                .map_err(db)?
        {
            return Ok(Outcome::Saved(id));
        }
        let id = repo::insert(&mut tx, &valid, me.0.id, now)
            .await
            .map_err(db)?;
        let after = repo::find_tx(&mut tx, id).await.map_err(db)?;
        let entry = AuditEntry::new(Actor::Staff(me.0.id), "project.create", "project", Some(id))
            .after(&after)
            .ip(ip);
        audit::record(&mut tx, now, entry).await.map_err(db)?;
        idempotency::remember(&mut tx, me.0.id, "project.create", &form.form_key, &id, now)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Outcome::Saved(id))
    }
    .await;
    result.unwrap_or_else(Outcome::Failed)
}

pub async fn update(
    state: &AppState,
    me: &StaffUser,
    id: i64,
    form: &ProjectForm,
    ip: Option<String>,
) -> Outcome {
    let result: Result<Outcome, AppError> = async {
        let Ok(version) = form.version.trim().parse::<i64>() else {
            return Err(AppError::conflict("error.form_expired"));
        };
        let now = state.clock.now();
        let mut tx = state.db.begin().await.map_err(db)?;
        let before = repo::find_tx(&mut tx, id)
            .await
            .map_err(db)?
            .filter(|p| p.archived_at.is_none())
            .ok_or(AppError::NotFound)?;
        if !can_edit(me, before.owner_id) {
            return Err(AppError::Forbidden);
        }
        // The sponsor does not change on edit.
        let form = ProjectForm {
            sponsor_id: before.sponsor_id.to_string(),
            ..form.clone()
        };
        let valid = validate_project(&form).map_err(AppError::Invalid)?;
        if !repo::update(&mut tx, id, version, &valid, now)
            .await
            .map_err(db)?
        {
            return Ok(Outcome::Conflict);
        }
        let after = repo::find_tx(&mut tx, id).await.map_err(db)?;
        let entry = AuditEntry::new(Actor::Staff(me.0.id), "project.update", "project", Some(id))
            .before(&before)
            .after(&after)
            .ip(ip);
        audit::record(&mut tx, now, entry).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Outcome::Saved(id))
    }
    .await;
    result.unwrap_or_else(Outcome::Failed)
}

pub async fn add_tranche(
    state: &AppState,
    me: &StaffUser,
    project_id: i64,
    form: &TrancheForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    if !idempotency::is_well_formed(&form.form_key) {
        return Err(AppError::conflict("error.form_expired"));
    }
    let valid = validate_tranche(form).map_err(AppError::Invalid)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let project = repo::find_tx(&mut tx, project_id)
        .await
        .map_err(db)?
        .filter(|p| p.archived_at.is_none())
        .ok_or(AppError::NotFound)?;
    if !can_edit(me, project.owner_id) {
        return Err(AppError::Forbidden);
    }
    if let Some(id) = idempotency::replay::<i64>(&mut tx, me.0.id, "tranche.create", &form.form_key)
        .await
        .map_err(db)?
    {
        return Ok(id);
    }
    let id = repo::insert_tranche(&mut tx, project_id, &valid, now)
        .await
        .map_err(db)?;
    let after = serde_json::json!({ "tranche_id": id, "name": valid.name, "instrument": valid.instrument.as_str(), "size": valid.size, "currency": valid.currency });
    let entry = AuditEntry::new(
        Actor::Staff(me.0.id),
        "tranche.create",
        "project",
        Some(project_id),
    )
    .after(&after)
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    idempotency::remember(&mut tx, me.0.id, "tranche.create", &form.form_key, &id, now)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

pub fn form_of(p: &ProjectRecord) -> ProjectForm {
    ProjectForm {
        version: p.version.to_string(),
        sponsor_id: p.sponsor_id.to_string(),
        name: p.name.clone(),
        latin_name: p.latin_name.clone().unwrap_or_default(),
        sector: p.sector.clone(),
        country: p.country.clone(),
        total_size: format!("{}.{:02}", p.total_size / 100, p.total_size % 100),
        currency: p.currency.clone(),
        stage: p.stage.clone(),
        risk_rating: p.risk_rating.clone(),
        expected_return: p
            .expected_return_bps
            .map(|b| format_bps(b).trim_end_matches('%').to_string())
            .unwrap_or_default(),
        tenor_months: p.tenor_months.map(|m| m.to_string()).unwrap_or_default(),
        esg_category: p.esg_category.clone(),
        showcase: p.showcase,
        description: p.description.clone().unwrap_or_default(),
        ..ProjectForm::default()
    }
}

pub fn row_of(p: &ProjectRecord, lang: crate::core::i18n::Lang) -> ProjectRow {
    ProjectRow {
        id: p.id,
        name: p.name.clone(),
        sponsor_name: p.sponsor_name.clone(),
        sector: crate::clients::model::Sector::parse(&p.sector),
        country: p.country.clone(),
        size: format_amount(p.total_size, &p.currency, lang),
        stage: ProjectStage::parse(&p.stage),
        showcase: p.showcase,
    }
}

pub async fn detail(state: &AppState, me: &StaffUser, id: i64) -> Result<ProjectDetail, AppError> {
    let p = repo::find(&state.db, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let lang = me.0.lang();
    let coverage = repo::tranche_coverage(&state.db, id).await.map_err(db)?;
    let tranches = repo::tranches_of(&state.db, id)
        .await
        .map_err(db)?
        .into_iter()
        .map(|t| {
            // Deals in another currency than the tranche's do not count towards its bar.
            let (committed, weighted) = coverage
                .iter()
                .find(|(tranche, currency, ..)| *tranche == t.id && *currency == t.currency)
                .map(|(_, _, c, w)| (*c, *w))
                .unwrap_or((0, 0));
            let size = t.size.max(1) as i128;
            let pct = |amount: i64| ((amount as i128 * 100) / size).clamp(0, 100) as i64;
            let (committed_pct, weighted_pct) = (pct(committed), pct(weighted));
            (t, committed, weighted, committed_pct, weighted_pct)
        })
        .map(
            |(t, committed, weighted, committed_pct, weighted_pct)| TrancheView {
                committed: format_amount(committed, &t.currency, lang),
                weighted: format_amount(weighted, &t.currency, lang),
                committed_pct,
                weighted_pct,
                id: t.id,
                name: t.name,
                instrument: crate::clients::model::Instrument::parse(&t.instrument),
                size: format_amount(t.size, &t.currency, lang),
                pricing: t.pricing_bps.map(format_bps),
                tenor_months: t.tenor_months,
                risk_band: crate::clients::model::RiskAppetite::parse(&t.risk_band),
            },
        )
        .collect();
    Ok(ProjectDetail {
        id,
        name: p.name.clone(),
        latin_name: p.latin_name.clone(),
        sponsor_id: p.sponsor_id,
        sponsor_name: p.sponsor_name.clone(),
        owner_name: p.owner_name.clone(),
        sector: crate::clients::model::Sector::parse(&p.sector),
        country: p.country.clone(),
        size: format_amount(p.total_size, &p.currency, lang),
        stage: ProjectStage::parse(&p.stage),
        risk_rating: RiskRating::parse(&p.risk_rating),
        expected_return: p.expected_return_bps.map(format_bps),
        tenor_months: p.tenor_months,
        esg_category: EsgCategory::parse(&p.esg_category),
        showcase: p.showcase,
        description: p.description.clone(),
        tranches,
        can_edit: p.archived_at.is_none() && can_edit(me, p.owner_id),
        form: form_of(&p),
        tranche_form_key: idempotency::new_key(),
    })
}
