//! Financing projects (sponsored by a borrower client), their tranches, and the updates
//! and disclosures published to their investors, and the documents shared with them.
pub mod api;
pub mod documents;
pub mod model;
pub mod pages;
pub mod updates;

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod service;
