//! The deal board and moving deals through it: authorised, checked against the pipeline's
//! stage rules and the card's version, written with the move row and audit row in one
//! transaction; a repeated request id returns the first result.
use super::model::*;
use super::repo;
use crate::auth::backend::StaffUser;
use crate::clients::service::{can_edit, today};
use crate::core::error::AppError;
use crate::core::i18n::{Lang, t, t_with};
use crate::core::money::format_amount;
use crate::pipeline::columns::{by_stage, figures_of, own_cards_by_default};
use crate::pipeline::lifecycle::model::{ColumnFigures, MoveOutcome, MoveRequest};
use crate::pipeline::lifecycle::service::{first_result, request_ids};
use crate::pipeline::model::DealStage;
use crate::pipeline::repo::{NewMove, insert_move, refresh_commitments};
use crate::pipeline::rules::{DealFacts, Verdict, deal_move};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::errors::db;
use crate::server::idempotency;
use crate::server::state::AppState;

pub const COLUMN_PAGE: i64 = 12;

fn joined(amounts: impl Iterator<Item = (String, i64)>, lang: Lang) -> String {
    amounts
        .filter(|(_, a)| *a != 0)
        .map(|(c, a)| format_amount(a, &c, lang))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The board's query as it applies to `me`: a relationship manager sees their own deals
/// unless they chose an owner (or everyone).
pub fn effective_query(me: &StaffUser, mut query: PipelineQuery) -> PipelineQuery {
    own_cards_by_default(me, query.owner_chosen, &mut query.filter.owner);
    query
}

/// The deal board's part in the moves both boards share.
pub struct DealBoard;

impl crate::pipeline::moves::MoveBoard for DealBoard {
    type Query = PipelineQuery;

    fn query_of(me: &StaffUser, back: &str) -> PipelineQuery {
        effective_query(
            me,
            PipelineQuery::from_query(crate::server::forms::query_lookup(back)),
        )
    }

    fn move_card<'a>(
        state: &'a AppState,
        me: &'a StaffUser,
        request: &'a MoveRequest,
        ip: Option<String>,
    ) -> impl Future<Output = Result<MoveOutcome, AppError>> + Send + 'a {
        move_deal(state, me, request, ip)
    }

    fn figures<'a>(
        state: &'a AppState,
        me: &'a StaffUser,
        query: &'a PipelineQuery,
    ) -> impl Future<Output = Result<Vec<ColumnFigures>, AppError>> + Send + 'a {
        figures(state, me, query)
    }
}

/// Every column's head under the board's filters: count, sum and probability-weighted sum
/// of all its deals, per currency.
pub async fn figures(
    state: &AppState,
    me: &StaffUser,
    query: &PipelineQuery,
) -> Result<Vec<ColumnFigures>, AppError> {
    let lang = me.0.lang();
    let sums = repo::sums(&state.db, &query.filter).await.map_err(db)?;
    let line = |key: &str, amounts: String| {
        if amounts.is_empty() {
            amounts
        } else {
            format!("{} {amounts}", t(lang, key))
        }
    };
    Ok(DealStage::ALL
        .iter()
        .map(|stage| {
            let mine: Vec<&(String, String, i64, i64, i64)> =
                sums.iter().filter(|s| s.0 == stage.as_str()).collect();
            let count: i64 = mine.iter().map(|s| s.2).sum();
            ColumnFigures {
                stage: stage.as_str().to_string(),
                count,
                count_text: t_with(lang, "deals.count", &[("count", &count.to_string())]),
                total: line(
                    "pipeline.sum",
                    joined(mine.iter().map(|s| (s.1.clone(), s.3)), lang),
                ),
                weighted: line(
                    "deals.weighted",
                    joined(mine.iter().map(|s| (s.1.clone(), s.4)), lang),
                ),
            }
        })
        .collect())
}

/// Each shown column's rows (one more than a page, to know whether another follows): the
/// one column paged on its own after its cursor, or the first page of every column.
async fn column_rows(
    state: &AppState,
    query: &PipelineQuery,
) -> Result<Vec<(DealStage, Vec<repo::CardRecord>)>, AppError> {
    if let Some(stage) = query.column {
        let after = query.after.as_deref();
        let rows = repo::cards(&state.db, &query.filter, stage, after, COLUMN_PAGE + 1)
            .await
            .map_err(db)?;
        return Ok(vec![(stage, rows)]);
    }
    let rows = repo::first_pages(&state.db, &query.filter, COLUMN_PAGE + 1)
        .await
        .map_err(db)?;
    Ok(by_stage(DealStage::ALL, rows, |r, stage| {
        r.deal.stage == stage.as_str()
    }))
}

