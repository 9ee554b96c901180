//! SQL of the investor profile, scoped by the portal user asking (`$1`) on the portal
//! side; the staff side reads one client's requests. Bind parameters only; both engines.
use crate::server::db::{Db, Tx};
use crate::{with_db, with_tx};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

#[derive(Clone, Debug, FromRow)]
pub struct Details {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub locale: String,
    pub notify_updates: bool,
    pub notify_answers: bool,
    pub client_id: i64,
    pub contact_id: i64,
}

pub async fn details(db: &Db, portal_user: i64) -> Result<Option<Details>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, Details>(
        "SELECT pu.name, pu.email, k.phone, pu.locale, pu.notify_updates, pu.notify_answers,
                k.client_id, k.id AS contact_id
         FROM portal_users pu JOIN contacts k ON k.id = pu.contact_id
         WHERE pu.id = $1",
    )
    .bind(portal_user)
    .fetch_optional(c)
    .await)
}

/// Saves the user's language and e-mail choices.
pub async fn save_preferences(
    tx: &mut Tx,
    portal_user: i64,
    locale: &str,
    notify_updates: bool,
    notify_answers: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "UPDATE portal_users SET locale = $1, notify_updates = $2, notify_answers = $3,
                                 updated_at = $4, version = version + 1
         WHERE id = $5",
    )
    .bind(locale)
    .bind(notify_updates)
    .bind(notify_answers)
    .bind(now)
    .bind(portal_user)
    .execute(c)
    .await
    .map(|_| ()))
}

#[derive(Clone, Debug, FromRow)]
pub struct EntityRow {
    pub client_id: i64,
    pub name: String,
    pub owner_id: i64,
    pub risk_appetite: Option<String>,
    pub ticket_min: Option<i64>,
    pub ticket_max: Option<i64>,
    pub ticket_currency: Option<String>,
}

const ENTITY_SELECT: &str = "SELECT c.id AS client_id, c.display_name AS name, c.owner_id,
        ip.risk_appetite, ip.ticket_min, ip.ticket_max, ip.ticket_currency
    FROM portal_user_clients pa
    JOIN clients c ON c.id = pa.client_id AND c.archived_at IS NULL
    LEFT JOIN investor_profiles ip ON ip.client_id = c.id
    WHERE pa.portal_user_id = $1";

/// The live entities the user acts for, with what the firm records about them.
pub async fn entities(db: &Db, portal_user: i64) -> Result<Vec<EntityRow>, sqlx::Error> {
    let sql = format!("{ENTITY_SELECT} ORDER BY c.display_name, c.id LIMIT 100");
    with_db!(db, c => sqlx::query_as::<_, EntityRow>(&sql)
        .bind(portal_user)
        .fetch_all(c)
        .await)
}

/// Entity `client` if the user acts for it.
pub async fn entity(
    tx: &mut Tx,
    portal_user: i64,
    client: i64,
) -> Result<Option<EntityRow>, sqlx::Error> {
    let sql = format!("{ENTITY_SELECT} AND c.id = $2");
    with_tx!(tx, c => sqlx::query_as::<_, EntityRow>(&sql)
        .bind(portal_user)
        .bind(client)
        .fetch_optional(c)
        .await)
}

pub struct NewRequest<'a> {
    pub portal_user: i64,
    pub client_id: i64,
    pub field: &'a str,
    pub current: &'a str,
    pub requested: &'a str,
    pub note: Option<&'a str>,
}

pub async fn insert_request(
    tx: &mut Tx,
    r: &NewRequest<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO profile_change_requests (portal_user_id, client_id, field, current_value,
                                              requested_value, note, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
    )
    .bind(r.portal_user)
    .bind(r.client_id)
    .bind(r.field)
    .bind(r.current)
    .bind(r.requested)
    .bind(r.note)
    .bind(now)
    .fetch_one(c)
    .await)
}

#[derive(Clone, Debug, FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub entity: String,
    pub requester: String,
    pub field: String,
    pub current_value: String,
    pub requested_value: String,
    pub note: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

const REQUEST_SELECT: &str = "SELECT r.id, c.display_name AS entity, pu.name AS requester,
        r.field, r.current_value, r.requested_value, r.note, r.status, r.created_at
    FROM profile_change_requests r
    JOIN clients c ON c.id = r.client_id
    JOIN portal_users pu ON pu.id = r.portal_user_id";

/// The user's own latest requests.
pub async fn requests_of_user(db: &Db, portal_user: i64) -> Result<Vec<RequestRow>, sqlx::Error> {
    let sql = format!("{REQUEST_SELECT} WHERE r.portal_user_id = $1 ORDER BY r.id DESC LIMIT 20");
    with_db!(db, c => sqlx::query_as::<_, RequestRow>(&sql)
        .bind(portal_user)
        .fetch_all(c)
        .await)
}

/// A client's open requests, oldest first, then the latest handled ones.
pub async fn requests_of_client(db: &Db, client: i64) -> Result<Vec<RequestRow>, sqlx::Error> {
    let sql = format!(
        "{REQUEST_SELECT} WHERE r.client_id = $1
         ORDER BY CASE WHEN r.status = 'open' THEN 0 ELSE 1 END,
                  CASE WHEN r.status = 'open' THEN r.id ELSE -r.id END
         LIMIT 20"
    );
    with_db!(db, c => sqlx::query_as::<_, RequestRow>(&sql)
        .bind(client)
        .fetch_all(c)
        .await)
}

/// Marks request `id` of `client` handled; true if it was open.
pub async fn mark_handled(
    tx: &mut Tx,
    client: i64,
    id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let changed = with_tx!(tx, c => sqlx::query(
        "UPDATE profile_change_requests SET status = 'handled', handled_by = $1, handled_at = $2
         WHERE id = $3 AND client_id = $4 AND status = 'open'",
    )
    .bind(by)
    .bind(now)
    .bind(id)
    .bind(client)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}
