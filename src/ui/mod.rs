//! UI parts shared by every area: the session context, layout and navigation, form fields,
//! error messages.
pub mod board;
/// Drawn on the server only.
#[cfg(feature = "ssr")]
pub mod chart;
pub mod fields;
pub mod form;
pub mod island;
pub mod layout;
pub mod session;
pub mod sign_in;
