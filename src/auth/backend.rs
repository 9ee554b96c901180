//! The staff side of axum-login: how a session's user id becomes a user on every request.
//! The user is reloaded from the database each time, so a deactivation or a role change
//! takes effect on the very next request.
use super::model::Me;
use super::repo::{self, UserRow};
use crate::core::error::AppError;
use crate::core::roles::Permission;
use crate::server::db::Db;
use axum_login::{AuthUser, AuthnBackend, UserId};

#[derive(Clone, Debug)]
pub struct StaffUser(pub UserRow);

impl AuthUser for StaffUser {
    type Id = i64;

    fn id(&self) -> i64 {
        self.0.id
    }

    /// The password hash: changing the password ends every other session of the user.
    fn session_auth_hash(&self) -> &[u8] {
        self.0.password_hash.as_bytes()
    }
}

impl StaffUser {
    pub fn me(&self) -> Me {
        Me {
            id: self.0.id,
            name: self.0.name.clone(),
            email: self.0.email.clone(),
            role: self.0.role(),
            department: self.0.department(),
            time_zone: self.0.time_zone.clone(),
        }
    }
}

/// Credentials already checked by the sign-in handler (lockout, throttling, argon2).
#[derive(Clone)]
pub struct VerifiedUser(pub StaffUser);

#[derive(Clone, Debug)]
pub struct StaffBackend {
    pub db: Db,
}

impl AuthnBackend for StaffBackend {
    type User = StaffUser;
    type Credentials = VerifiedUser;
    type Error = sqlx::Error;

    async fn authenticate(&self, verified: VerifiedUser) -> Result<Option<StaffUser>, sqlx::Error> {
        Ok(Some(verified.0))
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<StaffUser>, sqlx::Error> {
        Ok(repo::find_by_id(&self.db, *id)
            .await?
            .filter(|row| row.active)
            .map(StaffUser))
    }
}

pub type AuthSession = axum_login::AuthSession<StaffBackend>;

/// The signed-in staff member of the current server-function request.
pub async fn current_staff() -> Result<StaffUser, AppError> {
    let auth: AuthSession = leptos_axum::extract()
        .await
        .map_err(crate::server::errors::internal)?;
    auth.user.ok_or(AppError::Unauthenticated)
}

/// The signed-in staff member, if they hold `permission`; otherwise 403.
pub async fn require(permission: Permission) -> Result<StaffUser, AppError> {
    let user = current_staff().await?;
    if user.0.role().can(permission) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}
