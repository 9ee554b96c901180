//! Staff sign-in, sessions, passwords and user administration.
pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod backend;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod repo;
