//! Server function of a project's documents on the staff side (the upload and the bytes
//! are plain endpoints, see `handlers`).
use super::model::DocumentPage;
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "documents/list", input = GetUrl)]
pub async fn list_documents(project: i64, before: Option<i64>) -> Result<DocumentPage, AppError> {
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
