//! One error type for every server function. Its text is always safe to show: internals are
//! logged on the server under a reference id, and only that id reaches the user.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A message about one form field, as a translation key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub key: String,
}

impl FieldError {
    pub fn new(field: &str, key: &str) -> Self {
        FieldError {
            field: field.to_string(),
            key: key.to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Bad input: nothing was changed; each field says what is wrong.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("sign-in required")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Someone else changed the record, or a unique value is taken; the key says which.
    #[error("conflict")]
    Conflict { key: String },
    /// The database is busy or unreachable; trying again later may work.
    #[error("temporarily unavailable")]
    Unavailable { reference: String },
    /// A bug or an unexpected failure, logged on the server under `reference`.
    #[error("internal error")]
    Internal { reference: String },
    /// The request never reached our code (network, encoding); produced in the browser.
    #[error("request failed")]
    Request { detail: String },
}

impl AppError {
    pub fn invalid(field: &str, key: &str) -> Self {
        AppError::Invalid(vec![FieldError::new(field, key)])
    }

    pub fn conflict(key: &str) -> Self {
        AppError::Conflict {
            key: key.to_string(),
        }
    }

    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict { .. } => 409,
            AppError::Unavailable { .. } => 503,
            AppError::Internal { .. } => 500,
            // A call the server could not read (missing or malformed arguments).
            AppError::Request { .. } => 400,
        }
    }

    /// Translation key of the general message for this error.
    pub fn message_key(&self) -> &str {
        match self {
            AppError::Invalid(_) => "error.invalid",
            AppError::Unauthenticated => "error.unauthenticated",
            AppError::Forbidden => "error.forbidden",
            AppError::NotFound => "error.not_found",
            AppError::Conflict { key } => key,
            AppError::Unavailable { .. } => "error.unavailable",
            AppError::Internal { .. } => "error.internal",
            AppError::Request { .. } => "error.request",
        }
    }

    /// The reference id the user can quote to support, when there is one.
    pub fn reference(&self) -> Option<&str> {
        match self {
            AppError::Unavailable { reference } | AppError::Internal { reference } => {
                Some(reference)
            }
            _ => None,
        }
    }

    /// The message key for `field`, if the error names it.
    pub fn field_key(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid(fields) => fields
                .iter()
                .find(|f| f.field == field)
                .map(|f| f.key.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Request {
            detail: value.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_match_the_design() {
        assert_eq!(AppError::invalid("email", "x").status(), 422);
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(AppError::NotFound.status(), 404);
        assert_eq!(AppError::conflict("error.stale").status(), 409);
        let busy = AppError::Unavailable {
            reference: "r1".into(),
        };
        assert_eq!(busy.status(), 503);
        assert_eq!(busy.reference(), Some("r1"));
    }

    #[test]
    fn field_messages_are_found_by_field() {
        let e = AppError::Invalid(vec![
            FieldError::new("email", "form.email_invalid"),
            FieldError::new("name", "form.required"),
        ]);
        assert_eq!(e.field_key("name").as_deref(), Some("form.required"));
        assert_eq!(e.field_key("role"), None);
    }
}
