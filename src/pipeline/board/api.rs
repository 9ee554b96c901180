//! Server functions of the deal board.
use super::model::{PipelineBoard, PipelineQuery};
use crate::core::error::AppError;
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
