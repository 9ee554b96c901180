//! Satisfaction surveys (`/surveys` for staff, `/s/{token}` for respondents): the builder,
//! sending by link with reminders and recurring waves, the answer page, and results with
//! NPS, CSAT and CES over segments and time. A poor answer opens a complaint (see
//! `feedback::complaints`).
pub mod answer_pages;
pub mod api;
pub mod model;
pub mod pages;
pub mod scoring;

#[cfg(feature = "ssr")]
pub mod batch;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod follow_up;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod respond;
#[cfg(feature = "ssr")]
pub mod results;
#[cfg(feature = "ssr")]
pub mod sending;
#[cfg(feature = "ssr")]
pub mod service;
