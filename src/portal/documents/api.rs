//! Server function of the investor's documents (opening one is a plain GET, see
//! `handlers`).
use super::model::PortalDocumentPage;
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "portal/documents", input = GetUrl)]
pub async fn portal_documents(
    project: i64,
    before: Option<i64>,
    preview: Option<i64>,
) -> Result<PortalDocumentPage, AppError> {
    use crate::portal::preview::service::acting_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = acting_investor(preview, &format!("projects/{project}/documents")).await?;
            let state = crate::clients::service::state()?;
            super::service::page(&state, &me, project, before).await
        }
        .await,
    )
}
