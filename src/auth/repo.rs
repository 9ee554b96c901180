//! SQL of staff users. Bind parameters only; the same text runs on SQLite and PostgreSQL.
use super::model::UserView;
use crate::core::i18n::Lang;
use crate::core::roles::{Department, Role};
use crate::server::db::{Db, Tx};
use crate::server::format;
use crate::{with_db, with_tx};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

const USER_COLUMNS: &str = "u.id, u.email, u.name, u.role, u.department, u.reports_to,
    m.name AS reports_to_name, u.active, u.locale, u.time_zone, u.password_hash,
    u.failed_logins, u.locked_until, u.last_sign_in_at, u.version";

const USER_FROM: &str = "FROM users u LEFT JOIN users m ON m.id = u.reports_to";

#[derive(Clone, Debug, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub department: Option<String>,
    pub reports_to: Option<i64>,
    pub reports_to_name: Option<String>,
    pub active: bool,
    pub locale: String,
    pub time_zone: String,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl UserRow {
    pub fn role(&self) -> Role {
        // The CHECK constraint allows only known roles; an unknown one gets the least power.
        Role::parse(&self.role).unwrap_or(Role::Viewer)
    }

    pub fn department(&self) -> Option<Department> {
        self.department.as_deref().and_then(Department::parse)
    }

    pub fn lang(&self) -> Lang {
        Lang::parse(&self.locale).unwrap_or_default()
    }

    /// The view administration pages show, with times in `viewer_tz`.
    pub fn view(&self, viewer_tz: &str) -> UserView {
        UserView {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role(),
            department: self.department(),
            reports_to: self.reports_to,
            reports_to_name: self.reports_to_name.clone(),
            active: self.active,
            locale: self.lang(),
            time_zone: self.time_zone.clone(),
            last_sign_in: self
                .last_sign_in_at
                .map(|at| format::date_time(at, viewer_tz)),
            version: self.version,
        }
    }
}

/// Fields of a new staff member; the password is already hashed.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub department: Option<Department>,
    pub reports_to: Option<i64>,
    pub locale: Lang,
    pub time_zone: &'a str,
    pub password_hash: &'a str,
}

/// Editable fields of a staff member.
pub struct UserChanges<'a> {
    pub name: &'a str,
    pub role: Role,
    pub department: Option<Department>,
    pub reports_to: Option<i64>,
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} {USER_FROM} WHERE u.email = $1");
    with_db!(db, c => sqlx::query_as::<_, UserRow>(&sql).bind(email).fetch_optional(c).await)
}

pub async fn find_by_id(db: &Db, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} {USER_FROM} WHERE u.id = $1");
    with_db!(db, c => sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(c).await)
}

/// Reads a user inside a write transaction (sees the transaction's own changes).
pub async fn find_by_id_tx(tx: &mut Tx, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} {USER_FROM} WHERE u.id = $1");
    with_tx!(tx, c => sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(c).await)
}

/// One page of users ordered by id, after the cursor `after`.
pub async fn list(db: &Db, after: Option<i64>, limit: i64) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} {USER_FROM} WHERE u.id > $1 ORDER BY u.id LIMIT $2");
    with_db!(db, c => sqlx::query_as::<_, UserRow>(&sql)
        .bind(after.unwrap_or(0))
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// Active staff, by name, for successor and manager pickers.
pub async fn active_names(db: &Db) -> Result<Vec<(i64, String)>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM users WHERE active = TRUE ORDER BY name, id",
    )
    .fetch_all(c)
    .await)
}

pub async fn active_admin_count(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE active = TRUE AND role = 'admin'",
    )
    .fetch_one(c)
    .await)
}

pub async fn insert(
    tx: &mut Tx,
    user: &NewUser<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO users (email, name, role, department, reports_to, active, locale, time_zone,
                            password_hash, failed_logins, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $8, 0, $9, $9, 1)
         RETURNING id",
    )
    .bind(user.email)
    .bind(user.name)
    .bind(user.role.as_str())
    .bind(user.department.map(Department::as_str))
    .bind(user.reports_to)
    .bind(user.locale.code())
    .bind(user.time_zone)
    .bind(user.password_hash)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// Applies `changes` if the row is still at `version`; false means someone else changed it.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    version: i64,
    changes: &UserChanges<'_>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let result = with_tx!(tx, c => sqlx::query(
        "UPDATE users SET name = $1, role = $2, department = $3, reports_to = $4,
                          updated_at = $5, version = version + 1
         WHERE id = $6 AND version = $7",
    )
    .bind(changes.name)
    .bind(changes.role.as_str())
    .bind(changes.department.map(Department::as_str))
    .bind(changes.reports_to)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(result == 1)
}

/// Deactivates the user if still at `version`; false means someone else changed it.
pub async fn deactivate(
    tx: &mut Tx,
    id: i64,
    version: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let result = with_tx!(tx, c => sqlx::query(
        "UPDATE users SET active = FALSE, updated_at = $1, version = version + 1
         WHERE id = $2 AND version = $3",
    )
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(result == 1)
}

/// Deactivates by e-mail (command line); returns the user's id if there was an active one.
pub async fn deactivate_by_email(
    tx: &mut Tx,
    email: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "UPDATE users SET active = FALSE, updated_at = $1, version = version + 1
         WHERE email = $2 AND active = TRUE RETURNING id",
    )
    .bind(now)
    .bind(email)
    .fetch_optional(c)
    .await)
}

pub async fn set_password(
    tx: &mut Tx,
    id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2, version = version + 1 WHERE id = $3",
    )
    .bind(hash)
    .bind(now)
    .bind(id)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_preferences(
    tx: &mut Tx,
    id: i64,
    locale: Lang,
    time_zone: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE users SET locale = $1, time_zone = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(locale.code())
    .bind(time_zone)
    .bind(now)
    .bind(id)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The two kinds of account that sign in: staff (`users`) and investors (`portal_users`).
/// Both keep the same lockout columns, so one statement serves both.
#[derive(Clone, Copy, Debug)]
pub enum Accounts {
    Staff,
    Portal,
}

impl Accounts {
    /// The table, from this fixed list only (never from input).
    fn table(self) -> &'static str {
        match self {
            Accounts::Staff => "users",
            Accounts::Portal => "portal_users",
        }
    }
}

/// Counts a wrong password; the `limit`-th in a row locks the account until `lock_until`
/// and starts the count again. One statement, so servers sharing the database count together.
/// Returns whether the account is now locked.
pub async fn record_failed_sign_in(
    tx: &mut Tx,
    accounts: Accounts,
    id: i64,
    limit: i64,
    now: DateTime<Utc>,
    lock_until: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "UPDATE {} SET locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END,
             failed_logins = CASE WHEN failed_logins + 1 >= $1 THEN 0 ELSE failed_logins + 1 END
         WHERE id = $3
         RETURNING locked_until",
        accounts.table()
    );
    let locked: Option<DateTime<Utc>> = with_tx!(tx, c => sqlx::query_scalar(&sql)
        .bind(limit)
        .bind(lock_until)
        .bind(id)
        .fetch_one(c)
        .await)?;
    Ok(locked.is_some_and(|until| until > now))
}

pub async fn record_sign_in(
    tx: &mut Tx,
    accounts: Accounts,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "UPDATE {} SET failed_logins = 0, locked_until = NULL, last_sign_in_at = $1 WHERE id = $2",
        accounts.table()
    );
    with_tx!(tx, c => sqlx::query(&sql)
        .bind(now)
        .bind(id)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}
