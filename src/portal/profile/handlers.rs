//! Plain form endpoints of the profile: the investor saves it and asks for a change; staff
//! mark a change request handled.
use super::model::{ChangeRequestForm, ProfileForm, SubmittedChangeRequest, SubmittedProfile};
use super::service;
use crate::auth::backend::AuthSession;
use crate::portal::access::backend::PortalAuthSession;
use crate::portal::handlers::to_sign_in;
use crate::server::forms::{answer_on_page, ip_of, pairs, sign_in_first};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;

const PAGE: &str = "/portal/profile";

pub async fn save(
    State(state): State<AppState>,
    portal: PortalAuthSession,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = &portal.user else {
        return to_sign_in(&parts);
    };
    let pairs = pairs(&body);
    let form = ProfileForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let result = service::save(&state, me, &form, ip_of(&parts)).await;
    answer_on_page(
        &state,
        parts,
        PAGE,
        result,
        "/portal/profile?saved=1",
        |errors, error_key| SubmittedProfile {
            form,
            errors,
            error_key,
        },
    )
    .await
}

pub async fn request_change(
    State(state): State<AppState>,
    portal: PortalAuthSession,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = &portal.user else {
        return to_sign_in(&parts);
    };
    let pairs = pairs(&body);
    let form = ChangeRequestForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let result = service::request_change(&state, me, &form, ip_of(&parts)).await;
    answer_on_page(
        &state,
        parts,
        PAGE,
        result,
        "/portal/profile?requested=1#requests",
        |errors, error_key| SubmittedChangeRequest {
            form,
            errors,
            error_key,
        },
    )
    .await
}

pub async fn mark_handled(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((client, id)): Path<(i64, i64)>,
    parts: Parts,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let page = format!("/clients/{client}");
    let done = format!("{page}?request_handled=1#change-requests");
    let result = service::mark_handled(&state, &me, client, id, ip_of(&parts)).await;
    answer_on_page(&state, parts, &page, result, &done, |_, error_key| {
        crate::portal::profile::model::SubmittedChangeRequest {
            error_key,
            ..Default::default()
        }
    })
    .await
}
