//! The portal's reads as pages show them, for one investor: amounts formatted in their
//! language, codes parsed. Every read goes through the scoped queries of `repo`.
use super::model::{
    CommitmentView, CurrencyTotal, Overview, PortalProjectDetail, PortalProjectPage,
    PortalProjectRow, PortalTranche,
};
use super::repo::{self, CommitmentRow, ProjectRow};
use crate::core::error::AppError;
use crate::core::i18n::Lang;
use crate::core::money::format_amount;
use crate::pipeline::model::DealStage;
use crate::portal::access::backend::Investor;
use crate::projects::model::{ProjectStage, RiskRating, format_bps};
use crate::server::errors::db;
use crate::server::state::AppState;

pub const COMMITMENTS_PAGE: i64 = 25;
pub const PROJECTS_PAGE: i64 = 20;

fn commitment(row: CommitmentRow, lang: Lang) -> CommitmentView {
    CommitmentView {
        deal_id: row.id,
        entity: row.entity,
        project_id: row.project_id,
        project_name: row.project_name,
        tranche_name: row.tranche_name,
        stage: DealStage::parse(&row.stage),
        indicated: row
            .indicated_amount
            .map(|a| format_amount(a, &row.currency, lang)),
        committed: row
            .committed_amount
            .map(|a| format_amount(a, &row.currency, lang)),
    }
}

fn project_row(p: &ProjectRow, lang: Lang) -> PortalProjectRow {
    PortalProjectRow {
        id: p.id,
        name: p.name.clone(),
        sector: crate::clients::model::Sector::parse(&p.sector),
        country: p.country.clone(),
        stage: ProjectStage::parse(&p.stage),
        size: format_amount(p.total_size, &p.currency, lang),
    }
}

/// Splits one row past `limit` off a page: it only says there is a next page.
fn page_of<T>(mut rows: Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> (Vec<T>, Option<i64>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = if more { rows.last().map(id) } else { None };
    (rows, next)
}

pub async fn overview(
    state: &AppState,
    me: &Investor,
    after: Option<i64>,
) -> Result<Overview, AppError> {
    let lang = me.0.lang();
    let user = me.0.id;
    let rows = repo::commitments(&state.db, user, after.unwrap_or(0), COMMITMENTS_PAGE + 1)
        .await
        .map_err(db)?;
    let (rows, next) = page_of(rows, COMMITMENTS_PAGE, |r| r.id);
    let totals = repo::totals(&state.db, user)
        .await
        .map_err(db)?
        .into_iter()
        .map(|t| CurrencyTotal {
            indicated: format_amount(t.indicated, &t.currency, lang),
            committed: format_amount(t.committed, &t.currency, lang),
            count: t.count,
            currency: t.currency,
        })
        .collect();
    Ok(Overview {
        entities: repo::entities(&state.db, user).await.map_err(db)?,
        commitments: rows.into_iter().map(|r| commitment(r, lang)).collect(),
        next,
        totals,
    })
}

pub async fn projects(
    state: &AppState,
    me: &Investor,
    after: Option<i64>,
) -> Result<PortalProjectPage, AppError> {
    let lang = me.0.lang();
    let rows = repo::projects(&state.db, me.0.id, after.unwrap_or(0), PROJECTS_PAGE + 1)
        .await
        .map_err(db)?;
    let (rows, next) = page_of(rows, PROJECTS_PAGE, |r| r.id);
    Ok(PortalProjectPage {
        items: rows.iter().map(|p| project_row(p, lang)).collect(),
        next,
    })
}

/// A project the investor takes part in; any other id is "not found", never "forbidden",
/// so the answer does not even say whether the project exists.
pub async fn project(
    state: &AppState,
    me: &Investor,
    id: i64,
) -> Result<PortalProjectDetail, AppError> {
    let lang = me.0.lang();
    let user = me.0.id;
    let p = repo::project(&state.db, user, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let tranches = repo::tranches(&state.db, user, id)
        .await
        .map_err(db)?
        .into_iter()
        .map(|t| PortalTranche {
            instrument: crate::clients::model::Instrument::parse(&t.instrument),
            size: format_amount(t.size, &t.currency, lang),
            pricing: t.pricing_bps.map(format_bps),
            tenor_months: t.tenor_months,
            name: t.name,
        })
        .collect();
    let mine = repo::commitments_in_project(&state.db, user, id)
        .await
        .map_err(db)?
        .into_iter()
        .map(|r| commitment(r, lang))
        .collect();
    Ok(PortalProjectDetail {
        project: project_row(&p, lang),
        description: p.description.clone(),
        risk_rating: RiskRating::parse(&p.risk_rating),
        expected_return: p.expected_return_bps.map(format_bps),
        tenor_months: p.tenor_months,
        tranches,
        mine,
    })
}
