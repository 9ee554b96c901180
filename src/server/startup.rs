//! Building the app (router, layers, state) and serving it. Tests start the very same app.
use super::clock::{Clock, SystemClock};
use super::config::Config;
use super::db::Db;
use super::state::AppState;
use super::{health, jobs, middleware, session};
use crate::app::{App, shell};
use crate::auth::backend::StaffBackend;
use crate::auth::handlers;
use crate::portal::access::backend::PortalBackend;
use crate::portal::access::handlers as portal;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::serve::ListenerExt;
use axum_login::AuthManagerLayerBuilder;
use governor::{Quota, RateLimiter};
use leptos::config::LeptosOptions;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, ResponseOptions, generate_route_list};
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Connects to the database and runs migrations (failing loudly), then builds the state.
pub async fn prepare(config: Config, clock: Arc<dyn Clock>) -> Result<AppState, String> {
    let problems = config.problems();
    if !problems.is_empty() {
        return Err(format!(
            "refusing to start:\n  - {}",
            problems.join("\n  - ")
        ));
    }
    let db = Db::connect(&config.database_url, config.sqlite_synchronous)
        .await
        .map_err(|e| {
            format!(
                "cannot open the database {}: {e}",
                redact_url(&config.database_url)
            )
        })?;
    db.migrate()
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    let leptos_options = leptos_options()?;
    let mailer = Arc::new(super::mail::Mailer::new(
        &config.mail_from,
        config.smtp_url.as_deref(),
        &config.mail_dir,
    )?);
    let per_minute =
        NonZeroU32::new(config.login_attempts_per_ip_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    let survey_per_minute =
        NonZeroU32::new(config.survey_requests_per_ip_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    Ok(AppState {
        survey_writer: crate::surveys::batch::Writer::start(&db),
        db,
        public_origin: config.public_origin(),
        trusted_proxies: Arc::new(config.trusted_proxy_list()?),
        config: Arc::new(config),
        clock,
        leptos_options,
        sign_in_throttle: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
        survey_throttle: Arc::new(RateLimiter::keyed(Quota::per_minute(survey_per_minute))),
        mailer,
    })
}

/// Leptos settings from `LEPTOS_*` variables (cargo-leptos sets them; defaults otherwise).
fn leptos_options() -> Result<LeptosOptions, String> {
    get_configuration(None)
        .map(|c| c.leptos_options)
        .map_err(|e| format!("leptos configuration: {e}"))
}

/// Hides the password of a database URL in messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// Context every server render and server function gets: the app state, and for pages the
/// CSP header carrying this response's nonce.
pub(crate) fn request_context(state: AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        provide_context(state.clone());
        if let (Some(nonce), Some(response)) =
            (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
            && let Ok(value) = HeaderValue::from_str(&middleware::page_csp(&nonce))
        {
            response.insert_header(header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

pub fn router(state: AppState) -> Result<Router, String> {
    // Staff and investors each have their own session cookie and backend, so a portal
    // session is never a staff session and the other way round.
    let auth = AuthManagerLayerBuilder::new(
        StaffBackend {
            db: state.db.clone(),
        },
        session_layer(&state, "covenant.sid")?,
    )
    .build();
    let portal_auth = AuthManagerLayerBuilder::new(
        PortalBackend {
            db: state.db.clone(),
        },
        session_layer(&state, "covenant.portal")?,
    )
    .build();

    let routes = page_routes();
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, request_context(state.clone()), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .route_layer(axum::middleware::from_fn(
            middleware::require_sign_in_for_pages,
        ));

    let files = super::static_files::site_files(&state.leptos_options.site_root);
    let app = plain_routes()
        .into_iter()
        .fold(Router::new(), |router, (_, path, handler)| {
            router.route(path, handler)
        })
        .merge(pages)
        .fallback(move |state: State<AppState>, req: Request<Body>| {
            static_or_not_found(state, files.clone(), req)
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::keep_session_alive,
        ))
        .layer(portal_auth)
        .layer(auth)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::same_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::client_ip,
        ))
        .layer(axum::middleware::from_fn(middleware::bad_calls_are_400))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(middleware::log_requests))
        .with_state(state);
    Ok(app)
}

/// An investor opening an update: the read is recorded, then the page renders.
const OPEN_UPDATE: &str = "/portal/updates/{id}";
/// An investor opening their question: its answers are seen, then the page renders.
const OPEN_QUESTION: &str = "/portal/questions/{id}";
/// An investor opening their complaint: its responses are seen, then the page renders.
const OPEN_COMPLAINT: &str = "/portal/complaints/{id}";
/// A survey link: rate-limited, and rendered in the link's language by its handler.
const SURVEY_LINK: &str = "/s/{token}";
const SURVEY_UNSUBSCRIBE: &str = "/s/{token}/unsubscribe";
/// The pages whose GET is a handler of its own (it writes or decides before rendering).
const WRITING_PAGES: [&str; 5] = [
    OPEN_UPDATE,
    OPEN_QUESTION,
    OPEN_COMPLAINT,
    SURVEY_LINK,
    SURVEY_UNSUBSCRIBE,
];

/// A session layer with the cookie `name`, over the sessions table.
fn session_layer(
    state: &AppState,
    name: &'static str,
) -> Result<SessionManagerLayer<session::Store>, String> {
    Ok(SessionManagerLayer::new(session::Store::new(&state.db)?)
        .with_name(name)
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_secure(state.config.cookies_secure())
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            state.config.session_idle_minutes,
        ))))
}

