//! UI parts shared by every area: the session context, layout and navigation, form fields,
//! error messages.
pub mod board;
pub mod fields;
pub mod form;
pub mod island;
pub mod layout;
pub mod session;
pub mod sign_in;
