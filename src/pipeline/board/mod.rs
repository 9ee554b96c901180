//! The deal pipeline board: every investor's participation in a project, by stage, moved
//! with the same mechanics as the lifecycle board (plain form per card, drag and drop on top).
pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
