//! SQL of portal users, the investor entities they act for, and their link tokens. Bind
//! parameters only; the same text runs on SQLite and PostgreSQL.
use super::model::TokenPurpose;
use crate::server::db::{Db, Tx};
use crate::{with_db, with_tx};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

const USER_COLUMNS: &str = "id, contact_id, email, name, locale, time_zone, password_hash,
    active, failed_logins, locked_until, last_sign_in_at, created_at, version";

#[derive(Clone, Debug, FromRow)]
pub struct PortalUserRow {
    pub id: i64,
    pub contact_id: i64,
    pub email: String,
    pub name: String,
    pub locale: String,
    pub time_zone: String,
    pub password_hash: Option<String>,
    pub active: bool,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl PortalUserRow {
    pub fn lang(&self) -> crate::core::i18n::Lang {
        crate::core::i18n::Lang::parse(&self.locale).unwrap_or_default()
    }
}

pub async fn find_by_id(db: &Db, id: i64) -> Result<Option<PortalUserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM portal_users WHERE id = $1");
    with_db!(db, c => sqlx::query_as::<_, PortalUserRow>(&sql).bind(id).fetch_optional(c).await)
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<PortalUserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM portal_users WHERE email = $1");
    with_db!(db, c => sqlx::query_as::<_, PortalUserRow>(&sql).bind(email).fetch_optional(c).await)
}

pub async fn find_by_email_tx(
    tx: &mut Tx,
    email: &str,
) -> Result<Option<PortalUserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM portal_users WHERE email = $1");
    with_tx!(tx, c => sqlx::query_as::<_, PortalUserRow>(&sql).bind(email).fetch_optional(c).await)
}

/// A new portal user for a contact; no password until they accept the invitation.
pub struct NewPortalUser<'a> {
    pub contact_id: i64,
    pub email: &'a str,
    pub name: &'a str,
    pub locale: &'a str,
    pub invited_by: i64,
}

pub async fn insert(
    tx: &mut Tx,
    user: &NewPortalUser<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO portal_users (contact_id, email, name, locale, time_zone, password_hash,
                                   active, failed_logins, invited_by, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, 'Asia/Shanghai', NULL, TRUE, 0, $5, $6, $6, 1)
         RETURNING id",
    )
    .bind(user.contact_id)
    .bind(user.email)
    .bind(user.name)
    .bind(user.locale)
    .bind(user.invited_by)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// Opens a deactivated portal user again for a new invitation. Their old password does not
/// come back: they choose a new one when they accept.
pub async fn reopen(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE portal_users SET active = TRUE, password_hash = NULL, failed_logins = 0,
                                 locked_until = NULL, updated_at = $1, version = version + 1
         WHERE id = $2 AND active = FALSE",
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Lets a portal user act for a client; a second link of the same pair changes nothing.
/// Returns whether the link is new.
pub async fn link_client(
    tx: &mut Tx,
    portal_user_id: i64,
    client_id: i64,
    staff_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO portal_user_clients (portal_user_id, client_id, added_by, added_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (portal_user_id, client_id) DO NOTHING",
    )
    .bind(portal_user_id)
    .bind(client_id)
    .bind(staff_id)
    .bind(now)
    .execute(c)
    .await
    .map(|done| done.rows_affected() > 0))
}

pub async fn insert_token(
    tx: &mut Tx,
    portal_user_id: i64,
    purpose: TokenPurpose,
    hash: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO portal_tokens (portal_user_id, purpose, token_hash, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(portal_user_id)
    .bind(purpose.as_str())
    .bind(hash)
    .bind(expires_at)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// A stored token with the account it opens.
#[derive(Clone, Debug, FromRow)]
pub struct TokenRow {
    pub portal_user_id: i64,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub email: String,
    pub name: String,
    pub active: bool,
}

pub async fn find_token(
    db: &Db,
    hash: &str,
    purpose: TokenPurpose,
) -> Result<Option<TokenRow>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, TokenRow>(
        "SELECT t.portal_user_id, t.expires_at, t.used_at, u.email, u.name, u.active
         FROM portal_tokens t JOIN portal_users u ON u.id = t.portal_user_id
         WHERE t.token_hash = $1 AND t.purpose = $2",
    )
    .bind(hash)
    .bind(purpose.as_str())
    .fetch_optional(c)
    .await)
}