pub async fn board(
    state: &AppState,
    me: &StaffUser,
    query: PipelineQuery,
) -> Result<PipelineBoard, AppError> {
    let query = effective_query(me, query);
    let lang = me.0.lang();
    let figures = figures(state, me, &query).await?;
    let pages = column_rows(state, &query).await?;
    let mut columns = Vec::new();
    for (stage, mut rows) in pages {
        let next = if rows.len() as i64 > COLUMN_PAGE {
            rows.truncate(COLUMN_PAGE as usize);
            rows.last()
                .map(|r| format!("{}~{}", r.deal.id, r.updated_at.to_rfc3339()))
        } else {
            None
        };
        columns.push(DealColumn {
            stage,
            figures: figures_of(&figures, stage.as_str()),
            cards: rows
                .iter()
                .map(|r| DealCard {
                    row: crate::pipeline::service::row_of(&r.deal, lang),
                    version: r.deal.version,
                    can_move: can_edit(me, r.deal.owner_id),
                })
                .collect(),
            next,
        });
    }
    let request_ids = request_ids(columns.iter().map(|c| c.cards.len()).sum());
    Ok(PipelineBoard {
        columns,
        query,
        owners: crate::auth::repo::active_names(&state.db)
            .await
            .map_err(db)?,
        request_ids,
    })
}

const PURPOSE: &str = "deal.move";

/// Moves a deal to another stage of the pipeline.
pub async fn move_deal(
    state: &AppState,
    me: &StaffUser,
    request: &MoveRequest,
    ip: Option<String>,
) -> Result<MoveOutcome, AppError> {
    if !idempotency::is_well_formed(&request.request_id) {
        return Err(AppError::conflict("error.form_expired"));
    }
    let Some(to) = DealStage::parse(&request.to) else {
        return Err(AppError::invalid("to", "form.choose_one"));
    };
    let reason = Some(request.reason.trim()).filter(|r| !r.is_empty());
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    if let Some(first) = first_result(&mut tx, me, PURPOSE, &request.request_id).await? {
        return Ok(first);
    }
    let (stage, version, owner_id, client_id, committed) = repo::position(&mut tx, request.id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    if !can_edit(me, owner_id) {
        return Err(AppError::Forbidden);
    }
    if version != request.version {
        return conflict_or_first(&mut tx, me, request).await;
    }
    let from = DealStage::parse(&stage).unwrap_or(DealStage::Prospect);
    // Read on the move's own connection: a read from the pool would hold the one SQLite
    // writer while it waits its turn there.
    let client = crate::clients::repo::find_tx(&mut tx, client_id)
        .await
        .map_err(db)?;
    let investor = crate::pipeline::service::investor_of(client, today(state))?;
    let facts = DealFacts {
        has_committed_amount: committed.is_some(),
        kyc_valid: investor.kyc_valid,
    };
    match deal_move(from, to, facts).with_reason(reason) {
        Verdict::Allowed { .. } => {}
        Verdict::NeedsReason(key) => return Ok(MoveOutcome::NeedsReason(key)),
        Verdict::Refused(key) => return Ok(MoveOutcome::Refused(key)),
    }
    if !repo::set_stage(&mut tx, request.id, version, to, now)
        .await
        .map_err(db)?
    {
        return conflict_or_first(&mut tx, me, request).await;
    }
    let the_move = NewMove {
        deal_id: request.id,
        from: Some(from),
        to,
        by: me.0.id,
        at: now,
        reason,
        request_id: Some(&request.request_id),
    };
    insert_move(&mut tx, &the_move).await.map_err(db)?;
    // A move changes only the stage, so the client's committed capital changes only when
    // the deal enters or leaves committed or closed; other moves skip two writes. So does
    // the client's decline signal, whose deal facts are committed capital held and lost.
    let counts = |s: DealStage| matches!(s, DealStage::Committed | DealStage::Closed);
    let commitments_change = counts(from) || counts(to);
    if commitments_change {
        refresh_commitments(&mut tx, client_id).await.map_err(db)?;
    }
    let entry = AuditEntry::new(Actor::Staff(me.0.id), "deal.move", "deal", Some(request.id))
        .before(&serde_json::json!({ "stage": from.as_str() }))
        .after(&serde_json::json!({ "stage": to.as_str(), "reason": reason }))
        .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    let outcome = MoveOutcome::Moved {
        stage: to.as_str().to_string(),
        version: version + 1,
        warning: None,
    };
    idempotency::remember(
        &mut tx,
        me.0.id,
        PURPOSE,
        &request.request_id,
        &outcome,
        now,
    )
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    if commitments_change {
        crate::pipeline::lifecycle::warning::refresh_quietly(&state.db, now, client_id).await;
    }
    Ok(outcome)
}

/// Another move changed the deal first: this request's own earlier result if it raced
/// itself, else a conflict saying where the deal is now.
async fn conflict_or_first(
    tx: &mut crate::server::db::Tx,
    me: &StaffUser,
    request: &MoveRequest,
) -> Result<MoveOutcome, AppError> {
    if let Some(first) = first_result(tx, me, PURPOSE, &request.request_id).await? {
        return Ok(first);
    }
    let (stage, version, ..) = repo::position(tx, request.id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    Ok(MoveOutcome::Conflict { stage, version })
}
