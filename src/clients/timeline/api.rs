//! Server functions of the timeline (reads; logging is a plain form post, see `handlers`).
use super::model::{LogOptions, TimelinePage};
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

/// A page of the timeline of a client, or of a project when `project` is given.
#[server(prefix = "/rpc", endpoint = "timeline/page", input = GetUrl)]
pub async fn load_timeline(
    client: Option<i64>,
    project: Option<i64>,
    after: Option<String>,
) -> Result<TimelinePage, AppError> {
    use super::repo::Scope;
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            let scope = match (client, project) {
                (Some(id), _) => Scope::Client(id),
                (None, Some(id)) => Scope::Project(id),
                (None, None) => return Err(AppError::NotFound),
            };
            super::service::page(&state, &me, scope, after.as_deref()).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "timeline/log_options", input = GetUrl)]
pub async fn load_log_options(client: i64) -> Result<LogOptions, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            super::service::options(&state, &me, client).await
        }
        .await,
    )
}
