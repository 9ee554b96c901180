//! Plain form endpoints of questions: the investor asks, opens (recorded before the page
//! renders) and follows up; staff answer.
use super::model::{QuestionForm, SubmittedQuestion};
use super::service;
use crate::auth::backend::AuthSession;
use crate::core::error::FieldError;
use crate::portal::access::backend::PortalAuthSession;
use crate::portal::handlers::{record_then_render, to_sign_in};
use crate::server::forms::{Outcome, answer_form, answer_on_page, ip_of, pairs, sign_in_first};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;

fn form_of(body: &Bytes) -> QuestionForm {
    let pairs = pairs(body);
    QuestionForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

fn shown_again(
    form: QuestionForm,
) -> impl FnOnce(Vec<FieldError>, Option<String>) -> SubmittedQuestion {
    move |errors, error_key| SubmittedQuestion {
        form,
        errors,
        error_key,
    }
}

pub async fn ask(
    State(state): State<AppState>,
    portal: PortalAuthSession,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = &portal.user else {
        return to_sign_in(&parts);
    };
    let form = form_of(&body);
    let outcome = match service::ask(&state, me, &form, ip_of(&parts)).await {
        Ok(id) => Outcome::Saved(id),
        Err(error) => Outcome::Failed(error),
    };
    answer_form(
        &state,
        parts,
        outcome,
        |id| format!("/portal/questions/{id}?asked=1"),
        |errors, _, error_key| SubmittedQuestion {
            form,
            errors,
            error_key,
        },
    )
    .await
}

/// GET `/portal/questions/{id}`: the answers are seen, then the page renders.
pub async fn open(
    State(state): State<AppState>,
    portal: PortalAuthSession,
    Path(id): Path<i64>,
    parts: Parts,
) -> Response {
    let recorder = state.clone();
    record_then_render(&state, &portal, parts, "answers seen", |me| async move {
        service::mark_seen(&recorder, &me, id).await
    })
    .await
}

pub async fn reply(
    State(state): State<AppState>,
    portal: PortalAuthSession,
    Path(id): Path<i64>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = &portal.user else {
        return to_sign_in(&parts);
    };
    let form = form_of(&body);
    let result = service::reply(&state, me, id, &form.body, ip_of(&parts)).await;
    let page = format!("/portal/questions/{id}");
    let done = format!("{page}?replied=1");
    answer_on_page(&state, parts, &page, result, &done, shown_again(form)).await
}

pub async fn answer(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<i64>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let form = form_of(&body);
    let result = service::answer(&state, &me, id, &form.body, ip_of(&parts)).await;
    let page = format!("/questions/{id}");
    let done = format!("{page}?answered=1");
    answer_on_page(&state, parts, &page, result, &done, shown_again(form)).await
}
