//! The lifecycle board and moving clients through it. A move is authorised, checked
//! against the stage rules and the card's version, and written with its move row and audit
//! row in one transaction; a repeated request id returns the first result.
use super::model::*;
use super::repo::{self, NewLifecycleMove};
use crate::auth::backend::StaffUser;
use crate::clients::model::LifecycleStage;
use crate::clients::service::{can_edit, today};
use crate::core::error::AppError;
use crate::core::i18n::{Lang, t_with};
use crate::core::money::format_amount;
use crate::pipeline::columns::{by_stage, figures_of, own_cards_by_default};
use crate::pipeline::rules::{self, ClientFacts, Verdict};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::errors::db;
use crate::server::idempotency;
use crate::server::state::AppState;

/// The idempotency purpose of lifecycle moves.
const PURPOSE: &str = "lifecycle.move";

/// Cards per column page.
pub const COLUMN_PAGE: i64 = 12;

/// "1.5亿 CNY · 200万 USD": amounts per currency, as one line.
fn per_currency(amounts: &[(String, i64)], lang: Lang) -> String {
    amounts
        .iter()
        .filter(|(_, amount)| *amount != 0)
        .map(|(currency, amount)| format_amount(*amount, currency, lang))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The card's lifecycle value: the committed capital of the client's deals. One function,
/// so the value model of the analytics issue can replace it in one place.
pub fn lifecycle_value(commitments: &[(String, i64)], lang: Lang) -> String {
    per_currency(commitments, lang)
}

/// The board's query as it applies to `me`: a relationship manager sees their own clients
/// unless they chose an owner (or everyone).
pub fn effective_query(me: &StaffUser, mut query: BoardQuery) -> BoardQuery {
    own_cards_by_default(me, query.owner_chosen, &mut query.filter.owner);
    query
}

/// Every column's head under the board's filters: the count and committed value of all
/// its cards, not only the loaded ones.
pub async fn figures(
    state: &AppState,
    me: &StaffUser,
    query: &BoardQuery,
) -> Result<Vec<ColumnFigures>, AppError> {
    let rows = repo::figures(&state.db, &query.filter, today(state))
        .await
        .map_err(db)?;
    Ok(column_figures(&rows, me.0.lang()))
}

/// Every column's head from its figure rows (see `repo::FigureRow`).
fn column_figures(rows: &[repo::FigureRow], lang: Lang) -> Vec<ColumnFigures> {
    LifecycleStage::ALL
        .iter()
        .map(|stage| {
            let of_stage = rows.iter().filter(|(s, _, _)| s == stage.as_str());
            let count = of_stage
                .clone()
                .find(|(_, currency, _)| currency.is_empty())
                .map(|(_, _, n)| *n)
                .unwrap_or(0);
            let amounts: Vec<(String, i64)> = of_stage
                .filter(|(_, currency, _)| !currency.is_empty())
                .map(|(_, c, a)| (c.clone(), *a))
                .collect();
            let value = per_currency(&amounts, lang);
            ColumnFigures {
                stage: stage.as_str().to_string(),
                count,
                count_text: t_with(lang, "lifecycle.cards", &[("count", &count.to_string())]),
                total: if value.is_empty() {
                    value
                } else {
                    t_with(lang, "lifecycle.value_line", &[("amount", &value)])
                },
                weighted: String::new(),
            }
        })
        .collect()
}

/// The cards of one column page, as the viewer sees them; `commitments` holds (client,
/// currency, amount) of at least these clients.
fn column_cards(
    state: &AppState,
    me: &StaffUser,
    rows: Vec<repo::CardRow>,
    stage: LifecycleStage,
    commitments: &[(i64, String, i64)],
) -> Vec<Card> {
    let lang = me.0.lang();
    let now = state.clock.now();
    rows.into_iter()
        .map(|r| {
            let mine: Vec<(String, i64)> = commitments
                .iter()
                .filter(|(id, _, _)| *id == r.id)
                .map(|(_, c, a)| (c.clone(), *a))
                .collect();
            Card {
                id: r.id,
                name: r.display_name,
                is_investor: r.is_investor,
                is_borrower: r.is_borrower,
                owner_name: r.owner_name,
                stage,
                version: r.version,
                value: lifecycle_value(&mine, lang),
                days_since_interaction: r.last_interaction_at.map(|at| (now - at).num_days()),
                risk: (r.risk_severity > 0).then_some(r.risk_severity),
                can_move: can_edit(me, r.owner_id),
            }
        })
        .collect()
}

/// The rows of each shown column, by stage.
type ColumnRows = Vec<(LifecycleStage, Vec<repo::CardRow>)>;

/// The board's column figures and each shown column's rows (one more than a page, to know
/// whether another follows): the one column paged on its own after its cursor, or the
/// first page of every column; a search reads both in one statement.
async fn figures_and_rows(
    state: &AppState,
    me: &StaffUser,
    query: &BoardQuery,
) -> Result<(Vec<ColumnFigures>, ColumnRows), AppError> {
    if query.column.is_none() && !query.filter.q.trim().is_empty() {
        let (figures, rows) =
            repo::searched_board(&state.db, &query.filter, today(state), COLUMN_PAGE + 1)
                .await
                .map_err(db)?;
        let figures = column_figures(&figures, me.0.lang());
        return Ok((figures, in_columns(rows)));
    }
    let figures = figures(state, me, query).await?;
    Ok((figures, column_rows(state, query).await?))
}

/// Rows of several stages, in the board's column order.
fn in_columns(rows: Vec<repo::CardRow>) -> ColumnRows {
    by_stage(LifecycleStage::ALL, rows, |r, stage| {
        r.lifecycle_stage == stage.as_str()
    })
}

/// Each shown column's rows without a search (see `figures_and_rows`).
async fn column_rows(state: &AppState, query: &BoardQuery) -> Result<ColumnRows, AppError> {
    let today = today(state);
    if let Some(stage) = query.column {
        let after = query.after.as_deref();
        let rows = repo::cards(
            &state.db,
            &query.filter,
            today,
            stage,
            after,
            COLUMN_PAGE + 1,
        )
        .await
        .map_err(db)?;
        return Ok(vec![(stage, rows)]);
    }
    let rows = repo::first_pages(&state.db, &query.filter, today, COLUMN_PAGE + 1)
        .await
        .map_err(db)?;
    Ok(in_columns(rows))
}

pub async fn board(state: &AppState, me: &StaffUser, query: BoardQuery) -> Result<Board, AppError> {
    let query = effective_query(me, query);
    let (figures, pages) = figures_and_rows(state, me, &query).await?;
    let ids: Vec<i64> = pages
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|r| r.id))
        .collect();
    let commitments = repo::commitments_of(&state.db, &ids).await.map_err(db)?;
    let mut columns = Vec::new();
    for (stage, mut rows) in pages {
        let next = if rows.len() as i64 > COLUMN_PAGE {
            rows.truncate(COLUMN_PAGE as usize);
            rows.last().map(|r| format!("{}~{}", r.id, r.sort_name))
        } else {
            None
        };
        columns.push(Column {
            stage,
            figures: figures_of(&figures, stage.as_str()),
            cards: column_cards(state, me, rows, stage, &commitments),
            next,
        });
    }
    let request_ids = request_ids(columns.iter().map(|c| c.cards.len()).sum());
    Ok(Board {
        columns,
        query,
        owners: crate::auth::repo::active_names(&state.db)
            .await
            .map_err(db)?,
        request_ids,
    })
}

