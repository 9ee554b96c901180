//! Deal writes and views: authorise → validate → repository → audit (and the stage move),
//! in one transaction.
use super::model::*;
use super::repo::{self, DealRecord, NewMove};
use crate::auth::backend::StaffUser;
use crate::clients::model::{HistoryView, reporting_amount};
use crate::clients::service::{can_edit, resolve_owner, today};
use crate::core::error::AppError;
use crate::core::i18n::Lang;
use crate::core::money::{REPORTING_CURRENCY, format_amount};
use crate::core::roles::Permission;
use crate::pipeline::rules::{DealFacts, Verdict, deal_move};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::errors::db;
use crate::server::forms::Outcome;
use crate::server::state::AppState;
use crate::server::{format, idempotency};

/// The investor of a deal, as the rules need it.
pub(crate) struct Investor {
    pub name: String,
    pub owner_id: i64,
    pub kyc_valid: bool,
}

/// The investor of a deal: an active investor client.
pub(crate) async fn check_investor(state: &AppState, client_id: i64) -> Result<Investor, AppError> {
    let client = crate::clients::repo::find(&state.db, client_id)
        .await
        .map_err(db)?;
    investor_of(client, today(state))
}

/// The client `client` as a deal's investor on `today`: refused unless it is an active
/// investor.
pub(crate) fn investor_of(
    client: Option<crate::clients::repo::ClientRecord>,
    today: chrono::NaiveDate,
) -> Result<Investor, AppError> {
    match client {
        Some(c) if c.is_investor && c.archived_at.is_none() => {
            // Valid, and not past its review date (due soon still counts as valid).
            let kyc_valid = c
                .kyc_status
                .as_deref()
                .and_then(crate::clients::model::KycStatus::parse)
                .is_some_and(|status| {
                    matches!(
                        crate::clients::model::kyc_flag(status, c.kyc_review_due, today),
                        None | Some(crate::clients::model::KycFlag::DueSoon)
                    )
                });
            Ok(Investor {
                name: c.display_name,
                owner_id: c.owner_id,
                kyc_valid,
            })
        }
        _ => Err(AppError::invalid("client_id", "deal.investor_required")),
    }
}

/// Applies the pipeline's stage rules to a change of stage (or to a new deal's stage, as a
/// move from nowhere): refused moves and missing reasons are field messages.
fn check_stage(
    from: Option<DealStage>,
    valid: &ValidDeal,
    kyc_valid: bool,
) -> Result<(), AppError> {
    let facts = DealFacts {
        has_committed_amount: valid.committed_amount.is_some(),
        kyc_valid,
    };
    let verdict = match from {
        Some(from) if from == valid.stage => return Ok(()),
        Some(from) => deal_move(from, valid.stage, facts),
        // A new deal may be recorded in any stage (history is entered too), but a
        // commitment still needs its amount and a valid KYC.
        None if valid.stage.needs_committed_amount() && !kyc_valid => {
            Verdict::Refused("move.kyc_required".into())
        }
        None => return Ok(()),
    };
    match verdict.with_reason(valid.reason.as_deref()) {
        Verdict::Allowed { .. } => Ok(()),
        Verdict::NeedsReason(key) => Err(AppError::invalid("reason", &key)),
        Verdict::Refused(key) => Err(AppError::invalid("stage", &key)),
    }
}

/// The project (not archived) and, when one is chosen, a tranche of that very project.
async fn check_project(
    state: &AppState,
    project_id: i64,
    tranche_id: Option<i64>,
) -> Result<String, AppError> {
    let project = crate::projects::repo::find(&state.db, project_id)
        .await
        .map_err(db)?
        .filter(|p| p.archived_at.is_none())
        .ok_or_else(|| AppError::invalid("project_id", "deal.project_required"))?;
    if let Some(tranche_id) = tranche_id {
        let tranches = crate::projects::repo::tranches_of(&state.db, project_id)
            .await
            .map_err(db)?;
        if !tranches.iter().any(|t| t.id == tranche_id) {
            return Err(AppError::invalid("tranche_id", "form.choose_one"));
        }
    }
    Ok(project.name)
}

