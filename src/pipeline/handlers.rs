//! Form endpoints of deals (plain posts; errors re-render the page with the input kept).
use super::model::{DealForm, SubmittedDeal};
use super::service;
use crate::auth::backend::AuthSession;
use crate::server::forms::{Outcome, answer_form, ip_of, pairs, sign_in_first};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;

async fn respond(
    state: &AppState,
    parts: Parts,
    form: DealForm,
    outcome: Outcome,
    done: &str,
) -> Response {
    answer_form(
        state,
        parts,
        outcome,
        |id| format!("/deals/{id}?{done}=1"),
        |errors, conflict, error_key| SubmittedDeal {
            form,
            errors,
            conflict,
            error_key,
        },
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    auth: AuthSession,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let pairs = pairs(&body);
    let form = DealForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let outcome = service::create(&state, &me, &form, ip_of(&parts)).await;
    respond(&state, parts, form, outcome, "created").await
}

pub async fn update(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<i64>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let pairs = pairs(&body);
    let form = DealForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let outcome = service::update(&state, &me, id, &form, ip_of(&parts)).await;
    respond(&state, parts, form, outcome, "saved").await
}
