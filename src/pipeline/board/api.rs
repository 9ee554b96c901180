//! Server functions of the deal board.
use super::model::{PipelineBoard, PipelineQuery};
use crate::core::error::AppError;
use crate::pipeline::lifecycle::model::BoardMoveAnswer;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "pipeline/board", input = GetUrl)]
pub async fn load_pipeline(query: PipelineQuery) -> Result<PipelineBoard, AppError> {
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

/// Moves a deal card from the board's script; the plain form posts to `/pipeline/move`.
/// `back` is the board's query string: when given, the answer carries every column's
/// figures under those filters.
#[server(prefix = "/rpc", endpoint = "pipeline/move")]
pub async fn move_deal_card(
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
        script_move::<super::service::DealBoard>(request, back).await,
    )
}
