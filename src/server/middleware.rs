//! Request middleware: client address, same-origin check, security headers, sign-in gate
//! for pages, and request logging that never writes tokens.
use super::state::AppState;
use crate::auth::backend::AuthSession;
use crate::portal::access::backend::PortalAuthSession;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

/// The address of the client: the peer, or, behind a trusted proxy, the right-most
/// X-Forwarded-For entry (the one that proxy appended).
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

pub fn client_ip_of(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|ip| ip.trim().parse().ok())
        .next_back()
        .unwrap_or(peer)
}

pub async fn client_ip(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let ip = client_ip_of(peer, req.headers(), &state.trusted_proxies);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// Does a state-changing request come from our own pages? `Sec-Fetch-Site: same-origin`
/// (sent by every current browser) or an Origin/Referer equal to `PUBLIC_URL`'s origin.
pub fn is_same_origin(headers: &HeaderMap, public_origin: &str) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site == "same-origin";
    }
    if let Some(origin) = header("origin") {
        return origin == public_origin;
    }
    header("referer").is_some_and(|referer| {
        referer == public_origin || referer.starts_with(&format!("{public_origin}/"))
    })
}

pub async fn same_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || is_same_origin(req.headers(), &state.public_origin) {
        next.run(req).await
    } else {
        tracing::warn!(path = %redact_path(req.uri().path()), "cross-origin request refused");
        (
            StatusCode::FORBIDDEN,
            "Cross-origin request refused / 跨站请求被拒绝",
        )
            .into_response()
    }
}

/// The CSP of a server-rendered page, allowing only scripts that carry `nonce`.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Headers on every response; pages set their own CSP (with the nonce), everything else
/// gets one that allows no script at all.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                 object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
    }
    response
}

/// Staff pages that need no sign-in.
const PUBLIC_PAGES: &[&str] = &["/login"];

/// Portal pages that need no sign-in (the invitation and reset pages carry their token).
fn is_public_portal_page(path: &str) -> bool {
    path == "/portal/login"
        || path == "/portal/reset"
        || path.starts_with("/portal/invite/")
        || path.starts_with("/portal/reset/")
}

/// Survey respondents' pages: a link carries its own token, no account is needed.
fn is_respondent_page(path: &str) -> bool {
    path.starts_with("/s/") || path == "/survey/thanks" || path == "/survey/unsubscribed"
}

/// The sign-in page a visitor without the right session is sent to, if any: portal pages
/// want a portal session, every other page a staff session. A staff session opens no
/// portal page and a portal session no staff page, so neither can pass for the other.
pub fn sign_in_page_for(path: &str, staff: bool, investor: bool) -> Option<&'static str> {
    if path == "/portal" || path.starts_with("/portal/") {
        (!investor && !is_public_portal_page(path)).then_some("/portal/login")
    } else if is_respondent_page(path) {
        None
    } else {
        (!staff && !PUBLIC_PAGES.contains(&path)).then_some("/login")
    }
}

/// Sends a visitor who is not signed in (for that side of the app) to its sign-in page,
/// remembering where they were going.
pub async fn require_sign_in_for_pages(
    auth: AuthSession,
    portal: PortalAuthSession,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    // Server functions check sessions themselves and answer 401/403, not a redirect.
    if path.starts_with("/rpc/") || req.method() != Method::GET {
        return next.run(req).await;
    }
    let Some(login) = sign_in_page_for(path, auth.user.is_some(), portal.user.is_some()) else {
        return next.run(req).await;
    };
    let wanted = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", &wanted)
        .finish();
    Redirect::to(&format!("{login}?{query}")).into_response()
}

/// The session key holding when a signed-in session was last moved on (Unix seconds).
const SESSION_TOUCHED: &str = "covenant.touched";

