//! The investor portal (`/portal`): investors see only what belongs to the investor
//! entities they act for. `access` is how they get in (invitations, sign-in, resets,
//! deactivation); the rest are their pages and the scoped queries behind them.
pub mod access;
pub mod api;
pub mod complaints;
pub mod documents;
pub mod engagement;
pub mod model;
pub mod pages;
pub mod preview;
pub mod profile;
pub mod questions;

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod service;
