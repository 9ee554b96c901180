//! The lifecycle board: every client relationship in its stage (acquisition → development →
//! maturity → decline, plus lost), moved by drag and drop, by keyboard or by a plain form.
pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod warning;
