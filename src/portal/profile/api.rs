//! Server functions of the profile (reads; the forms are plain posts, see `handlers`).
use super::model::{PortalProfile, StaffChangeRequests};
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "portal/profile", input = GetUrl)]
pub async fn load_portal_profile(preview: Option<i64>) -> Result<PortalProfile, AppError> {
    use crate::portal::preview::service::acting_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = acting_investor(preview, "profile").await?;
            super::service::profile(&crate::clients::service::state()?, &me).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "clients/change_requests", input = GetUrl)]
pub async fn client_change_requests(client: i64) -> Result<StaffChangeRequests, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            super::service::of_client(&crate::clients::service::state()?, &me, client).await
        }
        .await,
    )
}
