//! Covenant: customer-relationship management for project finance.
//!
//! One crate, built twice: the server (`ssr`) and the browser bundle (`hydrate`).
//! Each business area owns a folder; `core` and `ui` are shared, `server` is server-only.
#![recursion_limit = "256"]

pub mod app;
pub mod auth;
pub mod clients;
pub mod core;
pub mod feedback;
pub mod home;
pub mod pipeline;
pub mod portal;
pub mod projects;
pub mod surveys;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

/// Browser entry point. Pages are server-rendered; `hydrate_islands` brings the `#[island]`
/// components on the page to life (the loader script calls them right after this).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
