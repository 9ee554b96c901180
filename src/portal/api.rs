//! Server functions of the investor portal. Each one authenticates the portal session
//! first (a staff session is not one) and reads only through the scoped queries.
use super::model::{
    Badges, Overview, PortalProjectDetail, PortalProjectPage, PortalUpdate, TrackRecordPage,
};
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "portal/overview", input = GetUrl)]
pub async fn portal_overview(
    after: Option<i64>,
    preview: Option<i64>,
) -> Result<Overview, AppError> {
    use crate::portal::preview::service::acting_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = acting_investor(preview, "overview").await?;
            super::service::overview(&crate::clients::service::state()?, &me, after).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "portal/projects", input = GetUrl)]
pub async fn portal_projects(
    after: Option<i64>,
    preview: Option<i64>,
) -> Result<PortalProjectPage, AppError> {
    use crate::portal::preview::service::acting_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = acting_investor(preview, "projects").await?;
            super::service::projects(&crate::clients::service::state()?, &me, after).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "portal/project", input = GetUrl)]
pub async fn portal_project(
    id: i64,
    before: Option<i64>,
    preview: Option<i64>,
) -> Result<PortalProjectDetail, AppError> {
    use crate::portal::preview::service::acting_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = acting_investor(preview, &format!("projects/{id}")).await?;
            super::service::project(&crate::clients::service::state()?, &me, id, before).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "portal/update", input = GetUrl)]
pub async fn load_portal_update(id: i64, preview: Option<i64>) -> Result<PortalUpdate, AppError> {
    use crate::portal::preview::service::acting_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = acting_investor(preview, &format!("updates/{id}")).await?;
            super::service::update(&crate::clients::service::state()?, &me, id).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "portal/badges", input = GetUrl)]
pub async fn portal_badges() -> Result<Badges, AppError> {
    use crate::portal::access::backend::current_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_investor().await?;
            super::service::badges(&crate::clients::service::state()?, &me).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "portal/track_record", input = GetUrl)]
pub async fn load_track_record(
    after: Option<i64>,
    preview: Option<i64>,
) -> Result<TrackRecordPage, AppError> {
    use crate::portal::preview::service::acting_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = acting_investor(preview, "track-record").await?;
            super::service::track_record(&crate::clients::service::state()?, &me, after).await
        }
        .await,
    )
}
