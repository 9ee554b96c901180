//! Staff's view of one portal user: who they act for, what they read, acknowledged,
//! opened and saved (newest first, paged), and which disclosures still wait for them.
pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
