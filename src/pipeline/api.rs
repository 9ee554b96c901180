//! Server functions of deals (reads; writes are plain form posts, see `handlers`).
use super::model::{DealDetail, DealFilter, DealPage, DealSummary, NewDealContext};
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "deals/list", input = GetUrl)]
pub async fn list_deals(filter: DealFilter) -> Result<DealPage, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            super::service::page(&state, &me, filter).await
        }
        .await,
    )
}

/// The first deals of one client or one project, for that record's page.
#[server(prefix = "/rpc", endpoint = "deals/summary", input = GetUrl)]
pub async fn load_deal_summary(
    client: Option<i64>,
    project: Option<i64>,
) -> Result<DealSummary, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            let filter = DealFilter {
                client,
                project,
                ..DealFilter::default()
            };
            super::service::summary(&state, me.0.lang(), filter).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "deals/get", input = GetUrl)]
pub async fn get_deal(id: i64) -> Result<DealDetail, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            super::service::detail(&crate::clients::service::state()?, &me, id).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "deals/new_context", input = GetUrl)]
pub async fn load_new_deal(
    client: Option<i64>,
    project: Option<i64>,
    q: String,
) -> Result<NewDealContext, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            super::service::new_context(&state, &me, client, project, q).await
        }
        .await,
    )
}
