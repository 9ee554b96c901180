//! Server functions of the staff complaint queue (reads; posts are plain forms).
use super::model::{ComplaintDetail, ComplaintPage};
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "complaints/queue", input = GetUrl)]
pub async fn complaint_queue(
    show: Option<String>,
    before: Option<i64>,
) -> Result<ComplaintPage, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            let show = super::model::queue_tab(show.as_deref());
            super::service::queue(&crate::clients::service::state()?, &me, show, before).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "complaints/get", input = GetUrl)]
pub async fn staff_complaint(id: i64) -> Result<ComplaintDetail, AppError> {
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

#[server(prefix = "/rpc", endpoint = "complaints/log_options", input = GetUrl)]
pub async fn complaint_log_options(
    client: i64,
) -> Result<super::model::LogComplaintOptions, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            super::service::log_options(&crate::clients::service::state()?, &me, client).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "complaints/dashboard", input = GetUrl)]
pub async fn complaint_dashboard() -> Result<super::model::ComplaintDashboard, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            current_staff().await?;
            super::service::dashboard(&crate::clients::service::state()?).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "complaints/targets", input = GetUrl)]
pub async fn complaint_target_settings() -> Result<super::model::TargetSettings, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            super::service::target_settings(&crate::clients::service::state()?, &me).await
        }
        .await,
    )
}