pub async fn create(
    state: &AppState,
    me: &StaffUser,
    form: &DealForm,
    ip: Option<String>,
) -> Outcome {
    let result: Result<Outcome, AppError> = async {
        if !me.0.role().can(Permission::EditOwnRecords) {
            return Err(AppError::Forbidden);
        }
        if !idempotency::is_well_formed(&form.form_key) {
            return Err(AppError::conflict("error.form_expired"));
        }
        let valid = validate_deal(form).map_err(AppError::Invalid)?;
        let investor = check_investor(state, valid.client_id).await?;
        // An rm starts deals for the investors they look after.
        if !can_edit(me, investor.owner_id) {
            return Err(AppError::Forbidden);
        }
        check_stage(None, &valid, investor.kyc_valid)?;
        check_project(state, valid.project_id, valid.tranche_id).await?;
        let owner_id = resolve_owner(state, me, valid.owner_id, None).await?;
        let now = state.clock.now();
        let mut tx = state.db.begin().await.map_err(db)?;
        if let Some(id) =
            idempotency::replay::<i64>(&mut tx, me.0.id, "deal.create", &form.form_key)
                .await
                .map_err(db)?
        {
            return Ok(Outcome::Saved(id));
        }
        if repo::open_twin(&mut tx, valid.client_id, valid.project_id, valid.tranche_id)
            .await
            .map_err(db)?
            .is_some()
        {
            return Err(AppError::invalid("project_id", "deal.already_open"));
        }
        let id = repo::insert(&mut tx, &valid, owner_id, now)
            .await
            .map_err(db)?;
        let first_move = NewMove {
            deal_id: id,
            from: None,
            to: valid.stage,
            by: me.0.id,
            at: now,
            reason: valid.reason.as_deref(),
            request_id: Some(&form.form_key),
        };
        repo::insert_move(&mut tx, &first_move).await.map_err(db)?;
        repo::refresh_commitments(&mut tx, valid.client_id)
            .await
            .map_err(db)?;
        let after = repo::find_tx(&mut tx, id).await.map_err(db)?;
        let entry = AuditEntry::new(Actor::Staff(me.0.id), "deal.create", "deal", Some(id))
            .after(&after)
            .ip(ip);
        audit::record(&mut tx, now, entry).await.map_err(db)?;
        idempotency::remember(&mut tx, me.0.id, "deal.create", &form.form_key, &id, now)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        crate::pipeline::lifecycle::warning::refresh_quietly(&state.db, now, valid.client_id).await;
        Ok(Outcome::Saved(id))
    }
    .await;
    result.unwrap_or_else(Outcome::Failed)
}

pub async fn update(
    state: &AppState,
    me: &StaffUser,
    id: i64,
    form: &DealForm,
    ip: Option<String>,
) -> Outcome {
    let result: Result<Outcome, AppError> = async {
        let Ok(version) = form.version.trim().parse::<i64>() else {
            return Err(AppError::conflict("error.form_expired"));
        };
        let current = repo::find(&state.db, id)
            .await
            .map_err(db)?
            .filter(|d| d.archived_at.is_none())
            .ok_or(AppError::NotFound)?;
        if !can_edit(me, current.owner_id) {
            return Err(AppError::Forbidden);
        }
        // The investor and the project of a deal are fixed once it exists.
        let form = DealForm {
            client_id: current.client_id.to_string(),
            project_id: current.project_id.to_string(),
            ..form.clone()
        };
        let valid = validate_deal(&form).map_err(AppError::Invalid)?;
        let investor = check_investor(state, current.client_id).await?;
        check_stage(DealStage::parse(&current.stage), &valid, investor.kyc_valid)?;
        check_project(state, valid.project_id, valid.tranche_id).await?;
        let owner_id = resolve_owner(state, me, valid.owner_id, Some(current.owner_id)).await?;
        let now = state.clock.now();
        let mut tx = state.db.begin().await.map_err(db)?;
        let Some(before) = repo::find_tx(&mut tx, id).await.map_err(db)? else {
            return Err(AppError::NotFound);
        };
        if !repo::update(&mut tx, id, version, &valid, owner_id, now)
            .await
            .map_err(db)?
        {
            return Ok(Outcome::Conflict);
        }
        let from = DealStage::parse(&before.stage);
        if from != Some(valid.stage) {
            let stage_move = NewMove {
                deal_id: id,
                from,
                to: valid.stage,
                by: me.0.id,
                at: now,
                reason: valid.reason.as_deref(),
                request_id: None,
            };
            repo::insert_move(&mut tx, &stage_move).await.map_err(db)?;
        }
        repo::refresh_commitments(&mut tx, before.client_id)
            .await
            .map_err(db)?;
        let after = repo::find_tx(&mut tx, id).await.map_err(db)?;
        let entry = AuditEntry::new(Actor::Staff(me.0.id), "deal.update", "deal", Some(id))
            .before(&before)
            .after(&after)
            .ip(ip);
        audit::record(&mut tx, now, entry).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        crate::pipeline::lifecycle::warning::refresh_quietly(&state.db, now, before.client_id)
            .await;
        Ok(Outcome::Saved(id))
    }
    .await;
    result.unwrap_or_else(Outcome::Failed)
}

fn amount_text(minor: Option<i64>, currency: &str, lang: Lang) -> Option<String> {
    minor.map(|m| format_amount(m, currency, lang))
}