/// Every route besides the Leptos pages and the server functions: method, path, handler.
/// The authorisation test lists them through `route_inventory`.
fn plain_routes() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    use crate::portal::questions::handlers as questions;
    use crate::surveys::handlers as surveys;
    vec![
        ("GET", "/healthz", get(health::healthz)),
        ("POST", "/portal/questions", post(questions::ask)),
        ("GET", OPEN_QUESTION, get(questions::open)),
        (
            "GET",
            OPEN_COMPLAINT,
            get(crate::portal::complaints::handlers::open),
        ),
        (
            "POST",
            "/portal/questions/{id}/reply",
            post(questions::reply),
        ),
        ("POST", "/questions/{id}/answer", post(questions::answer)),
        ("POST", "/login", post(handlers::sign_in)),
        ("POST", "/logout", post(handlers::sign_out)),
        ("POST", "/lang", post(handlers::set_language)),
        (
            "POST",
            "/clients/new",
            post(crate::clients::handlers::create),
        ),
        (
            "POST",
            "/clients/{id}/edit",
            post(crate::clients::handlers::update),
        ),
        (
            "POST",
            "/clients/{id}/contacts",
            post(crate::clients::handlers::add_contact),
        ),
        (
            "POST",
            "/clients/{id}/contacts/{contact}",
            post(crate::clients::handlers::edit_contact),
        ),
        (
            "POST",
            "/clients/{id}/contacts/{contact}/remove",
            post(crate::clients::handlers::remove_contact),
        ),
        (
            "POST",
            "/clients/{id}/archive",
            post(crate::clients::handlers::archive),
        ),
        (
            "POST",
            "/projects/new",
            post(crate::projects::handlers::create),
        ),
        (
            "POST",
            "/projects/{id}/edit",
            post(crate::projects::handlers::update),
        ),
        (
            "POST",
            "/projects/{id}/tranches",
            post(crate::projects::handlers::add_tranche),
        ),
        (
            "POST",
            "/clients/{id}/interactions",
            post(crate::clients::timeline::handlers::log),
        ),
        (
            "POST",
            "/deals/new",
            post(crate::pipeline::handlers::create),
        ),
        (
            "POST",
            "/pipeline/move",
            post(crate::pipeline::board::handlers::move_card),
        ),
        (
            "POST",
            "/lifecycle/move",
            post(crate::pipeline::lifecycle::handlers::move_card),
        ),
        (
            "POST",
            "/deals/{id}/edit",
            post(crate::pipeline::handlers::update),
        ),
        (
            "POST",
            "/clients/{id}/contacts/{contact}/portal-invite",
            post(portal::invite),
        ),
        (
            "POST",
            "/clients/{id}/portal-users/{user}/deactivate",
            post(portal::deactivate),
        ),
        (
            "GET",
            OPEN_UPDATE,
            get(crate::portal::handlers::open_update),
        ),
        (
            "POST",
            "/portal/updates/{id}/acknowledge",
            post(crate::portal::handlers::acknowledge),
        ),
        (
            "POST",
            "/projects/{id}/updates/new",
            post(crate::projects::updates::handlers::create),
        ),
        (
            "POST",
            "/projects/{id}/updates/{update}/edit",
            post(crate::projects::updates::handlers::edit),
        ),
        (
            "POST",
            "/projects/{id}/updates/{update}/publish",
            post(crate::projects::updates::handlers::publish),
        ),
        (
            "POST",
            "/projects/{id}/updates/{update}/new-version",
            post(crate::projects::updates::handlers::new_version),
        ),
        (
            "POST",
            "/projects/{id}/documents",
            // The upload checks its own limit (UPLOAD_LIMIT_MB) as the bytes stream in.
            post(crate::projects::documents::handlers::upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        (
            "GET",
            "/projects/{id}/documents/{document}",
            get(crate::projects::documents::handlers::staff_download),
        ),
        (
            "GET",
            "/portal/documents/{id}",
            get(crate::portal::documents::handlers::open),
        ),
        (
            "POST",
            "/portal/profile",
            post(crate::portal::profile::handlers::save),
        ),
        (
            "POST",
            "/portal/profile/requests",
            post(crate::portal::profile::handlers::request_change),
        ),
        (
            "POST",
            "/clients/{id}/change-requests/{request}/handled",
            post(crate::portal::profile::handlers::mark_handled),
        ),
        (
            "POST",
            "/portal/complaints",
            post(crate::portal::complaints::handlers::raise),
        ),
        (
            "POST",
            "/complaints/targets",
            post(crate::feedback::complaints::handlers::save_targets),
        ),
        (
            "POST",
            "/complaints/{id}/respond",
            post(crate::feedback::complaints::handlers::respond),
        ),
        (
            "POST",
            "/clients/{id}/complaints",
            post(crate::feedback::complaints::handlers::log),
        ),
        ("GET", SURVEY_LINK, get(surveys::open)),
        ("POST", SURVEY_LINK, post(surveys::submit)),
        ("GET", SURVEY_UNSUBSCRIBE, get(surveys::unsubscribe_page)),
        ("POST", SURVEY_UNSUBSCRIBE, post(surveys::unsubscribe)),
        (
            "POST",
            "/portal/surveys/{id}/answer",
            post(surveys::portal_answer),
        ),
        ("POST", "/surveys/new", post(surveys::create)),
        ("POST", "/surveys/{id}/edit", post(surveys::save)),
        ("POST", "/surveys/{id}/status", post(surveys::set_status)),
        ("POST", "/surveys/{id}/send", post(surveys::send)),
        ("POST", "/surveys/{id}/open-link", post(surveys::open_link)),
        ("POST", "/surveys/{id}/picks", post(surveys::add_pick)),
        (
            "POST",
            "/surveys/{id}/picks/{client}/remove",
            post(surveys::remove_pick),
        ),
        (
            "POST",
            "/surveys/{id}/questions",
            post(surveys::add_question),
        ),
        (
            "POST",
            "/surveys/{id}/questions/{question}",
            post(surveys::edit_question),
        ),
        (
            "POST",
            "/surveys/{id}/questions/{question}/remove",
            post(surveys::remove_question),
        ),
        (
            "POST",
            "/surveys/{id}/questions/{question}/move",
            post(surveys::move_question),
        ),
        (
            "GET",
            "/surveys/{id}/responses.csv",
            get(crate::surveys::export::responses_csv),
        ),
        ("POST", "/portal/login", post(portal::sign_in)),
        ("POST", "/portal/logout", post(portal::sign_out)),
        (
            "POST",
            "/portal/invite/{token}",
            post(portal::accept_invitation),
        ),
        ("POST", "/portal/reset", post(portal::request_reset)),
        (
            "POST",
            "/portal/reset/{token}",
            post(portal::reset_password),
        ),
    ]
}

/// Every route of the app as (method, path): pages, plain routes and server functions
/// (`RPC` paths with their own method), for the authorisation matrix test.
pub fn route_inventory() -> Vec<(String, String)> {
    let pages = page_routes()
        .into_iter()
        .map(|r| ("GET".to_string(), r.path().to_string()));
    let plain = plain_routes()
        .into_iter()
        .map(|(method, path, _)| (method.to_string(), path.to_string()));
    let functions = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (method.as_str().to_string(), path.to_string()));
    pages.chain(plain).chain(functions).collect()
}

