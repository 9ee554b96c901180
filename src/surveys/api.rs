//! Server functions of surveys (staff reads; the writes are plain form posts, see
//! `handlers`, and the answer page is rendered by its own handler).
use super::model::{SurveyDetail, SurveyListPage, SurveyResults};
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/rpc", endpoint = "surveys/list", input = GetUrl)]
pub async fn load_survey_list(before: Option<i64>) -> Result<SurveyListPage, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            super::service::list(&crate::clients::service::state()?, &me, before).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "surveys/get", input = GetUrl)]
pub async fn load_survey(id: i64) -> Result<SurveyDetail, AppError> {
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

#[server(prefix = "/rpc", endpoint = "surveys/results", input = GetUrl)]
pub async fn load_survey_results(id: i64, wave: Option<i64>) -> Result<SurveyResults, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            super::results::results(&crate::clients::service::state()?, &me, id, wave).await
        }
        .await,
    )
}

/// The answer page of survey `id` in `lang` (`zh`, `en`), as a respondent would see it.
#[server(prefix = "/rpc", endpoint = "surveys/preview", input = GetUrl)]
pub async fn load_survey_preview(
    id: i64,
    lang: String,
) -> Result<super::model::AnswerPage, AppError> {
    use crate::auth::backend::current_staff;
    use crate::core::i18n::Lang;
    use crate::server::errors::with_status;
    with_status(
        async {
            current_staff().await?;
            let lang = Lang::parse(&lang).unwrap_or_default();
            super::respond::preview(&crate::clients::service::state()?, id, lang).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "surveys/client_answers", input = GetUrl)]
pub async fn load_client_answers(
    client: i64,
    before: Option<i64>,
) -> Result<super::model::ClientAnswers, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            super::service::client_answers(&crate::clients::service::state()?, &me, client, before)
                .await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "surveys/picks", input = GetUrl)]
pub async fn load_survey_picks(
    id: i64,
    q: Option<String>,
    after: Option<String>,
) -> Result<super::model::SurveyPicks, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            super::service::picks(&crate::clients::service::state()?, &me, id, q, after).await
        }
        .await,
    )
}
