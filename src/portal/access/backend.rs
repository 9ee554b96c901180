//! The portal side of axum-login. Portal sessions are their own session (cookie
//! `covenant.portal`) with their own backend, so a portal session can never pass for a
//! staff one: staff server functions look for the staff session and find none, and staff
//! sessions open no portal page. The portal user is reloaded on every request, so a
//! deactivation ends their session at once.
use super::model::PortalMe;
use super::repo::{self, PortalUserRow};
use crate::core::error::AppError;
use crate::server::db::Db;
use axum_login::{AuthUser, AuthnBackend, UserId};

#[derive(Clone, Debug)]
pub struct Investor(pub PortalUserRow);

impl AuthUser for Investor {
    type Id = i64;

    fn id(&self) -> i64 {
        self.0.id
    }

    /// The password hash: a new password (a reset) ends every other session.
    fn session_auth_hash(&self) -> &[u8] {
        self.0
            .password_hash
            .as_deref()
            .unwrap_or_default()
            .as_bytes()
    }
}

impl Investor {
    pub fn me(&self) -> PortalMe {
        PortalMe {
            id: self.0.id,
            name: self.0.name.clone(),
            email: self.0.email.clone(),
            time_zone: self.0.time_zone.clone(),
        }
    }
}

/// Credentials already checked by the sign-in handler.
#[derive(Clone)]
pub struct VerifiedInvestor(pub Investor);

#[derive(Clone, Debug)]
pub struct PortalBackend {
    pub db: Db,
}

impl AuthnBackend for PortalBackend {
    type User = Investor;
    type Credentials = VerifiedInvestor;
    type Error = sqlx::Error;

    async fn authenticate(
        &self,
        verified: VerifiedInvestor,
    ) -> Result<Option<Investor>, sqlx::Error> {
        Ok(Some(verified.0))
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<Investor>, sqlx::Error> {
        Ok(repo::find_by_id(&self.db, *id)
            .await?
            .filter(|row| row.active && row.password_hash.is_some())
            .map(Investor))
    }
}

pub type PortalAuthSession = axum_login::AuthSession<PortalBackend>;

/// The signed-in portal user of the current server-function request.
pub async fn current_investor() -> Result<Investor, AppError> {
    let auth: PortalAuthSession = leptos_axum::extract()
        .await
        .map_err(crate::server::errors::internal)?;
    auth.user.ok_or(AppError::Unauthenticated)
}
