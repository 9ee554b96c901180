//! Form endpoints of projects and tranches (plain posts; errors re-render with input kept).
use super::model::{ProjectForm, SubmittedProject, SubmittedTranche, TrancheForm};
use super::service::{self, Outcome};
use crate::auth::backend::AuthSession;
use crate::server::forms::{answer_form, answer_on_page, ip_of, pairs, sign_in_first};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;

async fn respond(
    state: &AppState,
    parts: Parts,
    form: ProjectForm,
    outcome: Outcome,
    done: String,
) -> Response {
    answer_form(
        state,
        parts,
        outcome,
        |_| done,
        |errors, conflict, error_key| SubmittedProject {
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
    let form = ProjectForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let outcome = service::create(&state, &me, &form, ip_of(&parts)).await;
    let done = match &outcome {
        Outcome::Saved(id) => format!("/projects/{id}?created=1"),
        _ => String::new(),
    };
    respond(&state, parts, form, outcome, done).await
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
    let form = ProjectForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let outcome = service::update(&state, &me, id, &form, ip_of(&parts)).await;
    respond(
        &state,
        parts,
        form,
        outcome,
        format!("/projects/{id}?saved=1"),
    )
    .await
}

pub async fn add_tranche(
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
    let form = TrancheForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let result = service::add_tranche(&state, &me, id, &form, ip_of(&parts)).await;
    let done = format!("/projects/{id}?tranche_added=1#tranches");
    answer_on_page(
        &state,
        parts,
        &format!("/projects/{id}"),
        result,
        &done,
        |errors, error_key| SubmittedTranche {
            form,
            errors,
            error_key,
        },
    )
    .await
}
