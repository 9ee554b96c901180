//! What moving a card has in common on both boards, beyond the stage rules: a move made by
//! a board's script is answered with the move's outcome, a fresh request id for the card's
//! next move, and every column's figures under the board's own filters (the page's query
//! string, which every move form carries as `back`).
use crate::auth::backend::StaffUser;
use crate::core::error::AppError;
use crate::pipeline::lifecycle::model::{BoardMoveAnswer, ColumnFigures, MoveOutcome, MoveRequest};
use crate::server::idempotency;
use crate::server::state::AppState;
use std::future::Future;

/// A board whose cards move: the lifecycle board and the deal board.
pub trait MoveBoard {
    /// The board's filters.
    type Query: Send + Sync;

    /// The board's query from its page's query string, as it applies to `me`.
    fn query_of(me: &StaffUser, back: &str) -> Self::Query;

    /// Moves one card (rules, version, request id, move and audit rows in one transaction).
    fn move_card<'a>(
        state: &'a AppState,
        me: &'a StaffUser,
        request: &'a MoveRequest,
        ip: Option<String>,
    ) -> impl Future<Output = Result<MoveOutcome, AppError>> + Send + 'a;

    /// Every column's head under `query`.
    fn figures<'a>(
        state: &'a AppState,
        me: &'a StaffUser,
        query: &'a Self::Query,
    ) -> impl Future<Output = Result<Vec<ColumnFigures>, AppError>> + Send + 'a;
}

/// A move from board `B`'s script, for its server function. The move has committed by the
/// time the figures load, so figures that fail are left out (the board keeps its old ones)
/// rather than reported as a failed move.
pub async fn script_move<B: MoveBoard>(
    request: MoveRequest,
    back: Option<String>,
) -> Result<BoardMoveAnswer, AppError> {
    let me = crate::auth::backend::current_staff().await?;
    let state = crate::clients::service::state()?;
    let ip = crate::server::forms::request_ip();
    let outcome = B::move_card(&state, &me, &request, ip).await?;
    let figures = match back {
        Some(back) => {
            let query = B::query_of(&me, &back);
            B::figures(&state, &me, &query)
                .await
                .unwrap_or_else(|error| {
                    tracing::warn!(%error, "board figures after a move");
                    Vec::new()
                })
        }
        None => Vec::new(),
    };
    Ok(BoardMoveAnswer {
        outcome,
        next_request_id: idempotency::new_key(),
        figures,
    })
}
