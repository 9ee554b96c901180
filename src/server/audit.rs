//! The audit helper every write uses, in the same transaction as the change it records.
//! The table refuses UPDATE and DELETE (triggers on both engines).
use super::db::Tx;
use crate::with_tx;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Who did something.
#[derive(Clone, Copy, Debug)]
pub enum Actor {
    Staff(i64),
    Portal(i64),
    /// The server itself: jobs, the command line, seeding.
    System,
}

impl Actor {
    fn kind_and_id(self) -> (&'static str, Option<i64>) {
        match self {
            Actor::Staff(id) => ("staff", Some(id)),
            Actor::Portal(id) => ("portal", Some(id)),
            Actor::System => ("system", None),
        }
    }
}

/// One audited change. `before`/`after` are the record's JSON; leave out secrets.
pub struct AuditEntry<'a> {
    pub actor: Actor,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub ip: Option<String>,
}

impl<'a> AuditEntry<'a> {
    pub fn new(actor: Actor, action: &'a str, entity: &'a str, entity_id: Option<i64>) -> Self {
        AuditEntry {
            actor,
            action,
            entity,
            entity_id,
            before: None,
            after: None,
            ip: None,
        }
    }

    pub fn before(mut self, value: &impl Serialize) -> Self {
        self.before = serde_json::to_string(value).ok();
        self
    }

    pub fn after(mut self, value: &impl Serialize) -> Self {
        self.after = serde_json::to_string(value).ok();
        self
    }

    pub fn ip(mut self, ip: Option<String>) -> Self {
        self.ip = ip;
        self
    }
}

/// Appends `entry` inside `tx`; if the transaction rolls back, so does the record.
pub async fn record(
    tx: &mut Tx,
    at: DateTime<Utc>,
    entry: AuditEntry<'_>,
) -> Result<(), sqlx::Error> {
    let (actor_kind, actor_id) = entry.actor.kind_and_id();
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO audit_log (at, actor_kind, actor_id, action, entity, entity_id, before_json, after_json, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(at)
    .bind(actor_kind)
    .bind(actor_id)
    .bind(entry.action)
    .bind(entry.entity)
    .bind(entry.entity_id)
    .bind(&entry.before)
    .bind(&entry.after)
    .bind(&entry.ip)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}
