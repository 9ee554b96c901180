//! The log-an-interaction form post (on the client's page).
use super::model::{InteractionForm, SubmittedInteraction};
use crate::auth::backend::AuthSession;
use crate::server::forms::{answer_on_page, ip_of, pairs, sign_in_first};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;

pub async fn log(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(client_id): Path<i64>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let pairs = pairs(&body);
    let form = InteractionForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let result = super::service::log(&state, &me, client_id, &form, ip_of(&parts)).await;
    answer_on_page(
        &state,
        parts,
        &format!("/clients/{client_id}"),
        result,
        &format!("/clients/{client_id}?logged=1#timeline"),
        |errors, error_key| SubmittedInteraction {
            form,
            errors,
            error_key,
        },
    )
    .await
}
