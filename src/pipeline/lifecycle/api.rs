//! Server functions of the lifecycle board: reading it, and moving a card from script.
use super::model::{Board, BoardQuery, MoveOutcome};
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

/// Moves a card (drag and drop or keyboard); the plain form posts to `/lifecycle/move`.
#[server(prefix = "/rpc", endpoint = "lifecycle/move")]
pub async fn move_card(
    id: i64,
    version: i64,
    to: String,
    reason: String,
    request_id: String,
) -> Result<MoveOutcome, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            let ip = crate::server::forms::request_ip();
            let request = super::model::MoveRequest {
                id,
                version,
                to,
                reason,
                request_id,
            };
            super::service::move_client(&state, &me, &request, ip).await
        }
        .await,
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
