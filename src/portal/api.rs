//! Server functions of the investor portal. Each one authenticates the portal session
//! first (a staff session is not one) and reads only through the scoped queries.
use super::model::{Overview, PortalProjectDetail, PortalProjectPage};
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "portal/overview", input = GetUrl)]
pub async fn portal_overview(after: Option<i64>) -> Result<Overview, AppError> {
    use crate::portal::access::backend::current_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_investor().await?;
            super::service::overview(&crate::clients::service::state()?, &me, after).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "portal/projects", input = GetUrl)]
pub async fn portal_projects(after: Option<i64>) -> Result<PortalProjectPage, AppError> {
    use crate::portal::access::backend::current_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_investor().await?;
            super::service::projects(&crate::clients::service::state()?, &me, after).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "portal/project", input = GetUrl)]
pub async fn portal_project(id: i64) -> Result<PortalProjectDetail, AppError> {
    use crate::portal::access::backend::current_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_investor().await?;
            super::service::project(&crate::clients::service::state()?, &me, id).await
        }
        .await,
    )
}