/// Uses a token once: of two requests racing with the same link, one gets the account and
/// the other nothing. Every other open link of the account is closed with it, so an older
/// invitation or reset mail cannot set the password again.
pub async fn consume_token(
    tx: &mut Tx,
    hash: &str,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    let user: Option<i64> = with_tx!(tx, c => sqlx::query_scalar(
        "UPDATE portal_tokens SET used_at = $1
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
           AND portal_user_id IN (SELECT id FROM portal_users WHERE active = TRUE)
         RETURNING portal_user_id",
    )
    .bind(now)
    .bind(hash)
    .bind(purpose.as_str())
    .fetch_optional(c)
    .await)?;
    if let Some(user) = user {
        with_tx!(tx, c => sqlx::query(
            "UPDATE portal_tokens SET used_at = $1 WHERE portal_user_id = $2 AND used_at IS NULL",
        )
        .bind(now)
        .bind(user)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(user)
}

/// Sets a new password and clears any lockout.
pub async fn set_password(
    tx: &mut Tx,
    id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE portal_users SET password_hash = $1, failed_logins = 0, locked_until = NULL,
                                 updated_at = $2, version = version + 1
         WHERE id = $3",
    )
    .bind(hash)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// Deactivates a portal user and closes their open links; false if they were not active.
pub async fn deactivate(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let changed = with_tx!(tx, c => sqlx::query(
        "UPDATE portal_users SET active = FALSE, updated_at = $1, version = version + 1
         WHERE id = $2 AND active = TRUE",
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    with_tx!(tx, c => sqlx::query(
        "UPDATE portal_tokens SET used_at = $1 WHERE portal_user_id = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(changed == 1)
}

pub async fn set_locale(
    tx: &mut Tx,
    id: i64,
    locale: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE portal_users SET locale = $1, updated_at = $2 WHERE id = $3",
    )
    .bind(locale)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// The portal users acting for a client, by name.
pub async fn users_of_client(db: &Db, client_id: i64) -> Result<Vec<PortalUserRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM portal_users
         WHERE id IN (SELECT portal_user_id FROM portal_user_clients WHERE client_id = $1)
         ORDER BY name, id"
    );
    with_db!(db, c => sqlx::query_as::<_, PortalUserRow>(&sql).bind(client_id).fetch_all(c).await)
}

/// The owners of the clients a portal user acts for (who may manage their access).
pub async fn owners_of_linked_clients(
    tx: &mut Tx,
    portal_user_id: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "SELECT c.owner_id FROM portal_user_clients l JOIN clients c ON c.id = l.client_id
         WHERE l.portal_user_id = $1",
    )
    .bind(portal_user_id)
    .fetch_all(c)
    .await)
}

/// A client's contact as an invitation needs it.
#[derive(Clone, Debug, FromRow)]
pub struct InvitedContact {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub language: String,
}

pub async fn contact_of_client(
    tx: &mut Tx,
    client_id: i64,
    contact_id: i64,
) -> Result<Option<InvitedContact>, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_as::<_, InvitedContact>(
        "SELECT id, name, email, language FROM contacts
         WHERE id = $1 AND client_id = $2 AND removed_at IS NULL",
    )
    .bind(contact_id)
    .bind(client_id)
    .fetch_optional(c)
    .await)
}

/// Contacts of a client with an e-mail address, who could be invited.
pub async fn invitable_contacts(
    db: &Db,
    client_id: i64,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, (i64, String, String)>(
        "SELECT id, name, email FROM contacts
         WHERE client_id = $1 AND removed_at IS NULL AND email IS NOT NULL AND email <> ''
         ORDER BY is_primary DESC, name, id",
    )
    .bind(client_id)
    .fetch_all(c)
    .await)
}

/// A client as portal access needs it: owner, investor or not, archived or not.
#[derive(Clone, Debug, FromRow)]
pub struct ClientAccessRow {
    pub owner_id: i64,
    pub display_name: String,
    pub is_investor: bool,
    pub archived: bool,
}

pub async fn client_for_access(db: &Db, id: i64) -> Result<Option<ClientAccessRow>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, ClientAccessRow>(
        "SELECT owner_id, display_name, is_investor, archived_at IS NOT NULL AS archived
         FROM clients WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}
