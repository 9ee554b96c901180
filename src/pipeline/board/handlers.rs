//! The plain-form move of a deal card (the deal board without JavaScript).
use crate::auth::backend::AuthSession;
use crate::pipeline::lifecycle::handlers::answer_move;
use crate::pipeline::lifecycle::model::MoveRequest;
use crate::server::forms::{ip_of, pairs, sign_in_first};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::request::Parts;
use axum::response::Response;

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
    let outcome = super::service::move_deal(&state, &me, &request, ip_of(&parts)).await;
    answer_move(&state, parts, &pairs, "/pipeline", request.id, outcome).await
}
