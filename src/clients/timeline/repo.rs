//! SQL of interactions and their participants.
use super::model::ValidInteraction;
use crate::server::db::{Db, Tx};
use crate::server::query::{Bind, Conditions};
use crate::{bind_all, with_db, with_tx};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

/// Whose timeline: one client's, or everything logged about one project.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    Client(i64),
    Project(i64),
}

pub async fn insert(
    tx: &mut Tx,
    client_id: i64,
    i: &ValidInteraction,
    occurred_at: DateTime<Utc>,
    logged_by: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let id: i64 = with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO interactions (client_id, project_id, kind, occurred_at, summary, logged_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(client_id)
    .bind(i.project_id)
    .bind(i.kind.as_str())
    .bind(occurred_at)
    .bind(&i.summary)
    .bind(logged_by)
    .bind(now)
    .fetch_one(c)
    .await)?;
    // The board shows how long a client has been quiet without reading the timeline.
    with_tx!(tx, c => sqlx::query(
        "UPDATE clients SET last_interaction_at = $1
         WHERE id = $2 AND (last_interaction_at IS NULL OR last_interaction_at < $1)",
    )
    .bind(occurred_at)
    .bind(client_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    insert_participants(tx, id, "interaction_contacts", "contact_id", &i.contact_ids).await?;
    insert_participants(tx, id, "interaction_staff", "user_id", &i.staff_ids).await?;
    Ok(id)
}

/// `table` and `column` are constants of this module, never input.
async fn insert_participants(
    tx: &mut Tx,
    interaction_id: i64,
    table: &'static str,
    column: &'static str,
    ids: &[i64],
) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..ids.len())
        .map(|n| format!("($1, ${})", n + 2))
        .collect();
    let sql = format!(
        "INSERT INTO {table} (interaction_id, {column}) VALUES {}",
        values.join(", ")
    );
    with_tx!(tx, c => {
        let mut q = sqlx::query(&sql).bind(interaction_id);
        for id in ids {
            q = q.bind(*id);
        }
        q.execute(c).await.map(|_| ())
    })
}

#[derive(Clone, Debug, FromRow)]
pub struct InteractionRow {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub kind: String,
    pub summary: String,
    pub client_id: i64,
    pub client_name: String,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub logged_by_name: String,
}

/// One page of a timeline, newest first, after the cursor (time and id of the last entry).
pub async fn page(
    db: &Db,
    scope: Scope,
    after: Option<(DateTime<Utc>, i64)>,
    limit: i64,
) -> Result<Vec<InteractionRow>, sqlx::Error> {
    let mut c = Conditions::default();
    match scope {
        Scope::Client(id) => {
            let p = c.bind(Bind::Int(id));
            c.push(format!("i.client_id = {p}"));
        }
        Scope::Project(id) => {
            let p = c.bind(Bind::Int(id));
            c.push(format!("i.project_id = {p}"));
        }
    }
    if let Some((at, id)) = after {
        let t = c.bind(Bind::Time(at));
        let i = c.bind(Bind::Int(id));
        c.push(format!(
            "(i.occurred_at < {t} OR (i.occurred_at = {t} AND i.id < {i}))"
        ));
    }
    let limit_p = c.bind(Bind::Int(limit));
    let sql = format!(
        "SELECT i.id, i.occurred_at, i.kind, i.summary, i.client_id, c.display_name AS client_name,
                i.project_id, p.name AS project_name, u.name AS logged_by_name
         FROM interactions i
         JOIN clients c ON c.id = i.client_id
         LEFT JOIN projects p ON p.id = i.project_id
         JOIN users u ON u.id = i.logged_by
         {} ORDER BY i.occurred_at DESC, i.id DESC LIMIT {limit_p}",
        c.where_clause()
    );
    with_db!(db, conn => bind_all!(sqlx::query_as::<_, InteractionRow>(&sql), &c.binds).fetch_all(conn).await)
}

/// `(interaction id, name)` of the contacts and of the staff who took part in `ids`.
pub async fn participants(
    db: &Db,
    ids: &[i64],
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), sqlx::Error> {
    if ids.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let list: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let list = list.join(", ");
    let contacts_sql = format!(
        "SELECT ic.interaction_id, ct.name FROM interaction_contacts ic
         JOIN contacts ct ON ct.id = ic.contact_id
         WHERE ic.interaction_id IN ({list}) ORDER BY ct.name"
    );
    let staff_sql = format!(
        "SELECT s.interaction_id, u.name FROM interaction_staff s
         JOIN users u ON u.id = s.user_id
         WHERE s.interaction_id IN ({list}) ORDER BY u.name"
    );
    let contacts = with_db!(db, c => {
        let mut q = sqlx::query_as::<_, (i64, String)>(&contacts_sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?;
    let staff = with_db!(db, c => {
        let mut q = sqlx::query_as::<_, (i64, String)>(&staff_sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?;
    Ok((contacts, staff))
}

/// Which of `contact_ids` belong to `client_id`.
pub async fn contacts_of_client(
    tx: &mut Tx,
    client_id: i64,
    contact_ids: &[i64],
) -> Result<usize, sqlx::Error> {
    if contact_ids.is_empty() {
        return Ok(0);
    }
    let list: Vec<String> = (2..contact_ids.len() + 2)
        .map(|n| format!("${n}"))
        .collect();
    let sql = format!(
        "SELECT COUNT(*) FROM contacts WHERE client_id = $1 AND removed_at IS NULL AND id IN ({})",
        list.join(", ")
    );
    let n: i64 = with_tx!(tx, c => {
        let mut q = sqlx::query_scalar(&sql).bind(client_id);
        for id in contact_ids {
            q = q.bind(*id);
        }
        q.fetch_one(c).await
    })?;
    Ok(n as usize)
}

/// Projects an interaction with the client may concern: those it sponsors and those it has
/// deals in.
pub async fn projects_of_client(
    db: &Db,
    client_id: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, (i64, String)>(
        "SELECT p.id, p.name FROM projects p
         WHERE p.archived_at IS NULL
           AND (p.sponsor_id = $1 OR p.id IN (SELECT d.project_id FROM deals d WHERE d.client_id = $1))
         ORDER BY p.sort_name, p.id LIMIT 200",
    )
    .bind(client_id)
    .fetch_all(c)
    .await)
}
