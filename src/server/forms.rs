//! Plain HTML form posts that work without JavaScript: on success the handler redirects;
//! on a validation error it renders the same page again, with the posted input and the
//! messages handed to the page as context, and answers 4xx.
use super::state::AppState;
use crate::app::shell;
use crate::core::error::{AppError, FieldError};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;

/// Renders the page at the posted URL (as a GET) with `value` in its context.
pub async fn render_again<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    parts: Parts,
    status: StatusCode,
    value: T,
) -> Response {
    let mut response = render_with(state, parts, value).await;
    *response.status_mut() = status;
    response
}

/// Renders the page of a GET handled by a handler of its own (which did something first),
/// with the status the page sets.
pub async fn render_page(state: &AppState, parts: Parts) -> Response {
    render_with(state, parts, ()).await
}

/// A GET a handler of its own refuses: the app's page for that path (no page has it, so
/// the "not found" page) with the error's status.
pub async fn render_error_page(state: &AppState, parts: Parts, error: AppError) -> Response {
    let mut response = render_with(state, parts, ()).await;
    *response.status_mut() =
        StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
}

async fn render_with<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    mut parts: Parts,
    value: T,
) -> Response {
    parts.method = Method::GET;
    let base = super::startup::request_context(state.clone());
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || {
            base();
            provide_context(value.clone());
        },
        move || shell(options.clone()),
    );
    render(Request::from_parts(parts, Body::empty()))
        .await
        .into_response()
}

/// The posted `name=value` pairs of a form body.
pub fn pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// A lookup of a query string's values (`?owner=all&kind=investor`), for the `from_query`
/// parsers the pages share.
pub fn query_lookup(query: &str) -> impl Fn(&str) -> Option<String> {
    let pairs = pairs(query.trim_start_matches('?').as_bytes());
    move |name| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }
}

/// The client address the middleware recorded, for the audit log.
pub fn ip_of(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<super::middleware::ClientIp>()
        .map(|ip| ip.0.to_string())
}

/// The browser's description of itself (at most 500 characters), for records of who did
/// what from where.
pub fn user_agent_of(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(500).collect())
}

/// A form posted by someone whose session has ended: sign in, then come back.
pub fn sign_in_first(parts: &Parts) -> Response {
    let next = crate::core::url::encode(parts.uri.path());
    Redirect::to(&format!("/login?next={next}")).into_response()
}

/// Answers a form that sits on a record's page (a contact on a client, a tranche on a
/// project): redirect to `done` on success, else show `page` again with the form as typed,
/// built by `shown_again(field messages, general message key)`.
pub async fn answer_on_page<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    mut parts: Parts,
    page: &str,
    result: Result<i64, AppError>,
    done: &str,
    shown_again: impl FnOnce(Vec<FieldError>, Option<String>) -> T,
) -> Response {
    if let Ok(uri) = page.parse() {
        parts.uri = uri;
    }
    let (status, submitted) = match result {
        Ok(_) => return Redirect::to(done).into_response(),
        Err(AppError::Invalid(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, shown_again(errors, None))
        }
        Err(error) => {
            let status =
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (
                status,
                shown_again(Vec::new(), Some(error.message_key().to_string())),
            )
        }
    };
    render_again(state, parts, status, submitted).await
}

/// How a record write from a form ended: saved (the record's id), refused because someone
/// else changed the record since the form was loaded, or another error to show with it.
pub enum Outcome {
    Saved(i64),
    Conflict,
    Failed(AppError),
}

/// Answers a record form (create or edit page): redirect to `done(id)` on success, else
/// show the posted page again, built by `shown_again(field messages, conflict, message
/// key)`, with the status the outcome calls for.
pub async fn answer_form<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    parts: Parts,
    outcome: Outcome,
    done: impl FnOnce(i64) -> String,
    shown_again: impl FnOnce(Vec<FieldError>, bool, Option<String>) -> T,
) -> Response {
    let (status, submitted) = match outcome {
        Outcome::Saved(id) => return Redirect::to(&done(id)).into_response(),
        Outcome::Conflict => (StatusCode::CONFLICT, shown_again(Vec::new(), true, None)),
        Outcome::Failed(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            shown_again(errors, false, None),
        ),
        Outcome::Failed(error) => (
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            shown_again(Vec::new(), false, Some(error.message_key().to_string())),
        ),
    };
    render_again(state, parts, status, submitted).await
}

/// The client address of the request a server function is answering, for the audit log.
pub fn request_ip() -> Option<String> {
    leptos::prelude::use_context::<Parts>().and_then(|parts| ip_of(&parts))
}
