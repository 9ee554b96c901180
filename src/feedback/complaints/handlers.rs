//! Staff post on a complaint (a plain form): a response or a note, and/or a new status.
use super::model::{LoggedComplaintForm, ResponseForm, SubmittedLogged, SubmittedResponse};
use super::service;
use crate::auth::backend::AuthSession;
use crate::server::forms::{answer_on_page, ip_of, pairs, sign_in_first};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;

pub async fn respond(
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
    let form = ResponseForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let result = service::respond(&state, &me, id, &form, ip_of(&parts)).await;
    let page = format!("/complaints/{id}");
    let done = format!("{page}?posted=1");
    answer_on_page(&state, parts, &page, result, &done, |errors, error_key| {
        SubmittedResponse {
            form,
            errors,
            error_key,
        }
    })
    .await
}

/// POST `/clients/{id}/complaints`: staff log a complaint taken by phone, e-mail or in a
/// meeting; the new complaint's page follows, or the client page with the form's errors.
pub async fn log(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(client): Path<i64>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let pairs = pairs(&body);
    let form = LoggedComplaintForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let result = super::service::log_for_client(&state, &me, client, &form, ip_of(&parts)).await;
    let done = match &result {
        Ok(id) => format!("/complaints/{id}?logged=1"),
        Err(_) => String::new(),
    };
    answer_on_page(
        &state,
        parts,
        &format!("/clients/{client}"),
        result,
        &done,
        |errors, error_key| SubmittedLogged {
            form,
            errors,
            error_key,
        },
    )
    .await
}

/// POST `/complaints/targets`: the response-time targets per severity; the settings page
/// again, with a note of what was saved or with the form's messages.
pub async fn save_targets(
    State(state): State<AppState>,
    auth: AuthSession,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let pairs = pairs(&body);
    let form = super::targets::TargetsForm::from_pairs(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let result = service::save_targets(&state, &me, &form, ip_of(&parts)).await;
    let done = match &result {
        Ok(changed) => format!("/complaints/targets?saved={changed}"),
        Err(_) => String::new(),
    };
    answer_on_page(
        &state,
        parts,
        "/complaints/targets",
        result,
        &done,
        |errors, error_key| super::model::SubmittedTargets {
            form,
            errors,
            error_key,
        },
    )
    .await
}
