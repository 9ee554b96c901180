//! The investor's profile: their contact details and language, which e-mails they want,
//! the risk appetite and ticket size the firm records for each entity they act for, and
//! requests to change those, which go to the relationship manager (who changes the
//! record, or not) instead of changing it directly.
pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