pub fn row_of(d: &DealRecord, lang: Lang) -> DealRow {
    DealRow {
        id: d.id,
        client_id: d.client_id,
        client_name: d.client_name.clone(),
        project_id: d.project_id,
        project_name: d.project_name.clone(),
        tranche_name: d.tranche_name.clone(),
        stage: DealStage::parse(&d.stage),
        amount: format_amount(
            counted_amount(d.indicated_amount, d.committed_amount),
            &d.currency,
            lang,
        ),
        probability: d.probability,
        expected_close: d.expected_close.map(|c| c.to_string()),
        owner_name: d.owner_name.clone(),
    }
}

/// Totals of all deals matching the filter, per currency and converted where every
/// currency has a rate.
pub async fn totals(
    state: &AppState,
    filter: &DealFilter,
    lang: Lang,
) -> Result<DealTotals, AppError> {
    let sums = repo::totals(&state.db, filter).await.map_err(db)?;
    let rates = repo::rates_on(&state.db, today(state)).await.map_err(db)?;
    let mut converted = Some((0i64, 0i64, 0i64, None::<chrono::NaiveDate>));
    for s in &sums {
        let rate = rates.iter().find(|(c, _, _)| *c == s.currency);
        let convert = |minor: i64| reporting_amount(minor, &s.currency, rate.map(|r| r.2));
        converted = match (
            converted,
            convert(s.indicated),
            convert(s.committed),
            convert(s.weighted),
        ) {
            (Some((i, c, w, oldest)), Some(ci), Some(cc), Some(cw)) => {
                let used = rate
                    .filter(|_| s.currency != REPORTING_CURRENCY)
                    .map(|r| r.1);
                let oldest = match (oldest, used) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                Some((i + ci, c + cc, w + cw, oldest))
            }
            _ => None,
        };
    }
    let per_currency: Vec<CurrencyTotal> = sums
        .iter()
        .map(|s| CurrencyTotal {
            currency: s.currency.clone(),
            count: s.count,
            indicated: format_amount(s.indicated, &s.currency, lang),
            committed: format_amount(s.committed, &s.currency, lang),
            weighted: format_amount(s.weighted, &s.currency, lang),
        })
        .collect();
    // Converting is worth showing only when more than one currency is summed.
    let converted = converted
        .filter(|_| sums.len() > 1)
        .map(|(i, c, w, oldest)| ConvertedTotal {
            currency: REPORTING_CURRENCY.to_string(),
            indicated: format_amount(i, REPORTING_CURRENCY, lang),
            committed: format_amount(c, REPORTING_CURRENCY, lang),
            weighted: format_amount(w, REPORTING_CURRENCY, lang),
            rates_as_of: oldest.map(|d| d.to_string()).unwrap_or_default(),
        });
    Ok(DealTotals {
        count: sums.iter().map(|s| s.count).sum(),
        per_currency,
        converted,
    })
}

pub const PAGE_SIZE: i64 = 50;

pub async fn page(
    state: &AppState,
    me: &StaffUser,
    filter: DealFilter,
) -> Result<DealPage, AppError> {
    let lang = me.0.lang();
    let mut rows = repo::list(&state.db, &filter, PAGE_SIZE + 1)
        .await
        .map_err(db)?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| r.id.to_string())
    } else {
        None
    };
    let totals = totals(state, &filter, lang).await?;
    let owners = crate::auth::repo::active_names(&state.db)
        .await
        .map_err(db)?;
    let client_name = match filter.client {
        Some(id) => crate::clients::repo::find(&state.db, id)
            .await
            .map_err(db)?
            .map(|c| c.display_name),
        None => None,
    };
    let project_name = match filter.project {
        Some(id) => crate::projects::repo::find(&state.db, id)
            .await
            .map_err(db)?
            .map(|p| p.name),
        None => None,
    };
    Ok(DealPage {
        rows: rows.iter().map(|r| row_of(r, lang)).collect(),
        next,
        totals,
        filter,
        owners,
        client_name,
        project_name,
    })
}

/// The first deals of a client or project, for its page, with how many there are.
pub async fn summary(
    state: &AppState,
    lang: Lang,
    filter: DealFilter,
) -> Result<DealSummary, AppError> {
    const SHOWN: i64 = 10;
    let rows = repo::list(&state.db, &filter, SHOWN).await.map_err(db)?;
    let total = repo::totals(&state.db, &filter)
        .await
        .map_err(db)?
        .iter()
        .map(|s| s.count)
        .sum();
    Ok(DealSummary {
        rows: rows.iter().map(|r| row_of(r, lang)).collect(),
        total,
    })
}

fn major_units(minor: Option<i64>) -> String {
    minor
        .map(|m| format!("{}.{:02}", m / 100, m % 100))
        .unwrap_or_default()
}

