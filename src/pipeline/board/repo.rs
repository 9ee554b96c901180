//! SQL of the deal board: sums per stage and currency over every matching deal, and one
//! page of cards per column (newest change first).
use crate::pipeline::columns::union_per_stage;
use crate::pipeline::model::{DealFilter, DealStage};
use crate::pipeline::repo::{DealRecord, filter_conditions, record_select};
use crate::server::db::{Db, Tx};
use crate::server::query::Bind;
use crate::{bind_all, with_db, with_tx};
use chrono::{DateTime, Utc};

/// (stage, currency, count, sum of counted amounts, probability-weighted sum).
pub async fn sums(
    db: &Db,
    filter: &DealFilter,
) -> Result<Vec<(String, String, i64, i64, i64)>, sqlx::Error> {
    if filter.only_owner_and_currency() {
        return kept_sums(db, filter).await;
    }
    let c = filter_conditions(filter);
    // PostgreSQL sums BIGINT into NUMERIC: cast back so both engines decode an i64.
    let sql = format!(
        "SELECT d.stage, d.currency, COUNT(*),
            CAST(COALESCE(SUM(COALESCE(d.committed_amount, d.indicated_amount, 0)), 0) AS BIGINT),
            CAST(COALESCE(SUM(COALESCE(d.committed_amount, d.indicated_amount, 0) * d.probability / 100), 0) AS BIGINT)
         FROM deals d {} GROUP BY d.stage, d.currency ORDER BY d.currency",
        c.where_clause()
    );
    with_db!(db, conn => bind_all!(sqlx::query_as::<_, (String, String, i64, i64, i64)>(&sql), &c.binds).fetch_all(conn).await)
}

/// [`sums`] of everyone's or one owner's deals (in one currency or all), from the totals
/// the triggers of migration 0009 keep per (stage, owner, currency).
async fn kept_sums(
    db: &Db,
    filter: &DealFilter,
) -> Result<Vec<(String, String, i64, i64, i64)>, sqlx::Error> {
    let mut c = crate::pipeline::columns::owner_condition(filter.owner);
    if let Some(currency) = &filter.currency {
        let p = c.bind(Bind::Text(currency.clone()));
        c.push(format!("currency = {p}"));
    }
    let sql = format!(
        "SELECT stage, currency, CAST(SUM(cards) AS BIGINT), CAST(SUM(amount) AS BIGINT),
            CAST(SUM(weighted) AS BIGINT)
         FROM deal_totals {} GROUP BY stage, currency HAVING SUM(cards) <> 0 ORDER BY currency",
        c.where_clause()
    );
    with_db!(db, conn => bind_all!(sqlx::query_as::<_, (String, String, i64, i64, i64)>(&sql), &c.binds).fetch_all(conn).await)
}

#[derive(Debug, sqlx::FromRow)]
pub struct CardRecord {
    #[sqlx(flatten)]
    pub deal: DealRecord,
    pub updated_at: DateTime<Utc>,
}

/// One page of a column, newest change first, after the cursor `id~updated_at`.
pub async fn cards(
    db: &Db,
    filter: &DealFilter,
    stage: DealStage,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<CardRecord>, sqlx::Error> {
    let mut c = filter_conditions(filter);
    let s = c.bind(Bind::Text(stage.as_str().into()));
    c.push(format!("d.stage = {s}"));
    if let Some((id, at)) = after.and_then(|a| a.split_once('~'))
        && let Ok(at) = DateTime::parse_from_rfc3339(at)
    {
        let t = c.bind(Bind::Time(at.with_timezone(&Utc)));
        let i = c.bind(Bind::Int(id.parse::<i64>().unwrap_or(0)));
        c.push(format!(
            "(d.updated_at < {t} OR (d.updated_at = {t} AND d.id < {i}))"
        ));
    }
    let limit_p = c.bind(Bind::Int(limit));
    let page = format!(
        "(SELECT d.* FROM deals d {} ORDER BY d.updated_at DESC, d.id DESC LIMIT {limit_p}) d",
        c.where_clause()
    );
    let select = record_select(&page).replacen("SELECT ", "SELECT d.updated_at, ", 1);
    let sql = format!("{select} ORDER BY d.updated_at DESC, d.id DESC");
    with_db!(db, conn => bind_all!(sqlx::query_as::<_, CardRecord>(&sql), &c.binds).fetch_all(conn).await)
}

/// The first page of every column in one statement (one branch per stage, each walking
/// the board index newest first; the filter's parameters are shared by all branches).
pub async fn first_pages(
    db: &Db,
    filter: &DealFilter,
    limit: i64,
) -> Result<Vec<CardRecord>, sqlx::Error> {
    let mut c = filter_conditions(filter);
    let common = c.where_clause();
    let limit_p = c.bind(Bind::Int(limit));
    let stages = DealStage::ALL.iter().map(|stage| stage.as_str());
    let branches = union_per_stage(&mut c, stages, |s| {
        format!(
            "SELECT * FROM (SELECT d.* FROM deals d {common} AND d.stage = {s}
               ORDER BY d.updated_at DESC, d.id DESC LIMIT {limit_p}) AS stage_page"
        )
    });
    let page = format!("({branches}) d");
    let select = record_select(&page).replacen("SELECT ", "SELECT d.updated_at, ", 1);
    let sql = format!("{select} ORDER BY d.stage, d.updated_at DESC, d.id DESC");
    with_db!(db, conn => bind_all!(sqlx::query_as::<_, CardRecord>(&sql), &c.binds).fetch_all(conn).await)
}

/// Stage, version, owner, investor and committed amount of a deal, inside the move's
/// transaction.
pub async fn position(
    tx: &mut Tx,
    id: i64,
) -> Result<Option<(String, i64, i64, i64, Option<i64>)>, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_as(
        "SELECT stage, version, owner_id, client_id, committed_amount FROM deals
         WHERE id = $1 AND archived_at IS NULL",
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// Moves the deal if it is still at `version`, with the stage's probability.
pub async fn set_stage(
    tx: &mut Tx,
    id: i64,
    version: i64,
    to: DealStage,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let changed = with_tx!(tx, c => sqlx::query(
        "UPDATE deals SET stage = $1, probability = $2, updated_at = $3, version = version + 1
         WHERE id = $4 AND version = $5 AND archived_at IS NULL",
    )
    .bind(to.as_str())
    .bind(to.default_probability())
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}
