//! The deal pipeline: investors' participation in projects, moving through their stages.
//! (The lifecycle kanban and the deal board join this area with their own issue.)
pub mod api;
pub mod board;
pub mod lifecycle;
pub mod model;
pub mod pages;
pub mod rules;
pub mod signals;

#[cfg(feature = "ssr")]
pub mod columns;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod moves;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod service;
