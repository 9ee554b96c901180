//! The documents an investor may open: those shared with every investor of a project
//! they take part in, and those shared with one of the entities they act for alone. Each
//! opening and each download is recorded before the bytes go out.
pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
