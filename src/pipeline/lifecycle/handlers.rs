//! The plain-form move of a card (the board without JavaScript).
use super::model::{MoveFeedback, MoveOutcome, MoveRequest};
use crate::auth::backend::AuthSession;
use crate::core::error::AppError;
use crate::server::forms::{ip_of, pairs, render_again, sign_in_first};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

/// The board's own query string, as the form carried it (only a query, never a URL).
fn back_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == "back")
        .map(|(_, v)| v.as_str())
        .filter(|v| v.starts_with('?') && !v.contains(['#', '\n', '\r']))
        .unwrap_or("?")
        .to_string()
}

pub async fn move_card(
    State(state): State<AppState>,
    auth: AuthSession,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let pairs = pairs(&body);
    let request = MoveRequest::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let outcome = super::service::move_client(&state, &me, &request, ip_of(&parts)).await;
    answer_move(&state, parts, &pairs, "/lifecycle", request.id, outcome).await
}

/// Answers a board's plain move form: back to the board (`board` with the form's query)
/// with a notice on success, or the board again with the message and the card where it
/// really is.
pub async fn answer_move(
    state: &AppState,
    mut parts: Parts,
    pairs: &[(String, String)],
    board: &str,
    id: i64,
    outcome: Result<MoveOutcome, AppError>,
) -> Response {
    let back = back_query(pairs);
    let separator = if back.len() > 1 { "&" } else { "" };
    let (status, key) = match outcome {
        Ok(MoveOutcome::Moved { warning, .. }) => {
            let warning = warning.map(|w| format!("&warning={w}")).unwrap_or_default();
            let to = format!("{board}{back}{separator}moved={id}{warning}#card-{id}");
            return Redirect::to(&to).into_response();
        }
        Ok(MoveOutcome::Conflict { .. }) => (StatusCode::CONFLICT, "move.conflict".to_string()),
        Ok(MoveOutcome::NeedsReason(key)) | Ok(MoveOutcome::Refused(key)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, key)
        }
        Err(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors.first().map(|e| e.key.clone()).unwrap_or_default(),
        ),
        Err(error) => (
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            error.message_key().to_string(),
        ),
    };
    if let Ok(uri) = format!("{board}{back}").parse() {
        parts.uri = uri;
    }
    let feedback = MoveFeedback {
        client_id: id,
        message_key: key,
    };
    render_again(state, parts, status, feedback).await
}