pub fn form_of(d: &DealRecord) -> DealForm {
    DealForm {
        version: d.version.to_string(),
        client_id: d.client_id.to_string(),
        project_id: d.project_id.to_string(),
        tranche_id: d.tranche_id.map(|t| t.to_string()).unwrap_or_default(),
        owner_id: d.owner_id.to_string(),
        stage: d.stage.clone(),
        currency: d.currency.clone(),
        indicated_amount: major_units(d.indicated_amount),
        committed_amount: major_units(d.committed_amount),
        probability: d.probability.to_string(),
        expected_close: d.expected_close.map(|c| c.to_string()).unwrap_or_default(),
        terms: d.terms.clone().unwrap_or_default(),
        ..DealForm::default()
    }
}

async fn tranche_choices(
    state: &AppState,
    project_id: i64,
) -> Result<Vec<(i64, String)>, AppError> {
    Ok(crate::projects::repo::tranches_of(&state.db, project_id)
        .await
        .map_err(db)?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect())
}

/// Owners to choose from: everyone active for those who may reassign, else nobody (the
/// form keeps the current owner).
async fn owner_choices(state: &AppState, me: &StaffUser) -> Result<Vec<(i64, String)>, AppError> {
    if me.0.role().can(Permission::EditAllRecords) {
        crate::auth::repo::active_names(&state.db).await.map_err(db)
    } else {
        Ok(Vec::new())
    }
}

pub async fn detail(state: &AppState, me: &StaffUser, id: i64) -> Result<DealDetail, AppError> {
    let d = repo::find(&state.db, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let lang = me.0.lang();
    let tz = me.0.time_zone.clone();
    let moves = repo::moves_of(&state.db, id, 100)
        .await
        .map_err(db)?
        .into_iter()
        .map(|m| MoveView {
            at: format::date_time(m.moved_at, &tz),
            from: m.from_stage.as_deref().and_then(DealStage::parse),
            to: DealStage::parse(&m.to_stage),
            by: m.moved_by_name,
            reason: m.reason,
        })
        .collect();
    let history = crate::clients::repo::history(&state.db, "deal", id, 50)
        .await
        .map_err(db)?
        .into_iter()
        .map(|h| HistoryView {
            at: format::date_time(h.at, &tz),
            action: h.action,
            actor: h.actor_name,
        })
        .collect();
    Ok(DealDetail {
        id,
        client_id: d.client_id,
        client_name: d.client_name.clone(),
        project_id: d.project_id,
        project_name: d.project_name.clone(),
        tranche_name: d.tranche_name.clone(),
        owner_name: d.owner_name.clone(),
        stage: DealStage::parse(&d.stage),
        indicated: amount_text(d.indicated_amount, &d.currency, lang),
        committed: amount_text(d.committed_amount, &d.currency, lang),
        probability: d.probability,
        expected_close: d.expected_close.map(|c| c.to_string()),
        terms: d.terms.clone(),
        moves,
        history,
        can_edit: d.archived_at.is_none() && can_edit(me, d.owner_id),
        form: form_of(&d),
        tranches: tranche_choices(state, d.project_id).await?,
        owners: owner_choices(state, me).await?,
    })
}

/// The new-deal page: the investor and project chosen so far, and candidates for a missing
/// side found by `q` (investors by the client search, projects by name).
pub async fn new_context(
    state: &AppState,
    me: &StaffUser,
    client: Option<i64>,
    project: Option<i64>,
    q: String,
) -> Result<NewDealContext, AppError> {
    let client = match client {
        Some(id) => Some((id, check_investor(state, id).await?.name)),
        None => None,
    };
    let project_record = match project {
        Some(id) => crate::projects::repo::find(&state.db, id)
            .await
            .map_err(db)?
            .filter(|p| p.archived_at.is_none()),
        None => None,
    };
    let q: String = q.trim().chars().take(100).collect();
    let candidates = match (&client, &project_record) {
        (Some(_), None) => crate::projects::repo::search_names(&state.db, &q, 20)
            .await
            .map_err(db)?,
        (None, _) => {
            let filter = crate::clients::model::ClientFilter {
                q: q.clone(),
                kind: Some(crate::clients::model::ClientKind::Investor),
                ..Default::default()
            };
            crate::clients::repo::list(&state.db, &filter, today(state), 20)
                .await
                .map_err(db)?
                .rows
                .into_iter()
                .map(|r| (r.id, r.display_name))
                .collect()
        }
        _ => Vec::new(),
    };
    let tranches = match &project_record {
        Some(p) => tranche_choices(state, p.id).await?,
        None => Vec::new(),
    };
    Ok(NewDealContext {
        currency: project_record
            .as_ref()
            .map(|p| p.currency.clone())
            .unwrap_or_else(|| REPORTING_CURRENCY.to_string()),
        client,
        project: project_record.map(|p| (p.id, p.name)),
        tranches,
        owners: owner_choices(state, me).await?,
        my_id: me.0.id,
        candidates,
        form_key: idempotency::new_key(),
    })
}