/// Keeps a signed-in session (staff or portal) alive while it is in use. tower-sessions
/// stores a session, and with it the expiry of `Expiry::OnInactivity`, only when the
/// session changes: without this a session ended `SESSION_IDLE_MINUTES` after sign-in
/// however busy its user was. Touching it once every tenth of the idle time moves the
/// expiry on, at the cost of one write per user every few minutes rather than one per
/// request.
pub async fn keep_session_alive(
    State(state): State<AppState>,
    auth: AuthSession,
    portal: PortalAuthSession,
    req: Request,
    next: Next,
) -> Response {
    let now = state.clock.now().timestamp();
    let every = (state.config.session_idle_minutes * 60 / 10).max(1);
    if auth.user.is_some() {
        touch(&auth.session, now, every).await;
    }
    if portal.user.is_some() {
        touch(&portal.session, now, every).await;
    }
    next.run(req).await
}

async fn touch(session: &tower_sessions::Session, now: i64, every: i64) {
    let touched = session.get::<i64>(SESSION_TOUCHED).await.ok().flatten();
    if touched.is_none_or(|at| now - at >= every || now < at)
        && let Err(e) = session.insert(SESSION_TOUCHED, now).await
    {
        tracing::warn!(error = %e, "could not touch the session");
    }
}

/// Paths that carry secrets (survey, invitation and reset tokens) are logged without them.
pub fn redact_path(path: &str) -> String {
    for prefix in ["/s/", "/portal/invite/", "/portal/reset/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
            return format!("{prefix}[redacted]{tail}");
        }
    }
    path.to_string()
}

/// A server-function call whose arguments cannot be read fails before the function runs,
/// and the server-function layer answers 500 for it; it is the caller's mistake, so this
/// answers 400 instead (the body, `AppError::Request`, stays as it is).
pub async fn bad_calls_are_400(req: Request, next: Next) -> Response {
    let is_rpc = req.uri().path().starts_with("/rpc/");
    let response = next.run(req).await;
    if !is_rpc || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    let error = serde_json::from_slice::<crate::core::error::AppError>(&bytes).ok();
    if let Some(status) = error.and_then(|e| StatusCode::from_u16(e.status()).ok()) {
        parts.status = status;
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

pub async fn log_requests(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = redact_path(req.uri().path());
    let response = next.run(req).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_rules() {
        let origin = "https://crm.example.com";
        assert!(is_same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            origin
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://crm.example.com")
            ]),
            origin
        ));
        assert!(is_same_origin(
            &headers(&[("origin", "https://crm.example.com")]),
            origin
        ));
        assert!(!is_same_origin(
            &headers(&[("origin", "https://evil.example")]),
            origin
        ));
        assert!(is_same_origin(
            &headers(&[("referer", "https://crm.example.com/login")]),
            origin
        ));
        assert!(!is_same_origin(
            &headers(&[("referer", "https://crm.example.com.evil.example/")]),
            origin
        ));
        assert!(!is_same_origin(&headers(&[]), origin));
    }

    #[test]
    fn forwarded_address_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9")]);
        assert_eq!(client_ip_of(proxy, &h, &[proxy]).to_string(), "203.0.113.9");
        let stranger: IpAddr = "198.51.100.7".parse().expect("ip");
        assert_eq!(client_ip_of(stranger, &h, &[proxy]), stranger);
    }

    #[test]
    fn each_side_of_the_app_wants_its_own_session() {
        assert_eq!(sign_in_page_for("/clients", false, true), Some("/login"));
        assert_eq!(sign_in_page_for("/clients", true, false), None);
        assert_eq!(
            sign_in_page_for("/portal", true, false),
            Some("/portal/login")
        );
        assert_eq!(sign_in_page_for("/portal/projects/3", false, true), None);
        assert_eq!(sign_in_page_for("/portal/invite/abc", false, false), None);
        assert_eq!(sign_in_page_for("/portal/reset", false, false), None);
        assert_eq!(sign_in_page_for("/portal/login", false, false), None);
        assert_eq!(sign_in_page_for("/login", false, false), None);
        assert_eq!(sign_in_page_for("/portalx", false, true), Some("/login"));
    }

    #[test]
    fn token_paths_are_redacted() {
        assert_eq!(redact_path("/s/abcdef0123"), "/s/[redacted]");
        assert_eq!(
            redact_path("/portal/reset/tok/confirm"),
            "/portal/reset/[redacted]/confirm"
        );
        assert_eq!(redact_path("/clients/42"), "/clients/42");
    }
}
