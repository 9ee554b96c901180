//! The investor's complaints: raising one (category and description, for one of their
//! entities, optionally about one of their projects) and following its status and the
//! firm's responses. Staff handle them in `feedback::complaints`.
pub mod api;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
