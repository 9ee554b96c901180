//! Plain endpoints of the investor's pages that write: opening an update (recorded, for
//! unread badges and engagement, before the page renders, so the page itself never writes)
//! and acknowledging a disclosure.
use super::repo::AckOrigin;
use super::service;
use crate::core::error::AppError;
use crate::portal::access::backend::{Investor, PortalAuthSession};
use crate::server::forms::{ip_of, render_page, user_agent_of};
use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

/// A portal form or page reached without a portal session: sign in, then come back.
pub fn to_sign_in(parts: &Parts) -> Response {
    let next = crate::core::url::encode(parts.uri.path());
    Redirect::to(&format!("/portal/login?next={next}")).into_response()
}

/// A portal page whose opening is recorded (a read, answers or responses seen) before it
/// renders, so the page itself never writes. If recording fails the page still opens; only
/// the "new" mark stays.
pub async fn record_then_render<Fut>(
    state: &AppState,
    portal: &PortalAuthSession,
    parts: Parts,
    what: &'static str,
    record: impl FnOnce(Investor) -> Fut,
) -> Response
where
    Fut: Future<Output = Result<(), AppError>>,
{
    let Some(me) = portal.user.clone() else {
        return to_sign_in(&parts);
    };
    if let Err(error) = record(me).await {
        tracing::warn!(?error, what, "could not record opening a portal page");
    }
    render_page(state, parts).await
}

/// GET `/portal/updates/{id}`: records the first read, then renders the page.
pub async fn open_update(
    State(state): State<AppState>,
    portal: PortalAuthSession,
    Path(id): Path<i64>,
    parts: Parts,
) -> Response {
    let recorder = state.clone();
    record_then_render(&state, &portal, parts, "update read", |me| async move {
        service::record_read(&recorder, &me, id).await
    })
    .await
}

pub async fn acknowledge(
    State(state): State<AppState>,
    portal: PortalAuthSession,
    Path(id): Path<i64>,
    parts: Parts,
) -> Response {
    let Some(me) = &portal.user else {
        return to_sign_in(&parts);
    };
    let ip = ip_of(&parts);
    let user_agent = user_agent_of(&parts);
    let origin = AckOrigin {
        ip: ip.as_deref(),
        user_agent: user_agent.as_deref(),
    };
    let page = format!("/portal/updates/{id}");
    match service::acknowledge(&state, me, id, &origin).await {
        Ok(()) => Redirect::to(&format!("{page}?acknowledged=1")).into_response(),
        // Not theirs (or no such update): the update's own page, which says "not found".
        Err(AppError::NotFound) => {
            let mut parts = parts;
            if let Ok(uri) = page.parse() {
                parts.uri = uri;
            }
            render_page(&state, parts).await
        }
        Err(error) => {
            tracing::warn!(?error, "acknowledgement refused");
            Redirect::to(&format!("{page}?ack_error=1")).into_response()
        }
    }
}
