//! Plain HTML form endpoints for signing in and out and switching language. They are
//! ordinary POSTs answered with redirects, so they work the same with JavaScript off.
use super::backend::{AuthSession, StaffUser};
use super::model::{SignInError, normalise_email, safe_next};
use super::{password, repo};
use crate::core::i18n::Lang;
use crate::portal::access::backend::PortalAuthSession;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::middleware::ClientIp;
use crate::server::state::AppState;
use axum::extract::{Extension, Form, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
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

fn query(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.finish()
}

/// Back to the sign-in page with the reason and the e-mail kept (never the password).
fn back_to_sign_in(error: SignInError, email: &str, next: Option<&str>) -> Response {
    back_to_sign_in_at("/login", error, email, next)
}

/// Back to the sign-in page at `path` (staff or portal) with the reason and the e-mail.
pub fn back_to_sign_in_at(
    path: &str,
    error: SignInError,
    email: &str,
    next: Option<&str>,
) -> Response {
    let q = query(&[
        ("error", error.code()),
        ("email", email),
        ("next", next.unwrap_or("")),
    ]);
    Redirect::to(&format!("{path}?{q}")).into_response()
}

pub async fn sign_in(
    State(state): State<AppState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    mut auth: AuthSession,
    Form(form): Form<SignInForm>,
) -> Response {
    let email = normalise_email(&form.email);
    let next = form.next.as_deref();
    if state.sign_in_throttle.check_key(&ip).is_err() {
        tracing::warn!(%ip, "sign-in throttled");
        return back_to_sign_in(SignInError::Throttled, &email, next);
    }
    let user = match verify(&state, &email, form.password, &ip.to_string()).await {
        Ok(user) => user,
        Err(error) => return back_to_sign_in(error, &email, next),
    };
    if start_session(&mut auth, &user).await.is_err() {
        return back_to_sign_in(SignInError::Unavailable, &email, next);
    }
    Redirect::to(&safe_next(next)).into_response()
}

/// Signs `user` in (staff or portal) with a fresh session id, whoever was signed in before.
pub async fn start_session<B: axum_login::AuthnBackend>(
    auth: &mut axum_login::AuthSession<B>,
    user: &B::User,
) -> Result<(), ()> {
    if auth.user.is_some() {
        let _ = auth.logout().await;
    }
    if let Err(error) = auth.login(user).await {
        tracing::error!(%error, "could not store the session");
        return Err(());
    }
    // axum-login cycles the id only for a session that was not signed in; make every
    // sign-in get a fresh id, so no id known before it (fixation) survives it.
    if let Err(error) = auth.session.cycle_id().await {
        tracing::error!(%error, "could not rotate the session id");
        return Err(());
    }
    Ok(())
}

/// Checks lockout and password, counting failures in the database (shared by all servers).
async fn verify(
    state: &AppState,
    email: &str,
    given: String,
    ip: &str,
) -> Result<StaffUser, SignInError> {
    let Some(row) = repo::find_by_email(&state.db, email)
        .await
        .map_err(sign_in_unavailable)?
        .filter(|r| r.active)
    else {
        password::verify(given, None).await;
        return Err(SignInError::Invalid);
    };
    let account = SignInAccount {
        accounts: repo::Accounts::Staff,
        id: row.id,
        locked_until: row.locked_until,
        password_hash: Some(row.password_hash.clone()),
        actor: Actor::Staff(row.id),
        entity: "user",
        actions: ["auth.sign_in", "auth.locked", "auth.sign_in_failed"],
    };
    check_sign_in(state, account, given, ip).await?;
    Ok(StaffUser(row))
}

fn sign_in_unavailable(error: sqlx::Error) -> SignInError {
    tracing::error!(%error, "sign-in: database error");
    SignInError::Unavailable
}

/// What a sign-in check needs of an account, staff or portal.
pub struct SignInAccount {
    pub accounts: repo::Accounts,
    pub id: i64,
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
    pub password_hash: Option<String>,
    pub actor: Actor,
    /// The audit log's entity name of the account.
    pub entity: &'static str,
    /// Audit actions for success, a lockout, and a wrong password.
    pub actions: [&'static str; 3],
}

/// Checks an existing account's lockout and password (argon2 off the runtime), counting a
/// failure in the database in one statement, so servers sharing it count together; audits
/// the outcome.
pub async fn check_sign_in(
    state: &AppState,
    account: SignInAccount,
    given: String,
    ip: &str,
) -> Result<(), SignInError> {
    let now = state.clock.now();
    if account.locked_until.is_some_and(|until| until > now) {
        return Err(SignInError::Locked);
    }
    let ok = password::verify(given, account.password_hash.clone()).await;
    let mut tx = state.db.begin().await.map_err(sign_in_unavailable)?;
    let outcome = if ok {
        repo::record_sign_in(&mut tx, account.accounts, account.id, now)
            .await
            .map_err(sign_in_unavailable)?;
        Ok(())
    } else {
        let until = now + Duration::minutes(state.config.lockout_minutes);
        let locked = repo::record_failed_sign_in(
            &mut tx,
            account.accounts,
            account.id,
            state.config.lockout_attempts,
            now,
            until,
        )
        .await
        .map_err(sign_in_unavailable)?;
        Err(if locked {
            SignInError::Locked
        } else {
            SignInError::Invalid
        })
    };
    let [signed_in, locked, failed] = account.actions;
    let action = match &outcome {
        Ok(_) => signed_in,
        Err(SignInError::Locked) => locked,
        Err(_) => failed,
    };
    let entry = AuditEntry::new(account.actor, action, account.entity, Some(account.id))
        .ip(Some(ip.to_string()));
    audit::record(&mut tx, now, entry)
        .await
        .map_err(sign_in_unavailable)?;
    tx.commit().await.map_err(sign_in_unavailable)?;
    outcome
}

pub async fn sign_out(mut auth: AuthSession) -> Response {
    if let Err(error) = auth.logout().await {
        tracing::warn!(%error, "sign-out: could not delete the session");
    }
    Redirect::to("/login?notice=signed_out").into_response()
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    next: Option<String>,
}

/// Switches the language: a cookie for everyone, and the signed-in user's own setting.
pub async fn set_language(
    State(state): State<AppState>,
    auth: AuthSession,
    portal: PortalAuthSession,
    Form(form): Form<LanguageForm>,
) -> Response {
    let lang = Lang::parse(&form.lang).unwrap_or_default();
    let now = state.clock.now();
    let saved = async {
        let mut tx = state.db.begin().await?;
        if let Some(user) = &auth.user {
            repo::set_preferences(&mut tx, user.0.id, lang, &user.0.time_zone, now).await?;
        }
        if let Some(investor) = &portal.user {
            crate::portal::access::repo::set_locale(&mut tx, investor.0.id, lang.code(), now)
                .await?;
        }
        tx.commit().await
    };
    if (auth.user.is_some() || portal.user.is_some())
        && let Err(error) = saved.await
    {
        tracing::warn!(%error, "could not save the language setting");
    }
    let secure = if state.config.cookies_secure() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        lang.code()
    );
    let mut response = Redirect::to(&safe_next(form.next.as_deref())).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// The language of a request: the signed-in user's setting (on portal pages the portal
/// user's, elsewhere the staff member's), else the `lang` cookie, else the browser's
/// Accept-Language, else Chinese.
pub fn request_lang(parts: &http::request::Parts) -> Lang {
    let staff = parts
        .extensions
        .get::<AuthSession>()
        .and_then(|a| a.user.as_ref())
        .map(|u| u.0.lang());
    let investor = parts
        .extensions
        .get::<PortalAuthSession>()
        .and_then(|a| a.user.as_ref())
        .map(|u| u.0.lang());
    let on_portal = parts.uri.path().starts_with("/portal");
    let signed_in = if on_portal {
        investor.or(staff)
    } else {
        staff.or(investor)
    };
    signed_in.unwrap_or_else(|| lang_of_headers(&parts.headers))
}

/// The `lang` cookie, else the browser's Accept-Language, else Chinese.
fn lang_of_headers(headers: &HeaderMap) -> Lang {
    let cookie_lang = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix("lang="))
        .find_map(Lang::parse);
    cookie_lang.unwrap_or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::from_accept_language)
            .unwrap_or_default()
    })
}

/// The language and the signed-in user of the request being rendered.
pub fn session_info(parts: &http::request::Parts) -> super::model::SessionInfo {
    let auth = parts.extensions.get::<AuthSession>();
    let portal = parts.extensions.get::<PortalAuthSession>();
    super::model::SessionInfo {
        lang: request_lang(parts),
        me: auth.and_then(|a| a.user.as_ref()).map(|u| u.me()),
        investor: portal.and_then(|a| a.user.as_ref()).map(|u| u.me()),
        time_zones: crate::server::format::TIME_ZONES
            .iter()
            .map(|z| z.to_string())
            .collect(),
    }
}
