//! Shared types and pure rules of sign-in and user administration.
use crate::core::i18n::Lang;
use crate::core::roles::{Department, Permission, Role};
use serde::{Deserialize, Serialize};

/// The signed-in staff member, as pages need them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub department: Option<Department>,
    pub time_zone: String,
}

impl Me {
    pub fn can(&self, permission: Permission) -> bool {
        self.role.can(permission)
    }
}

/// What every page knows about its request: the language and who is signed in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub lang: Lang,
    pub me: Option<Me>,
    /// The signed-in portal user (investor), on the portal's pages.
    pub investor: Option<crate::portal::access::model::PortalMe>,
    /// The time zones a user may choose from.
    pub time_zones: Vec<String>,
}

/// A staff member as the user administration shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub department: Option<Department>,
    pub reports_to: Option<i64>,
    pub reports_to_name: Option<String>,
    pub active: bool,
    pub locale: Lang,
    pub time_zone: String,
    /// Formatted in the viewer's time zone on the server.
    pub last_sign_in: Option<String>,
    pub version: i64,
}

/// One page of a keyset-paged list: `next` is the cursor of the following page, if any.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<i64>,
}

/// Records of one kind a user is responsible for, as the deactivation form lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnedRecords {
    pub i18n_key: String,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: UserView,
    pub owned: Vec<OwnedRecords>,
    /// Active staff who could take over this user's records.
    pub successors: Vec<(i64, String)>,
}

/// Why a sign-in was refused; the code travels in the `/login?error=` query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInError {
    Invalid,
    Locked,
    Throttled,
    Unavailable,
}

impl SignInError {
    pub fn code(self) -> &'static str {
        match self {
            SignInError::Invalid => "invalid",
            SignInError::Locked => "locked",
            SignInError::Throttled => "throttled",
            SignInError::Unavailable => "unavailable",
        }
    }

    pub fn parse(code: &str) -> Option<SignInError> {
        [
            SignInError::Invalid,
            SignInError::Locked,
            SignInError::Throttled,
            SignInError::Unavailable,
        ]
        .into_iter()
        .find(|e| e.code() == code)
    }

    pub fn message_key(self) -> &'static str {
        match self {
            SignInError::Invalid => "login.error.invalid",
            SignInError::Locked => "login.error.locked",
            SignInError::Throttled => "login.error.throttled",
            SignInError::Unavailable => "error.unavailable",
        }
    }
}

pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_CHARS: usize = 256;

/// Checks a new password; the error is a translation key.
pub fn check_new_password(password: &str, email: &str) -> Result<(), &'static str> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err("password.too_short");
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err("password.too_long");
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if local.len() >= 3 && password.to_lowercase().contains(&local) {
        return Err("password.contains_email");
    }
    let first = password.chars().next();
    if password.chars().all(|c| Some(c) == first) {
        return Err("password.too_simple");
    }
    Ok(())
}

/// Trims and lower-cases an e-mail address, the form in which it is stored and compared.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A plausible e-mail address: one `@`, something before it, a dot in the domain, no spaces.
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
        && !domain.contains('@')
        && email.len() <= 254
}

/// Where to go after signing in: only a path on this site, so a crafted link cannot send
/// a user elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.starts_with("/login") =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        assert_eq!(
            check_new_password("short", "a@b.cn"),
            Err("password.too_short")
        );
        assert_eq!(
            check_new_password("wangwei-2026-secret", "wangwei@covenant.example"),
            Err("password.contains_email")
        );
        assert_eq!(
            check_new_password("aaaaaaaaaaaaaa", "x@y.cn"),
            Err("password.too_simple")
        );
        assert_eq!(
            check_new_password(&"ab".repeat(200), "x@y.cn"),
            Err("password.too_long")
        );
        assert_eq!(check_new_password("长城-项目融资-2026", "x@y.cn"), Ok(()));
    }

    #[test]
    fn emails() {
        assert_eq!(
            normalise_email("  Wang.Wei@Example.COM "),
            "wang.wei@example.com"
        );
        assert!(is_plausible_email("wang.wei@example.com"));
        for bad in [
            "",
            "wang",
            "@example.com",
            "wang@example",
            "wang @example.com",
            "a@b@c.com",
            "a@.com",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/admin/users?x=1")), "/admin/users?x=1");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/login?next=/")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn sign_in_error_codes_round_trip() {
        for e in [
            SignInError::Invalid,
            SignInError::Locked,
            SignInError::Throttled,
            SignInError::Unavailable,
        ] {
            assert_eq!(SignInError::parse(e.code()), Some(e));
        }
        assert_eq!(SignInError::parse("nonsense"), None);
    }
}
