//! The interaction timeline of a client: meetings, calls, e-mails, notes, site visits and
//! events, who took part and which project they were about. Shown newest first, paged, on
//! the client's page and on the pages of the projects they concern.
pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod service;
