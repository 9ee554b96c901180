//! Server functions of the lifecycle board: reading it, and moving a card from script.
use super::model::{Board, BoardMoveAnswer, BoardQuery};
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "lifecycle/board", input = GetUrl)]
pub async fn load_board(query: BoardQuery) -> Result<Board, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            super::service::board(&state, &me, query).await
        }
        .await,
    )
}

/// Moves a card from the board's script (drag and drop, or its move form without a page
/// load); the plain form posts to `/lifecycle/move`. `back` is the board's query string:
/// when given, the answer carries every column's figures under those filters.
#[server(prefix = "/rpc", endpoint = "lifecycle/move")]
pub async fn move_card(
    id: i64,
    version: i64,
    to: String,
    reason: String,
    request_id: String,
    back: Option<String>,
) -> Result<BoardMoveAnswer, AppError> {
    use crate::pipeline::lifecycle::model::MoveRequest;
    use crate::pipeline::moves::script_move;
    let request = MoveRequest::new(id, version, to, reason, request_id);
    crate::server::errors::with_status(
        script_move::<super::service::LifecycleBoard>(request, back).await,
    )
}

/// A client's lifecycle history for its page: (when, from, to, who, why).
#[server(prefix = "/rpc", endpoint = "lifecycle/history", input = GetUrl)]
pub async fn load_lifecycle_history(
    client: i64,
) -> Result<Vec<crate::pipeline::model::StageMoveView>, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::{db, with_status};
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            let rows = super::repo::moves_of(&state.db, client, 100)
                .await
                .map_err(db)?;
            Ok(rows
                .into_iter()
                .map(|m| crate::pipeline::model::StageMoveView {
                    at: crate::server::format::date_time(m.moved_at, &me.0.time_zone),
                    from_key: m.from_stage.map(|s| format!("stage.{s}")),
                    to_key: format!("stage.{}", m.to_stage),
                    by: m.moved_by_name,
                    reason: m.reason,
                })
                .collect())
        }
        .await,
    )
}

/// The decline signal of one client, if it shows one.
#[server(prefix = "/rpc", endpoint = "lifecycle/risk", input = GetUrl)]
pub async fn load_client_risk(
    client: i64,
) -> Result<Option<crate::pipeline::signals::RiskView>, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::{db, with_status};
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            super::warning::risk_of(&state.db, client, me.0.lang())
                .await
                .map_err(db)
        }
        .await,
    )
}

/// Clients at risk, most severe first: the viewer's own unless `everyone`.
#[server(prefix = "/rpc", endpoint = "lifecycle/at_risk", input = GetUrl)]
pub async fn load_at_risk(
    everyone: bool,
    after: Option<String>,
    limit: i64,
) -> Result<crate::pipeline::signals::RiskPage, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::{db, with_status};
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            let limit = limit.clamp(1, 50);
            let after = after.as_deref().and_then(|a| {
                let (s, i) = a.split_once('~')?;
                Some((s.parse().ok()?, i.parse().ok()?))
            });
            let owner = (!everyone).then_some(me.0.id);
            let mut rows = super::warning::at_risk(&state.db, owner, after, limit + 1)
                .await
                .map_err(db)?;
            let next = if rows.len() as i64 > limit {
                rows.truncate(limit as usize);
                rows.last().map(|r| format!("{}~{}", r.2, r.0))
            } else {
                None
            };
            Ok(crate::pipeline::signals::RiskPage {
                rows: rows
                    .into_iter()
                    .map(|r| super::warning::view_of(r, me.0.lang()))
                    .collect(),
                next,
            })
        }
        .await,
    )
}
