//! The portal's reads as pages show them, for one investor: amounts formatted in their
//! language, codes parsed. Every read goes through the scoped queries of `repo`.
use super::model::{
    Badges, CommitmentView, CurrencyTotal, Feed, FeedItem, Overview, PortalProjectDetail,
    PortalProjectPage, PortalProjectRow, PortalTranche, PortalUpdate, TrackRecordItem,
    TrackRecordPage,
};
use super::repo::{self, AckOrigin, CommitmentRow, FeedRow, ProjectRow};
use crate::core::error::AppError;
use crate::core::i18n::Lang;
use crate::core::money::format_amount;
use crate::pipeline::model::DealStage;
use crate::portal::access::backend::Investor;
use crate::projects::model::{ProjectStage, RiskRating, format_bps};
use crate::projects::updates::model::UpdateKind;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::errors::db;
use crate::server::format;
use crate::server::state::AppState;

pub const COMMITMENTS_PAGE: i64 = 25;
pub const PROJECTS_PAGE: i64 = 20;
pub const FEED_PAGE: i64 = 10;
const LATEST: i64 = 5;
const ATTENTION: i64 = 20;

fn feed_item(row: FeedRow, tz: &str) -> FeedItem {
    FeedItem {
        id: row.id,
        project_id: row.project_id,
        project_name: row.project_name,
        kind: UpdateKind::parse(&row.kind),
        title: row.title,
        series_version: row.series_version,
        published_at: format::date_time(row.published_at, tz),
        unread: !row.read,
        needs_ack: row.requires_ack && !row.acknowledged,
    }
}

fn feed_items(rows: Vec<FeedRow>, tz: &str) -> Vec<FeedItem> {
    rows.into_iter().map(|r| feed_item(r, tz)).collect()
}

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
    let (rows, next) = crate::server::query::keyset_page(rows, COMMITMENTS_PAGE, |r| r.id);
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
    let tz = &me.0.time_zone;
    let attention = repo::awaiting_acknowledgement(&state.db, user, ATTENTION)
        .await
        .map_err(db)?;
    let latest = repo::latest_updates(&state.db, user, LATEST)
        .await
        .map_err(db)?;
    let surveys = crate::surveys::repo::waiting_for(&state.db, me.0.contact_id, state.clock.now())
        .await
        .map_err(db)?
        .into_iter()
        .map(
            |(id, title_zh, title_en, expires)| crate::portal::model::WaitingSurvey {
                id,
                title: match lang {
                    crate::core::i18n::Lang::Zh => title_zh,
                    crate::core::i18n::Lang::En => title_en,
                },
                expires: crate::server::format::date_time(expires, tz),
            },
        )
        .collect();
    Ok(Overview {
        entities: repo::entities(&state.db, user).await.map_err(db)?,
        attention: feed_items(attention, tz),
        surveys,
        latest: feed_items(latest, tz),
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
    let (rows, next) = crate::server::query::keyset_page(rows, PROJECTS_PAGE, |r| r.id);
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
    before: Option<i64>,
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
    let feed = repo::project_feed(&state.db, user, id, before, FEED_PAGE + 1)
        .await
        .map_err(db)?;
    let (feed, next) = crate::server::query::keyset_page(feed, FEED_PAGE, |r| r.id);
    Ok(PortalProjectDetail {
        feed: Feed {
            items: feed_items(feed, &me.0.time_zone),
            next,
        },
        project: project_row(&p, lang),
        description: p.description.clone(),
        risk_rating: RiskRating::parse(&p.risk_rating),
        expected_return: p.expected_return_bps.map(format_bps),
        tenor_months: p.tenor_months,
        tranches,
        mine,
    })
}

/// One published version of an update of the investor's projects; anything else is "not
/// found".
pub async fn update(state: &AppState, me: &Investor, id: i64) -> Result<PortalUpdate, AppError> {
    let user = me.0.id;
    let tz = &me.0.time_zone;
    let u = repo::update(&state.db, user, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let acknowledged_at = repo::acknowledged_at(&state.db, user, id)
        .await
        .map_err(db)?
        .map(|at| format::date_time(at, tz));
    let versions = repo::published_versions(&state.db, u.series_id)
        .await
        .map_err(db)?
        .into_iter()
        .map(|(id, version, at)| (id, version, format::date_time(at, tz)))
        .collect();
    Ok(PortalUpdate {
        id: u.id,
        project_id: u.project_id,
        project_name: u.project_name,
        kind: UpdateKind::parse(&u.kind),
        title: u.title,
        body: u.body,
        series_version: u.series_version,
        published_at: format::date_time(u.published_at, tz),
        requires_ack: u.requires_ack,
        content_hash: u.content_hash,
        acknowledged_at,
        versions,
    })
}

/// Notes that the investor opened version `id` (for unread badges and engagement).
pub async fn record_read(state: &AppState, me: &Investor, id: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await.map_err(db)?;
    repo::record_read(&mut tx, me.0.id, id, state.clock.now())
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)
}

/// "Read and understood": recorded once per investor and version, with the version's
/// content hash, the time, the address and the browser; a repeat changes nothing.
pub async fn acknowledge(
    state: &AppState,
    me: &Investor,
    id: i64,
    origin: &AckOrigin<'_>,
) -> Result<(), AppError> {
    let update = repo::update(&state.db, me.0.id, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    if !update.requires_ack {
        return Err(AppError::conflict("portal.update.no_ack_needed"));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    if repo::acknowledge(&mut tx, me.0.id, id, origin, now)
        .await
        .map_err(db)?
    {
        let entry = AuditEntry::new(
            Actor::Portal(me.0.id),
            "portal.acknowledge",
            "update",
            Some(id),
        )
        .after(&serde_json::json!({
            "series_version": update.series_version,
            "content_hash": update.content_hash,
        }))
        .ip(origin.ip.map(str::to_string));
        audit::record(&mut tx, now, entry).await.map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

pub async fn badges(state: &AppState, me: &Investor) -> Result<Badges, AppError> {
    Ok(Badges {
        unread_updates: repo::unread_count(&state.db, me.0.id).await.map_err(db)?,
        new_answers: crate::portal::questions::repo::unread_answers(&state.db, me.0.id)
            .await
            .map_err(db)?,
        new_responses: crate::portal::complaints::repo::unseen_count(&state.db, me.0.id)
            .await
            .map_err(db)?,
    })
}

/// The firm's track record: completed projects staff marked as showcase, with what they
/// raised. Every investor sees the same list (staff chose to show it); it names no
/// investor and no one's commitment.
pub async fn track_record(
    state: &AppState,
    me: &Investor,
    after: Option<i64>,
) -> Result<TrackRecordPage, AppError> {
    let lang = me.0.lang();
    let rows = repo::track_record(&state.db, after.unwrap_or(0), PROJECTS_PAGE + 1)
        .await
        .map_err(db)?;
    let (rows, next) = crate::server::query::keyset_page(rows, PROJECTS_PAGE, |r| r.id);
    Ok(TrackRecordPage {
        items: rows
            .into_iter()
            .map(|r| TrackRecordItem {
                id: r.id,
                name: r.name,
                sector: crate::clients::model::Sector::parse(&r.sector),
                country: r.country,
                size: format_amount(r.total_size, &r.currency, lang),
                raised: format_amount(r.raised, &r.currency, lang),
                investors: r.investors,
                tenor_months: r.tenor_months,
                expected_return: r.expected_return_bps.map(format_bps),
                description: r.description,
            })
            .collect(),
        next,
    })
}
