//! The investor raises a complaint (a plain form post) and opens one (its responses are
//! seen before the page renders, so the page itself never writes).
use crate::feedback::complaints::model::{ComplaintForm, SubmittedComplaint};
use crate::portal::access::backend::PortalAuthSession;
use crate::portal::handlers::{record_then_render, to_sign_in};
use crate::server::forms::{Outcome, answer_form, ip_of, pairs};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;

/// GET `/portal/complaints/{id}`: the responses are seen, then the page renders.
pub async fn open(
    State(state): State<AppState>,
    portal: PortalAuthSession,
    Path(id): Path<i64>,
    parts: Parts,
) -> Response {
    let recorder = state.clone();
    record_then_render(&state, &portal, parts, "responses seen", |me| async move {
        super::service::mark_seen(&recorder, &me, id).await
    })
    .await
}

pub async fn raise(
    State(state): State<AppState>,
    portal: PortalAuthSession,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = &portal.user else {
        return to_sign_in(&parts);
    };
    let pairs = pairs(&body);
    let form = ComplaintForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let outcome = match super::service::raise(&state, me, &form, ip_of(&parts)).await {
        Ok(id) => Outcome::Saved(id),
        Err(error) => Outcome::Failed(error),
    };
    answer_form(
        &state,
        parts,
        outcome,
        |id| format!("/portal/complaints/{id}?raised=1"),
        |errors, _, error_key| SubmittedComplaint {
            form,
            errors,
            error_key,
        },
    )
    .await
}
