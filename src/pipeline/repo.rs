//! SQL of deals and their stage moves. Bind parameters only; the same text on both engines.
use super::model::*;
use crate::server::db::{Db, Tx};
use crate::server::query::{Bind, Conditions};
use crate::{bind_all, with_db, with_tx};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

/// A stored deal with the names pages show next to it.
#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct DealRecord {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub client_owner_id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub tranche_id: Option<i64>,
    pub tranche_name: Option<String>,
    pub owner_id: i64,
    pub owner_name: String,
    pub stage: String,
    pub currency: String,
    pub indicated_amount: Option<i64>,
    pub committed_amount: Option<i64>,
    pub probability: i64,
    pub expected_close: Option<NaiveDate>,
    pub terms: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// The deal columns and the names pages show next to them, over `source` (the `deals`
/// table, or one page of it) as `d`.
pub fn record_select(source: &str) -> String {
    format!(
        "SELECT d.id, d.client_id, c.display_name AS client_name,
            c.owner_id AS client_owner_id, d.project_id, p.name AS project_name, d.tranche_id,
            t.name AS tranche_name, d.owner_id, u.name AS owner_name, d.stage, d.currency,
            d.indicated_amount, d.committed_amount, d.probability, d.expected_close, d.terms,
            d.archived_at, d.version
        FROM {source}
        JOIN clients c ON c.id = d.client_id
        JOIN projects p ON p.id = d.project_id
        LEFT JOIN tranches t ON t.id = d.tranche_id
        JOIN users u ON u.id = d.owner_id"
    )
}

pub async fn find(db: &Db, id: i64) -> Result<Option<DealRecord>, sqlx::Error> {
    let sql = format!("{} WHERE d.id = $1", record_select("deals d"));
    with_db!(db, c => sqlx::query_as::<_, DealRecord>(&sql).bind(id).fetch_optional(c).await)
}

pub async fn find_tx(tx: &mut Tx, id: i64) -> Result<Option<DealRecord>, sqlx::Error> {
    let sql = format!("{} WHERE d.id = $1", record_select("deals d"));
    with_tx!(tx, c => sqlx::query_as::<_, DealRecord>(&sql).bind(id).fetch_optional(c).await)
}

/// The conditions of a deal filter (archived deals never show).
pub fn filter_conditions(filter: &DealFilter) -> Conditions {
    let mut c = Conditions::default();
    c.push("d.archived_at IS NULL".into());
    if let Some(stage) = filter.stage {
        let p = c.bind(Bind::Text(stage.as_str().into()));
        c.push(format!("d.stage = {p}"));
    }
    for (column, value) in [
        ("d.owner_id", filter.owner),
        ("d.client_id", filter.client),
        ("d.project_id", filter.project),
    ] {
        if let Some(v) = value {
            let p = c.bind(Bind::Int(v));
            c.push(format!("{column} = {p}"));
        }
    }
    if let Some(currency) = &filter.currency {
        let p = c.bind(Bind::Text(currency.clone()));
        c.push(format!("d.currency = {p}"));
    }
    if filter.open {
        c.push("d.stage NOT IN ('closed', 'declined')".into());
    }
    c
}

/// One page of deals, newest first, after the cursor (a deal id).
pub async fn list(
    db: &Db,
    filter: &DealFilter,
    limit: i64,
) -> Result<Vec<DealRecord>, sqlx::Error> {
    let mut c = filter_conditions(filter);
    if let Some(after) = filter.after.as_deref().and_then(|a| a.parse::<i64>().ok()) {
        let p = c.bind(Bind::Int(after));
        c.push(format!("d.id < {p}"));
    }
    let limit_p = c.bind(Bind::Int(limit));
    // The page comes from `deals` alone; the names are joined for its rows only (a second
    // reference to `deals` let SQLite 3.46 scan every deal: 19 ms instead of 1 ms).
    let page = format!(
        "(SELECT d.* FROM deals d {} ORDER BY d.id DESC LIMIT {limit_p}) d",
        c.where_clause()
    );
    let sql = format!("{} ORDER BY d.id DESC", record_select(&page));
    with_db!(db, conn => bind_all!(sqlx::query_as::<_, DealRecord>(&sql), &c.binds).fetch_all(conn).await)
}

/// Sums per currency over every deal matching the filter (not just one page).
#[derive(Clone, Debug, FromRow)]
pub struct CurrencySums {
    pub currency: String,
    pub count: i64,
    pub indicated: i64,
    pub committed: i64,
    pub weighted: i64,
}

pub async fn totals(db: &Db, filter: &DealFilter) -> Result<Vec<CurrencySums>, sqlx::Error> {
    let c = filter_conditions(filter);
    // PostgreSQL sums BIGINT into NUMERIC: cast back so both engines decode an i64.
    let sql = format!(
        "SELECT d.currency, COUNT(*) AS count,
            CAST(COALESCE(SUM(d.indicated_amount), 0) AS BIGINT) AS indicated,
            CAST(COALESCE(SUM(d.committed_amount), 0) AS BIGINT) AS committed,
            CAST(COALESCE(SUM(COALESCE(d.committed_amount, d.indicated_amount, 0) * d.probability / 100), 0) AS BIGINT) AS weighted
         FROM deals d {} GROUP BY d.currency ORDER BY d.currency",
        c.where_clause()
    );
    with_db!(db, conn => bind_all!(sqlx::query_as::<_, CurrencySums>(&sql), &c.binds).fetch_all(conn).await)
}

