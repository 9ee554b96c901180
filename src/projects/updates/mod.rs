//! Progress updates, market analyses and disclosures staff publish to a project's
//! investors, as versions (draft → published, locked; corrections are new versions).
pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod notify;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
