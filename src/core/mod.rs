//! Shared, wasm-safe building blocks: errors, language, roles and permissions, formatting.
pub mod error;
pub mod i18n;
pub mod roles;
