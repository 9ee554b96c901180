//! Server function of the engagement page (staff only).
use super::model::Engagement;
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "portal/engagement", input = GetUrl)]
pub async fn load_engagement(user: i64, before: Option<String>) -> Result<Engagement, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            super::service::engagement(&state, &me, user, before).await
        }
        .await,
    )
}
