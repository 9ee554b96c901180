//! `GET /healthz`: 200 `{"status":"ok","db":"sqlite|postgres"}` when the database answers,
//! 503 with a reason when it does not (load balancers take the server out of rotation).
use super::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let engine = state.db.engine();
    match tokio::time::timeout(std::time::Duration::from_secs(3), state.db.ping()).await {
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "db": engine })),
        ),
        Ok(Err(error)) => {
            tracing::warn!(%error, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    json!({ "status": "unavailable", "db": engine, "reason": "database unreachable" }),
                ),
            )
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "db": engine, "reason": "database timed out" })),
        ),
    }
}
