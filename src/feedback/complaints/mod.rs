//! Complaints and their timeline. The investor's side (raising one, following it) lives
//! in `portal::complaints`; this is the shared model, the writes and the staff queue.
pub mod api;
pub mod model;
pub mod pages;
pub mod targets;

#[cfg(feature = "ssr")]
pub mod escalation;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod stats;
