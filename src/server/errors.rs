//! Turning failures into safe `AppError`s: internals are logged with a reference id the user
//! also sees; nothing a database or library says ever reaches a page.
use crate::core::error::AppError;
use std::fmt::Display;

/// A short random id that links a user's error message to the server log line.
pub fn reference_id() -> String {
    super::idempotency::new_key()[..10].to_string()
}

/// Logs an unexpected failure and returns the safe error the user sees.
pub fn internal(error: impl Display) -> AppError {
    let reference = reference_id();
    tracing::error!(%reference, %error, "internal error");
    AppError::Internal { reference }
}

/// Maps a database error: a busy or unreachable database is 503, anything else is a bug.
pub fn db(error: sqlx::Error) -> AppError {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            let reference = reference_id();
            tracing::warn!(%reference, %error, "database unavailable");
            AppError::Unavailable { reference }
        }
        sqlx::Error::Database(ref e) if e.message().contains("database is locked") => {
            let reference = reference_id();
            tracing::warn!(%reference, %error, "database busy");
            AppError::Unavailable { reference }
        }
        other => internal(other),
    }
}

/// Sets the HTTP status of the current server-function response from its error, so clients,
/// proxies and tests see 403/404/409/422/503 rather than a generic 500.
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result
        && let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status())
    {
        response.set_status(status);
    }
    result
}
