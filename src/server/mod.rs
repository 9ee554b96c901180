//! Server-only infrastructure: configuration, database, sessions, jobs, middleware, start-up.
//! Nothing here is compiled into the browser bundle.
pub mod audit;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod errors;
pub mod format;
pub mod forms;
pub mod health;
pub mod idempotency;
pub mod jobs;
pub mod mail;
pub mod middleware;
pub mod ownership;
pub mod query;
pub mod seed;
pub mod session;
pub mod startup;
pub mod state;
pub mod static_files;
pub mod telemetry;
pub mod tokens;

/// Re-exported for the integration tests, which reach the database through the same sqlx
/// as the app (a direct dev-dependency would put sqlx into the wasm target's `cargo tree`).
pub use sqlx;
