//! Documents staff share with a project's investors: uploaded with a visibility (internal,
//! the project's investors, one investor), stored in the database in ~1 MiB chunks and
//! streamed back; every investor view and download is recorded (see `portal::documents`).
pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
