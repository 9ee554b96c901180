//! Shared types and pure rules of portal access: who the signed-in investor is, what a
//! token link turned out to be, and what staff see of a client's portal users.
use serde::{Deserialize, Serialize};

/// The signed-in portal user, as pages need them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalMe {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub time_zone: String,
}

/// What a token link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenPurpose {
    Invitation,
    Reset,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Invitation => "invitation",
            TokenPurpose::Reset => "reset",
        }
    }
}

/// Why a token link cannot be used. An unknown token (mistyped, tampered with, or of the
/// other purpose) is told apart from one that expired or was used, so the page can say
/// what to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenProblem {
    Unknown,
    Expired,
    Used,
    /// The portal user was deactivated after the link was sent.
    Deactivated,
}

impl TokenProblem {
    pub fn message_key(self) -> &'static str {
        match self {
            TokenProblem::Unknown => "portal.token.unknown",
            TokenProblem::Expired => "portal.token.expired",
            TokenProblem::Used => "portal.token.used",
            TokenProblem::Deactivated => "portal.token.deactivated",
        }
    }

    /// 404 for a link that never existed, 410 Gone for one that did.
    pub fn status(self) -> u16 {
        match self {
            TokenProblem::Unknown => 404,
            _ => 410,
        }
    }
}

/// What a token link opens: the form for the account it belongs to, or the reason it is
/// refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TokenState {
    Valid { email: String, name: String },
    Refused(TokenProblem),
}

/// How a link's stored row reads at `now`.
pub fn token_problem(expired: bool, used: bool, account_active: bool) -> Option<TokenProblem> {
    if used {
        Some(TokenProblem::Used)
    } else if expired {
        Some(TokenProblem::Expired)
    } else if !account_active {
        Some(TokenProblem::Deactivated)
    } else {
        None
    }
}

/// Where a portal user stands, as staff see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PortalUserStatus {
    /// Invited, no password set yet.
    Invited,
    Active,
    Deactivated,
}

impl PortalUserStatus {
    pub fn of(active: bool, has_password: bool) -> PortalUserStatus {
        match (active, has_password) {
            (false, _) => PortalUserStatus::Deactivated,
            (true, false) => PortalUserStatus::Invited,
            (true, true) => PortalUserStatus::Active,
        }
    }

    pub fn i18n_key(self) -> &'static str {
        match self {
            PortalUserStatus::Invited => "portal.status.invited",
            PortalUserStatus::Active => "portal.status.active",
            PortalUserStatus::Deactivated => "portal.status.deactivated",
        }
    }
}

/// A portal user acting for a client, as the client page lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalAccessView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub status: PortalUserStatus,
    /// Formatted in the viewer's time zone on the server.
    pub last_sign_in: Option<String>,
    pub invited_at: String,
}

/// The portal section of a client page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalAccess {
    pub users: Vec<PortalAccessView>,
    /// Contacts with an e-mail address who may be invited: (contact id, name, e-mail).
    pub invitable: Vec<(i64, String, String)>,
    pub can_manage: bool,
    /// The client is an investor (only investors get portal access).
    pub is_investor: bool,
}

/// A password form (invitation or reset) posted with errors, shown again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubmittedPassword {
    pub errors: Vec<crate::core::error::FieldError>,
    /// A message about the whole form (the database was busy, …).
    pub error_key: Option<String>,
}

/// Why a portal sign-in was refused; the code travels in `/portal/login?error=`.
pub use crate::auth::model::SignInError;

/// Days an invitation link stays usable.
pub const INVITATION_DAYS: i64 = 14;
/// Hours a password-reset link stays usable (see docs/ARCHITECTURE.md, "Investor portal").
pub const RESET_HOURS: i64 = 24;

/// Where to go after a portal sign-in: only a portal path, so a crafted link can neither
/// leave the site nor send an investor to the staff app.
pub fn safe_portal_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if (path == "/portal"
                || path.starts_with("/portal/")
                || path.starts_with("/portal?"))
                && !path.starts_with("/portal/login")
                && !path.contains("//")
                && !path.contains('\\') =>
        {
            path.to_string()
        }
        _ => "/portal".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_used_link_reads_as_used_even_when_it_has_also_expired() {
        assert_eq!(token_problem(true, true, true), Some(TokenProblem::Used));
        assert_eq!(
            token_problem(true, false, true),
            Some(TokenProblem::Expired)
        );
        assert_eq!(
            token_problem(false, false, false),
            Some(TokenProblem::Deactivated)
        );
        assert_eq!(token_problem(false, false, true), None);
        assert_eq!(TokenProblem::Unknown.status(), 404);
        assert_eq!(TokenProblem::Expired.status(), 410);
    }

    #[test]
    fn status_of_a_portal_user() {
        assert_eq!(PortalUserStatus::of(true, false), PortalUserStatus::Invited);
        assert_eq!(PortalUserStatus::of(true, true), PortalUserStatus::Active);
        assert_eq!(
            PortalUserStatus::of(false, true),
            PortalUserStatus::Deactivated
        );
    }

    #[test]
    fn next_stays_in_the_portal() {
        assert_eq!(
            safe_portal_next(Some("/portal/projects/3")),
            "/portal/projects/3"
        );
        assert_eq!(safe_portal_next(Some("/portal?after=9")), "/portal?after=9");
        assert_eq!(safe_portal_next(Some("/clients/3")), "/portal");
        assert_eq!(safe_portal_next(Some("/portalx")), "/portal");
        assert_eq!(safe_portal_next(Some("/portal//evil.example")), "/portal");
        assert_eq!(
            safe_portal_next(Some("https://evil.example/portal")),
            "/portal"
        );
        assert_eq!(safe_portal_next(Some("/portal/login?next=/")), "/portal");
        assert_eq!(safe_portal_next(None), "/portal");
    }
}
