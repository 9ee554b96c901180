//! Clients: investors, borrowers or both, with their profiles, contacts and search.
pub mod api;
pub mod model;
pub mod search;
pub mod timeline;

#[cfg(feature = "ssr")]
pub mod handlers;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod service;
