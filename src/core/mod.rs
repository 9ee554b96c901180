//! Shared, wasm-safe building blocks: errors, language, roles and permissions, formatting.
pub mod codes;
pub mod error;
pub mod form;
pub mod i18n;
pub mod money;
pub mod roles;
pub mod url;