/// The Leptos page routes, without those whose GET has a handler of its own (it writes
/// before rendering the page).
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    generate_route_list(App)
        .into_iter()
        .filter(|route| !WRITING_PAGES.contains(&route.path()))
        .collect()
}

/// Files under the site root (wasm, JS, CSS, favicon), else the app's own 404 page.
async fn static_or_not_found(
    State(state): State<AppState>,
    files: ServeDir,
    req: Request<Body>,
) -> Response {
    let (parts, body) = req.into_parts();
    let file_req = Request::from_parts(parts.clone(), Body::empty());
    let Ok(found) = files.oneshot(file_req).await;
    if found.status() != StatusCode::NOT_FOUND {
        return found.into_response();
    }
    let options = state.leptos_options.clone();
    let render =
        leptos_axum::render_app_to_stream_with_context(request_context(state.clone()), move || {
            shell(options.clone())
        });
    let mut response = render(Request::from_parts(parts, body))
        .await
        .into_response();
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// Serves `app` on an already bound listener until the task is dropped (tests use this).
pub async fn serve_on(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// Serves until SIGTERM or Ctrl-C; in-flight requests finish first.
pub async fn serve(state: AppState) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(state.config.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", state.config.bind))?;
    let (stop_worker, worker_stopped) = tokio::sync::watch::channel(false);
    let worker = state
        .config
        .worker
        .then(|| tokio::spawn(jobs::worker_loop(state.clone(), worker_stopped)));
    tracing::info!(url = %state.config.public_url, db = state.db.engine(), "Covenant is listening on {}", state.config.bind);
    println!("Covenant is running at {}", state.config.public_url);
    let app = router(state.clone())?;
    forget_idle_addresses(&state);
    checkpoint_in_background(&state).await;
    // Without TCP_NODELAY each streamed response stalls ~40 ms on delayed ACKs.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| format!("server error: {e}"))?;
    let _ = stop_worker.send(true);
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    state.db.close().await;
    Ok(())
}

/// The rate limiters keep a cell per client address; once a minute those back to a full
/// allowance are dropped, so many distinct addresses (survey respondents) do not grow the
/// server's memory without end.
fn forget_idle_addresses(state: &AppState) {
    let limiters = [
        state.sign_in_throttle.clone(),
        state.survey_throttle.clone(),
    ];
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            for limiter in &limiters {
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        }
    });
}

/// Every `SQLITE_CHECKPOINT_MS`, SQLite's write-ahead log is copied into the database file
/// by a reader connection, so the one writer does not pay for it (see `Db::checkpoint`).
async fn checkpoint_in_background(state: &AppState) {
    let db = state.db.clone();
    let period = state.config.sqlite_checkpoint_ms;
    if db.engine() != "sqlite" || period == 0 {
        return;
    }
    if let Err(error) = db.leave_checkpoints_to_background().await {
        tracing::warn!(%error, "the writer keeps its own checkpoints");
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_millis(period));
        loop {
            every.tick().await;
            if let Err(error) = db.checkpoint().await {
                tracing::warn!(%error, "could not checkpoint the write-ahead log");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// The real clock, for the binary.
pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}
