//! Form endpoints of clients: create, edit, archive. Plain posts, so they work the same with
//! JavaScript off; errors re-render the form with the input kept (`server::forms`).
use super::model::{ClientForm, ContactForm, SubmittedClient, SubmittedContact};
use super::service::{self, Outcome};
use crate::auth::backend::AuthSession;
use crate::core::error::AppError;
use crate::server::forms::{answer_on_page, ip_of, pairs, render_again, sign_in_first};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

fn form_of(body: &Bytes) -> ClientForm {
    let pairs = pairs(body);
    ClientForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// Turns the outcome of a write into a redirect or the form shown again.
async fn respond(
    state: &AppState,
    parts: Parts,
    form: ClientForm,
    outcome: Outcome,
    done: impl FnOnce(i64) -> String,
) -> Response {
    let (status, submitted) = match outcome {
        Outcome::Saved(id) => return Redirect::to(&done(id)).into_response(),
        Outcome::Invalid(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            SubmittedClient {
                form,
                errors,
                ..Default::default()
            },
        ),
        Outcome::Duplicates(duplicates) => (
            StatusCode::CONFLICT,
            SubmittedClient {
                form,
                duplicates,
                ..Default::default()
            },
        ),
        Outcome::Conflict => (
            StatusCode::CONFLICT,
            SubmittedClient {
                form,
                conflict: true,
                ..Default::default()
            },
        ),
        Outcome::Failed(error) => {
            let status =
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (
                status,
                SubmittedClient {
                    form,
                    error_key: Some(error.message_key().to_string()),
                    ..Default::default()
                },
            )
        }
    };
    render_again(state, parts, status, submitted).await
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
    let form = form_of(&body);
    let outcome = service::create(&state, &me, &form, ip_of(&parts)).await;
    respond(&state, parts, form, outcome, |id| {
        format!("/clients/{id}?created=1")
    })
    .await
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
    let form = form_of(&body);
    let outcome = service::update(&state, &me, id, &form, ip_of(&parts)).await;
    respond(&state, parts, form, outcome, |id| {
        format!("/clients/{id}?saved=1")
    })
    .await
}

pub async fn archive(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<i64>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let version = posted_version(&pairs(&body));
    match service::archive(&state, &me, id, version, ip_of(&parts)).await {
        Outcome::Saved(_) => Redirect::to("/clients?archived=1").into_response(),
        Outcome::Conflict => Redirect::to(&format!("/clients/{id}?stale=1")).into_response(),
        Outcome::Failed(AppError::Forbidden) => {
            (StatusCode::FORBIDDEN, "Forbidden / 无权操作").into_response()
        }
        Outcome::Failed(AppError::NotFound) => {
            (StatusCode::NOT_FOUND, "Not found / 未找到").into_response()
        }
        other => {
            tracing::warn!(?other, "archive failed");
            Redirect::to(&format!("/clients/{id}?failed=1")).into_response()
        }
    }
}

pub async fn add_contact(
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
    let form = ContactForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let result = service::add_contact(&state, &me, id, &form, ip_of(&parts)).await;
    let done = format!("/clients/{id}?contact_added=1#contacts");
    answer_on_page(
        &state,
        parts,
        &format!("/clients/{id}"),
        result,
        &done,
        |errors, error_key| SubmittedContact {
            form,
            errors,
            error_key,
        },
    )
    .await
}

/// The version posted with a form, or -1 (never a stored version) when missing.
fn posted_version(pairs: &[(String, String)]) -> i64 {
    pairs
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .unwrap_or(-1)
}

pub async fn edit_contact(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((id, contact_id)): Path<(i64, i64)>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let pairs = pairs(&body);
    let form = ContactForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let result = service::edit_contact(&state, &me, id, contact_id, &form, ip_of(&parts)).await;
    answer_on_page(
        &state,
        parts,
        &format!("/clients/{id}/contacts/{contact_id}"),
        result,
        &format!("/clients/{id}?contact_saved=1#contacts"),
        |errors, error_key| SubmittedContact {
            form,
            errors,
            error_key,
        },
    )
    .await
}

pub async fn remove_contact(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((id, contact_id)): Path<(i64, i64)>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let version = posted_version(&pairs(&body));
    let result = service::remove_contact(&state, &me, id, contact_id, version, ip_of(&parts)).await;
    answer_on_page(
        &state,
        parts,
        &format!("/clients/{id}/contacts/{contact_id}"),
        result,
        &format!("/clients/{id}?contact_removed=1#contacts"),
        |errors, error_key| SubmittedContact {
            errors,
            error_key,
            ..SubmittedContact::default()
        },
    )
    .await
}
