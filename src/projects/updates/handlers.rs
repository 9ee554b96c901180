//! Plain form endpoints of project updates: create a draft, edit it, publish it, start a
//! new version. Each answers with a redirect, or the page again with the form's messages.
use super::model::{SubmittedUpdate, UpdateForm};
use super::service;
use crate::auth::backend::AuthSession;
use crate::core::error::AppError;
use crate::server::forms::{Outcome, answer_form, answer_on_page, ip_of, pairs, sign_in_first};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;

fn form_of(body: &Bytes) -> (UpdateForm, i64) {
    let pairs = pairs(body);
    let form = UpdateForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let version = pairs
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(-1);
    (form, version)
}

fn shown_again(
    form: UpdateForm,
) -> impl FnOnce(Vec<crate::core::error::FieldError>, Option<String>) -> SubmittedUpdate {
    move |errors, error_key| SubmittedUpdate {
        form,
        errors,
        error_key,
    }
}

pub async fn create(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(project): Path<i64>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let (form, _) = form_of(&body);
    let outcome = match service::create(&state, &me, project, &form, ip_of(&parts)).await {
        Ok(id) => Outcome::Saved(id),
        Err(AppError::Conflict { key }) if key == "error.stale" => Outcome::Conflict,
        Err(error) => Outcome::Failed(error),
    };
    answer_form(
        &state,
        parts,
        outcome,
        |id| format!("/projects/{project}/updates/{id}?created=1"),
        |errors, _, error_key| SubmittedUpdate {
            form,
            errors,
            error_key,
        },
    )
    .await
}

pub async fn edit(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((project, id)): Path<(i64, i64)>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let (form, version) = form_of(&body);
    let result = service::edit(&state, &me, id, version, &form, ip_of(&parts)).await;
    let page = format!("/projects/{project}/updates/{id}");
    let done = format!("{page}?saved=1");
    answer_on_page(&state, parts, &page, result, &done, shown_again(form)).await
}

pub async fn publish(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((project, id)): Path<(i64, i64)>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let (_, version) = form_of(&body);
    let result = service::publish(&state, &me, id, version, ip_of(&parts)).await;
    let page = format!("/projects/{project}/updates/{id}");
    let done = format!("{page}?published=1");
    answer_on_page(
        &state,
        parts,
        &page,
        result,
        &done,
        shown_again(UpdateForm::default()),
    )
    .await
}

pub async fn new_version(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((project, id)): Path<(i64, i64)>,
    parts: Parts,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let page = format!("/projects/{project}/updates/{id}");
    match service::new_version(&state, &me, id, ip_of(&parts)).await {
        Ok(draft) => axum::response::IntoResponse::into_response(axum::response::Redirect::to(
            &format!("/projects/{project}/updates/{draft}?new_version=1"),
        )),
        Err(error) => {
            answer_on_page(
                &state,
                parts,
                &page,
                Err(error),
                &page,
                shown_again(UpdateForm::default()),
            )
            .await
        }
    }
}
