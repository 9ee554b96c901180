//! Questions investors ask in the portal and staff answer from a queue.
pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
