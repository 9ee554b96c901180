//! Which tables hold records a staff member owns or is responsible for. Deactivating a user
//! who still owns any asks for a successor and reassigns them all in one audited transaction.
//! Later areas (clients, deals, contacts, complaints, tasks) add their columns to `OWNED`.
use super::audit::{self, Actor, AuditEntry};
use super::db::{Db, Tx};
use crate::{with_db, with_tx};
use chrono::{DateTime, Utc};

/// A column that names the responsible staff member. Table and column names are constants
/// of the program, never input, which is why they may be spliced into the SQL text.
pub struct OwnedColumn {
    pub table: &'static str,
    pub column: &'static str,
    /// Translation key of what these records are called.
    pub i18n_key: &'static str,
    /// The owner column points into its own table (a manager of users): the successor may
    /// be one of the records, and must not end up owning themselves.
    pub self_referencing: bool,
}

// Every owned table has a `version` column (DESIGN §6), bumped here so an edit made from a
// page loaded before the reassignment is a conflict rather than a silent undo.

pub const OWNED: &[OwnedColumn] = &[
    OwnedColumn {
        table: "users",
        column: "reports_to",
        i18n_key: "ownership.direct_reports",
        self_referencing: true,
    },
    OwnedColumn {
        table: "clients",
        column: "owner_id",
        i18n_key: "ownership.clients",
        self_referencing: false,
    },
    OwnedColumn {
        table: "projects",
        column: "owner_id",
        i18n_key: "ownership.projects",
        self_referencing: false,
    },
    OwnedColumn {
        table: "deals",
        column: "owner_id",
        i18n_key: "ownership.deals",
        self_referencing: false,
    },
];

fn count_sql(owned: &OwnedColumn) -> String {
    format!(
        "SELECT COUNT(*) FROM {} WHERE {} = $1",
        owned.table, owned.column
    )
}

/// How many records of each kind `user_id` is responsible for (only kinds with any), as a
/// page shows it: on the read pool, no write transaction.
pub async fn owned_summary(
    db: &Db,
    user_id: i64,
) -> Result<Vec<(&'static OwnedColumn, i64)>, sqlx::Error> {
    let mut counts = Vec::new();
    for owned in OWNED {
        let sql = count_sql(owned);
        let n: i64 = with_db!(db, c => sqlx::query_scalar(&sql).bind(user_id).fetch_one(c).await)?;
        if n > 0 {
            counts.push((owned, n));
        }
    }
    Ok(counts)
}

/// Like [`owned_summary`], inside the transaction that is about to reassign them.
pub async fn count_owned(
    tx: &mut Tx,
    user_id: i64,
) -> Result<Vec<(&'static OwnedColumn, i64)>, sqlx::Error> {
    let mut counts = Vec::new();
    for owned in OWNED {
        let sql = count_sql(owned);
        let n: i64 = with_tx!(tx, c => sqlx::query_scalar(&sql).bind(user_id).fetch_one(c).await)?;
        if n > 0 {
            counts.push((owned, n));
        }
    }
    Ok(counts)
}

/// Moves every record owned by `from` to `to`, auditing each kind moved.
pub async fn reassign_all(
    tx: &mut Tx,
    actor: Actor,
    from: i64,
    to: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let mut moved = 0;
    for owned in OWNED {
        let n = if owned.self_referencing {
            reassign_within_table(tx, owned, from, to).await?
        } else {
            let sql = format!(
                "UPDATE {} SET {} = $1, version = version + 1 WHERE {} = $2",
                owned.table, owned.column, owned.column
            );
            with_tx!(tx, c => sqlx::query(&sql).bind(to).bind(from).execute(c).await.map(|r| r.rows_affected()))?
                as i64
        };
        if n > 0 {
            let change = serde_json::json!({ "table": owned.table, "column": owned.column, "from": from, "to": to, "rows": n });
            audit::record(
                tx,
                now,
                AuditEntry::new(actor, "ownership.reassign", "user", Some(from)).after(&change),
            )
            .await?;
        }
        moved += n;
    }
    Ok(moved)
}

/// Reassigns rows of a self-referencing owner column: everyone `from` owned moves to `to`,
/// except `to` itself, which takes over `from`'s own owner instead (a deputy who succeeds
/// their manager reports to the manager's manager, not to themselves).
async fn reassign_within_table(
    tx: &mut Tx,
    owned: &OwnedColumn,
    from: i64,
    to: i64,
) -> Result<i64, sqlx::Error> {
    let (table, column) = (owned.table, owned.column);
    let others = format!(
        "UPDATE {table} SET {column} = $1, version = version + 1 WHERE {column} = $2 AND id <> $1"
    );
    let moved = with_tx!(tx, c => sqlx::query(&others).bind(to).bind(from).execute(c).await.map(|r| r.rows_affected()))?;
    let heir = format!(
        "UPDATE {table} SET {column} = (SELECT {column} FROM {table} WHERE id = $2), version = version + 1
         WHERE id = $1 AND {column} = $2"
    );
    let promoted = with_tx!(tx, c => sqlx::query(&heir).bind(to).bind(from).execute(c).await.map(|r| r.rows_affected()))?;
    Ok((moved + promoted) as i64)
}
