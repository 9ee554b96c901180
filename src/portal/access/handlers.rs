//! Plain form endpoints of portal access: the investor's sign-in, sign-out, invitation and
//! password reset, and the staff's invite and deactivate buttons on a client page. They
//! answer with redirects (or the page again with the form's messages), so they work the
//! same with JavaScript off.
use super::backend::PortalAuthSession;
use super::model::{SignInError, SubmittedPassword, TokenPurpose, safe_portal_next};
use super::service::{self, LinkRefusal};
use crate::auth::backend::AuthSession;
use crate::auth::handlers::{back_to_sign_in_at, start_session};
use crate::auth::model::normalise_email;
use crate::core::error::AppError;
use crate::server::forms::{ip_of, pairs, render_again, sign_in_first};
use crate::server::middleware::ClientIp;
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{Extension, Form, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

const LOGIN: &str = "/portal/login";

pub async fn sign_in(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    mut auth: PortalAuthSession,
    Form(form): Form<SignInForm>,
) -> Response {
    let email = normalise_email(&form.email);
    let next = form.next.as_deref();
    if state.sign_in_throttle.check_key(&ip).is_err() {
        tracing::warn!(%ip, "portal sign-in throttled");
        return back_to_sign_in_at(LOGIN, SignInError::Throttled, &email, next);
    }
    let investor =
        match service::verify_sign_in(&state, &email, form.password, &ip.to_string()).await {
            Ok(investor) => investor,
            Err(error) => return back_to_sign_in_at(LOGIN, error, &email, next),
        };
    if start_session(&mut auth, &investor).await.is_err() {
        return back_to_sign_in_at(LOGIN, SignInError::Unavailable, &email, next);
    }
    Redirect::to(&safe_portal_next(next)).into_response()
}

pub async fn sign_out(mut auth: PortalAuthSession) -> Response {
    if let Err(error) = auth.logout().await {
        tracing::warn!(%error, "portal sign-out: could not delete the session");
    }
    Redirect::to("/portal/login?notice=signed_out").into_response()
}

pub async fn accept_invitation(
    State(state): State<AppState>,
    auth: PortalAuthSession,
    Path(token): Path<String>,
    parts: Parts,
    body: Bytes,
) -> Response {
    set_password(state, auth, token, TokenPurpose::Invitation, parts, body).await
}

pub async fn reset_password(
    State(state): State<AppState>,
    auth: PortalAuthSession,
    Path(token): Path<String>,
    parts: Parts,
    body: Bytes,
) -> Response {
    set_password(state, auth, token, TokenPurpose::Reset, parts, body).await
}

/// The password form of an invitation or reset link: on success the investor is signed in
/// and lands on the portal; a link that cannot be used shows its page again (which says
/// why); a bad password shows the form again with the message.
async fn set_password(
    state: AppState,
    mut auth: PortalAuthSession,
    token: String,
    purpose: TokenPurpose,
    parts: Parts,
    body: Bytes,
) -> Response {
    let pairs = pairs(&body);
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let result = service::set_password_by_link(
        &state,
        &token,
        purpose,
        field("new_password"),
        field("confirm"),
        ip_of(&parts),
    )
    .await;
    let (status, submitted) = match result {
        Ok(investor) => {
            if start_session(&mut auth, &investor).await.is_err() {
                return Redirect::to("/portal/login?error=unavailable").into_response();
            }
            let notice = match purpose {
                TokenPurpose::Invitation => "welcome",
                TokenPurpose::Reset => "password_reset",
            };
            return Redirect::to(&format!("/portal?notice={notice}")).into_response();
        }
        Err(LinkRefusal::Token(_)) => {
            // The page at the link's own address says what is wrong with it.
            return Redirect::to(parts.uri.path()).into_response();
        }
        Err(LinkRefusal::Failed(AppError::Invalid(errors))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            SubmittedPassword {
                errors,
                error_key: None,
            },
        ),
        Err(LinkRefusal::Failed(error)) => (
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            SubmittedPassword {
                errors: Vec::new(),
                error_key: Some(error.message_key().to_string()),
            },
        ),
    };
    render_again(&state, parts, status, submitted).await
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    email: String,
}

/// Asks for a reset link. The answer never says whether the address has an account.
pub async fn request_reset(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Form(form): Form<ResetForm>,
) -> Response {
    if state.sign_in_throttle.check_key(&ip).is_err() {
        tracing::warn!(%ip, "portal reset request throttled");
        return Redirect::to("/portal/reset?error=throttled").into_response();
    }
    match service::request_reset(&state, &form.email, Some(ip.to_string())).await {
        Ok(()) => Redirect::to("/portal/reset?sent=1").into_response(),
        Err(error) => {
            tracing::warn!(?error, "portal reset request failed");
            Redirect::to("/portal/reset?error=unavailable").into_response()
        }
    }
}

/// The outcome code of a staff portal action, shown on the client page.
fn access_error_code(error: &AppError) -> &'static str {
    match error {
        AppError::Invalid(fields) if fields.iter().any(|f| f.key == "portal.invite.no_email") => {
            "no_email"
        }
        AppError::Invalid(_) => "not_investor",
        AppError::Conflict { key } if key == "portal.invite.already_active" => "already_active",
        AppError::Conflict { .. } => "archived",
        AppError::Forbidden => "forbidden",
        AppError::NotFound => "not_found",
        _ => "unavailable",
    }
}

fn back_to_client(id: i64, outcome: Result<&str, &AppError>) -> Response {
    let query = match outcome {
        Ok(done) => format!("portal_done={done}"),
        Err(error) => format!("portal_error={}", access_error_code(error)),
    };
    Redirect::to(&format!("/clients/{id}?{query}#portal")).into_response()
}

pub async fn invite(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((client, contact)): Path<(i64, i64)>,
    parts: Parts,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    match service::invite(&state, &me, client, contact, ip_of(&parts)).await {
        Ok(service::Invited::Link(_)) => back_to_client(client, Ok("invited")),
        Ok(service::Invited::AccessAdded(_)) => back_to_client(client, Ok("access_added")),
        Err(error) => back_to_client(client, Err(&error)),
    }
}

pub async fn deactivate(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((client, portal_user)): Path<(i64, i64)>,
    parts: Parts,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    match service::deactivate(&state, &me, portal_user, ip_of(&parts)).await {
        Ok(()) => back_to_client(client, Ok("deactivated")),
        Err(error) => back_to_client(client, Err(&error)),
    }
}