/// The lifecycle board's part in the moves both boards share.
pub struct LifecycleBoard;

impl crate::pipeline::moves::MoveBoard for LifecycleBoard {
    type Query = BoardQuery;

    fn query_of(me: &StaffUser, back: &str) -> BoardQuery {
        effective_query(
            me,
            BoardQuery::from_query(crate::server::forms::query_lookup(back)),
        )
    }

    fn move_card<'a>(
        state: &'a AppState,
        me: &'a StaffUser,
        request: &'a MoveRequest,
        ip: Option<String>,
    ) -> impl Future<Output = Result<MoveOutcome, AppError>> + Send + 'a {
        move_client(state, me, request, ip)
    }

    fn figures<'a>(
        state: &'a AppState,
        me: &'a StaffUser,
        query: &'a BoardQuery,
    ) -> impl Future<Output = Result<Vec<ColumnFigures>, AppError>> + Send + 'a {
        figures(state, me, query)
    }
}

/// Moves a client to another lifecycle stage.
pub async fn move_client(
    state: &AppState,
    me: &StaffUser,
    request: &MoveRequest,
    ip: Option<String>,
) -> Result<MoveOutcome, AppError> {
    if !idempotency::is_well_formed(&request.request_id) {
        return Err(AppError::conflict("error.form_expired"));
    }
    let Some(to) = LifecycleStage::parse(&request.to) else {
        return Err(AppError::invalid("to", "form.choose_one"));
    };
    let reason = Some(request.reason.trim()).filter(|r| !r.is_empty());
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    if let Some(first) = first_result(&mut tx, me, PURPOSE, &request.request_id).await? {
        return Ok(first);
    }
    let (stage, version, owner_id) = repo::position(&mut tx, request.id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    if !can_edit(me, owner_id) {
        return Err(AppError::Forbidden);
    }
    if version != request.version {
        return conflict_or_first(&mut tx, me, request).await;
    }
    let from = LifecycleStage::parse(&stage).unwrap_or(LifecycleStage::Acquisition);
    let facts = ClientFacts {
        has_committed_deal: repo::has_committed_deal(&mut tx, request.id)
            .await
            .map_err(db)?,
    };
    let warning = match rules::lifecycle_move(from, to, facts).with_reason(reason) {
        Verdict::Allowed { warning } => warning,
        Verdict::NeedsReason(key) => return Ok(MoveOutcome::NeedsReason(key)),
        Verdict::Refused(key) => return Ok(MoveOutcome::Refused(key)),
    };
    if !repo::set_stage(&mut tx, request.id, version, to, now)
        .await
        .map_err(db)?
    {
        return conflict_or_first(&mut tx, me, request).await;
    }
    let the_move = NewLifecycleMove {
        client_id: request.id,
        from: Some(from),
        to,
        by: Some(me.0.id),
        at: now,
        reason,
        request_id: Some(&request.request_id),
    };
    repo::insert_move(&mut tx, &the_move).await.map_err(db)?;
    let entry = AuditEntry::new(
        Actor::Staff(me.0.id),
        "client.move",
        "client",
        Some(request.id),
    )
    .before(&serde_json::json!({ "stage": from.as_str() }))
    .after(&serde_json::json!({ "stage": to.as_str(), "reason": reason }))
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    let outcome = MoveOutcome::Moved {
        stage: to.as_str().to_string(),
        version: version + 1,
        warning,
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
    Ok(outcome)
}

/// Another move changed the card first. If it was this very request (a double click racing
/// itself, committed since this one began), its result is the answer, not a conflict;
/// otherwise the conflict says where the card is now.
async fn conflict_or_first(
    tx: &mut crate::server::db::Tx,
    me: &StaffUser,
    request: &MoveRequest,
) -> Result<MoveOutcome, AppError> {
    if let Some(first) = first_result(tx, me, PURPOSE, &request.request_id).await? {
        return Ok(first);
    }
    let (stage, version, _) = repo::position(tx, request.id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    Ok(MoveOutcome::Conflict { stage, version })
}

/// The first result of a move request, if this request id was answered before (a retry,
/// or a double click that raced itself and lost to its own first copy).
pub async fn first_result(
    tx: &mut crate::server::db::Tx,
    me: &StaffUser,
    purpose: &str,
    request_id: &str,
) -> Result<Option<MoveOutcome>, AppError> {
    idempotency::replay::<MoveOutcome>(tx, me.0.id, purpose, request_id)
        .await
        .map_err(db)
}

/// One fresh request id per card of a board, for the cards' move forms.
pub fn request_ids(cards: usize) -> Vec<String> {
    (0..cards).map(|_| idempotency::new_key()).collect()
}
