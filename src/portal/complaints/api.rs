//! Server functions of the investor's complaints (reads; raising one is a form post).
use crate::core::error::AppError;
use crate::feedback::complaints::model::{ComplaintDetail, ComplaintPage};
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "portal/complaints", input = GetUrl)]
pub async fn my_complaints(
    before: Option<i64>,
    preview: Option<i64>,
) -> Result<ComplaintPage, AppError> {
    use crate::portal::preview::service::acting_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = acting_investor(preview, "complaints").await?;
            super::service::my_complaints(&crate::clients::service::state()?, &me, before).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "portal/complaint", input = GetUrl)]
pub async fn my_complaint(id: i64, preview: Option<i64>) -> Result<ComplaintDetail, AppError> {
    use crate::portal::preview::service::acting_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = acting_investor(preview, &format!("complaints/{id}")).await?;
            super::service::my_complaint(&crate::clients::service::state()?, &me, id).await
        }
        .await,
    )
}
