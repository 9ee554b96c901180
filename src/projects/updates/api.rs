//! Server functions of project updates (reads; writes are plain form posts, see
//! `handlers`).
use super::model::{UpdateDetail, UpdateNewInfo, UpdatePage};
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "updates/list", input = GetUrl)]
pub async fn list_updates(project: i64, before: Option<i64>) -> Result<UpdatePage, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            super::service::list(&state, &me, project, before).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "updates/get", input = GetUrl)]
pub async fn get_update(id: i64) -> Result<UpdateDetail, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            super::service::detail(&state, &me, id).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "updates/new_info", input = GetUrl)]
pub async fn load_update_new(project: i64) -> Result<UpdateNewInfo, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            super::service::new_info(&state, &me, project).await
        }
        .await,
    )
}
