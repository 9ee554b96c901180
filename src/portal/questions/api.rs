//! Server functions of questions (reads; the writes are plain form posts, see `handlers`).
use super::model::{AskOptions, QuestionPage, QuestionStatus, QuestionThread};
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "portal/questions", input = GetUrl)]
pub async fn my_questions(
    before: Option<i64>,
    preview: Option<i64>,
) -> Result<QuestionPage, AppError> {
    use crate::portal::preview::service::acting_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = acting_investor(preview, "questions").await?;
            super::service::my_questions(&crate::clients::service::state()?, &me, before).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "portal/question", input = GetUrl)]
pub async fn my_question(id: i64, preview: Option<i64>) -> Result<QuestionThread, AppError> {
    use crate::portal::preview::service::acting_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = acting_investor(preview, &format!("questions/{id}")).await?;
            super::service::my_thread(&crate::clients::service::state()?, &me, id).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "portal/ask_options", input = GetUrl)]
pub async fn load_ask_options(preview: Option<i64>) -> Result<AskOptions, AppError> {
    use crate::portal::preview::service::acting_investor;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = acting_investor(preview, "ask_options").await?;
            super::service::ask_options(&crate::clients::service::state()?, &me).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "questions/queue", input = GetUrl)]
pub async fn question_queue(
    status: Option<QuestionStatus>,
    after: Option<i64>,
) -> Result<QuestionPage, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            super::service::queue(&crate::clients::service::state()?, &me, status, after).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "questions/get", input = GetUrl)]
pub async fn staff_question(id: i64) -> Result<QuestionThread, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            super::service::staff_thread(&crate::clients::service::state()?, &me, id).await
        }
        .await,
    )
}
