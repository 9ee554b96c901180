//! What every handler can reach. Nothing here is shared between servers: anything several
//! app servers must agree on (sessions, lockouts, jobs) is in the database.
use super::clock::Clock;
use super::config::Config;
use super::db::Db;
use axum::extract::FromRef;
use governor::DefaultKeyedRateLimiter;
use leptos::config::LeptosOptions;
use std::net::IpAddr;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub leptos_options: LeptosOptions,
    pub public_origin: String,
    pub trusted_proxies: Arc<Vec<IpAddr>>,
    /// Sign-in attempts per client address; per process, as DESIGN §3 allows.
    pub sign_in_throttle: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Survey answer requests per client address; per process, like the sign-in one.
    pub survey_throttle: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// The task that writes survey answers in batches (see `surveys::batch`).
    pub survey_writer: crate::surveys::batch::Writer,
    /// Where the outbox's messages go (SMTP, or files in development and tests).
    pub mailer: Arc<super::mail::Mailer>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
