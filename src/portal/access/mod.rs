//! Getting into the portal: portal users and the investor entities they act for, the
//! invitation and password-reset links, sign-in with its own session, deactivation.
pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod backend;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