/// The newest rate of each currency on or before `on` (units of the reporting currency
/// per unit, × 1,000,000), with its date.
pub async fn rates_on(
    db: &Db,
    on: NaiveDate,
) -> Result<Vec<(String, NaiveDate, i64)>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, (String, NaiveDate, i64)>(
        "SELECT r.currency, r.as_of, r.rate_micros FROM fx_rates r
         WHERE r.as_of = (SELECT MAX(x.as_of) FROM fx_rates x WHERE x.currency = r.currency AND x.as_of <= $1)",
    )
    .bind(on)
    .fetch_all(c)
    .await)
}

/// An open deal of the same investor in the same project and tranche, if any.
pub async fn open_twin(
    tx: &mut Tx,
    client_id: i64,
    project_id: i64,
    tranche_id: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "SELECT id FROM deals WHERE client_id = $1 AND project_id = $2
           AND tranche_id IS NOT DISTINCT FROM $3
           AND archived_at IS NULL AND stage <> 'declined' LIMIT 1",
    )
    .bind(client_id)
    .bind(project_id)
    .bind(tranche_id)
    .fetch_optional(c)
    .await)
}

pub async fn insert(
    tx: &mut Tx,
    d: &ValidDeal,
    owner_id: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO deals (client_id, project_id, tranche_id, owner_id, stage, currency,
            indicated_amount, committed_amount, probability, expected_close, terms, created_at,
            updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1) RETURNING id",
    )
    .bind(d.client_id)
    .bind(d.project_id)
    .bind(d.tranche_id)
    .bind(owner_id)
    .bind(d.stage.as_str())
    .bind(&d.currency)
    .bind(d.indicated_amount)
    .bind(d.committed_amount)
    .bind(d.probability)
    .bind(d.expected_close)
    .bind(&d.terms)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// Saves an edit if the deal is still at `version`; false means someone else changed it.
/// The investor and project of a deal never change.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    version: i64,
    d: &ValidDeal,
    owner_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let changed = with_tx!(tx, c => sqlx::query(
        "UPDATE deals SET tranche_id = $1, owner_id = $2, stage = $3, currency = $4,
            indicated_amount = $5, committed_amount = $6, probability = $7, expected_close = $8,
            terms = $9, updated_at = $10, version = version + 1
         WHERE id = $11 AND version = $12 AND archived_at IS NULL",
    )
    .bind(d.tranche_id)
    .bind(owner_id)
    .bind(d.stage.as_str())
    .bind(&d.currency)
    .bind(d.indicated_amount)
    .bind(d.committed_amount)
    .bind(d.probability)
    .bind(d.expected_close)
    .bind(&d.terms)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// One stage move, as it is written next to the deal's change.
pub struct NewMove<'a> {
    pub deal_id: i64,
    pub from: Option<DealStage>,
    pub to: DealStage,
    pub by: i64,
    pub at: DateTime<Utc>,
    pub reason: Option<&'a str>,
    pub request_id: Option<&'a str>,
}

pub async fn insert_move(tx: &mut Tx, m: &NewMove<'_>) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO deal_moves (deal_id, from_stage, to_stage, moved_by, moved_at, reason, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(m.deal_id)
    .bind(m.from.map(DealStage::as_str))
    .bind(m.to.as_str())
    .bind(m.by)
    .bind(m.at)
    .bind(m.reason)
    .bind(m.request_id)
    .execute(c)
    .await
    .map(|_| ()))
}

#[derive(Clone, Debug, FromRow)]
pub struct MoveRow {
    pub moved_at: DateTime<Utc>,
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub moved_by_name: Option<String>,
    pub reason: Option<String>,
}

pub async fn moves_of(db: &Db, deal_id: i64, limit: i64) -> Result<Vec<MoveRow>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, MoveRow>(
        "SELECT m.moved_at, m.from_stage, m.to_stage, u.name AS moved_by_name, m.reason
         FROM deal_moves m LEFT JOIN users u ON u.id = m.moved_by
         WHERE m.deal_id = $1 ORDER BY m.id DESC LIMIT $2",
    )
    .bind(deal_id)
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// Recomputes the committed capital of a client (its committed and closed deals, per
/// currency) that the lifecycle board shows and sums; called by every deal write.
pub async fn refresh_commitments(tx: &mut Tx, client_id: i64) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query("DELETE FROM client_commitments WHERE client_id = $1")
        .bind(client_id)
        .execute(c)
        .await
        .map(|_| ()))?;
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO client_commitments (client_id, currency, amount)
         SELECT client_id, currency, CAST(SUM(committed_amount) AS BIGINT) FROM deals
         WHERE client_id = $1 AND stage IN ('committed', 'closed') AND archived_at IS NULL
           AND committed_amount IS NOT NULL
         GROUP BY client_id, currency",
    )
    .bind(client_id)
    .execute(c)
    .await
    .map(|_| ()))
}

/// The same for every client at once, after a bulk load.
pub async fn refresh_all_commitments(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => sqlx::query("DELETE FROM client_commitments").execute(c).await.map(|_| ()))?;
    with_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO client_commitments (client_id, currency, amount)
         SELECT client_id, currency, CAST(SUM(committed_amount) AS BIGINT) FROM deals
         WHERE stage IN ('committed', 'closed') AND archived_at IS NULL AND committed_amount IS NOT NULL
         GROUP BY client_id, currency",
    )
    .execute(c)
    .await
    .map(|_| ()))?;
    tx.commit().await
}
