//! SQL of the lifecycle board: column counts and values over every matching client, one
//! page of cards per column (keyset on name), and the stage change with its move row.
use crate::clients::model::{ClientFilter, LifecycleStage};
use crate::pipeline::columns::union_per_stage;
use crate::server::db::{Db, Tx};
use crate::server::query::{Bind, Conditions};
use crate::{bind_all, with_db, with_tx};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

/// The joins a client filter needs (owner `u`, investor profile `ip`).
fn from_clause(c: &Conditions) -> &'static str {
    match (c.needs("owner"), c.needs("profile")) {
        (false, false) => "FROM clients c",
        (true, false) => "FROM clients c JOIN users u ON u.id = c.owner_id",
        (false, true) => "FROM clients c LEFT JOIN investor_profiles ip ON ip.client_id = c.id",
        (true, true) => {
            "FROM clients c JOIN users u ON u.id = c.owner_id LEFT JOIN investor_profiles ip ON ip.client_id = c.id"
        }
    }
}

/// A column figure row: with an empty currency, the stage's card count; otherwise the
/// committed capital of its cards in that currency.
pub type FigureRow = (String, String, i64);

/// Card counts and committed capital per stage over every client matching the filter, in
/// one statement. Everyone's or one owner's come from the totals the triggers of migration
/// 0009 keep per (stage, owner): a few dozen rows instead of every client. Other filters
/// read the matching clients once and derive both from them.
pub async fn figures(
    db: &Db,
    filter: &ClientFilter,
    today: NaiveDate,
) -> Result<Vec<FigureRow>, sqlx::Error> {
    let (sql, c) = if filter.only_owner() {
        let c = crate::pipeline::columns::owner_condition(filter.owner);
        let w = c.where_clause();
        // PostgreSQL sums BIGINT into NUMERIC: cast back so both engines decode an i64.
        let sql = format!(
            "SELECT stage, '' AS currency, CAST(SUM(cards) AS BIGINT) AS n FROM lifecycle_counts {w}
             GROUP BY stage HAVING SUM(cards) <> 0
             UNION ALL
             SELECT stage, currency, CAST(SUM(amount) AS BIGINT) FROM lifecycle_values {w}
             GROUP BY stage, currency HAVING SUM(amount) <> 0"
        );
        (sql, c)
    } else {
        let c = crate::clients::repo::filter_conditions(filter, today);
        let sql = format!(
            "WITH matching AS MATERIALIZED (SELECT c.id, c.lifecycle_stage {} {})
             SELECT lifecycle_stage, '' AS currency, COUNT(*) AS n FROM matching
             GROUP BY lifecycle_stage
             UNION ALL
             SELECT m.lifecycle_stage, cc.currency, CAST(SUM(cc.amount) AS BIGINT)
             FROM matching m JOIN client_commitments cc ON cc.client_id = m.id
             GROUP BY m.lifecycle_stage, cc.currency",
            from_clause(&c),
            c.where_clause()
        );
        (sql, c)
    };
    let mut rows: Vec<FigureRow> = with_db!(db, conn => bind_all!(sqlx::query_as::<_, FigureRow>(&sql), &c.binds).fetch_all(conn).await)?;
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(rows)
}

#[derive(Clone, Debug, FromRow)]
pub struct CardRow {
    pub id: i64,
    pub display_name: String,
    pub sort_name: String,
    pub is_investor: bool,
    pub is_borrower: bool,
    pub owner_id: i64,
    pub owner_name: String,
    pub lifecycle_stage: String,
    pub version: i64,
    pub last_interaction_at: Option<DateTime<Utc>>,
    pub risk_severity: i64,
}

/// The columns of a card, from clients `c`.
const CARD_COLUMNS: &str = "c.id, c.display_name, c.sort_name, c.is_investor, c.is_borrower,
    c.owner_id, c.lifecycle_stage, c.version, c.last_interaction_at, c.risk_severity";

/// One page of a column's cards by name, after the cursor `id~sort_name`.
pub async fn cards(
    db: &Db,
    filter: &ClientFilter,
    today: NaiveDate,
    stage: LifecycleStage,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<CardRow>, sqlx::Error> {
    let mut c = crate::clients::repo::filter_conditions(filter, today);
    let s = c.bind(Bind::Text(stage.as_str().into()));
    c.push(format!("c.lifecycle_stage = {s}"));
    if let Some((id, name)) = after.and_then(|a| a.split_once('~')) {
        let n = c.bind(Bind::Text(name.to_string()));
        let i = c.bind(Bind::Int(id.parse::<i64>().unwrap_or(0)));
        c.push(format!(
            "(c.sort_name > {n} OR (c.sort_name = {n} AND c.id > {i}))"
        ));
    }
    let limit_p = c.bind(Bind::Int(limit));
    let sql = format!(
        "SELECT page.*, o.name AS owner_name
         FROM (SELECT {CARD_COLUMNS}
               {} {} ORDER BY c.sort_name, c.id LIMIT {limit_p}) page
         JOIN users o ON o.id = page.owner_id
         ORDER BY page.sort_name, page.id",
        from_clause(&c),
        c.where_clause()
    );
    with_db!(db, conn => bind_all!(sqlx::query_as::<_, CardRow>(&sql), &c.binds).fetch_all(conn).await)
}

/// The first page of every column at once: one statement instead of one per stage (the
/// board's cost under load is mostly per-statement overhead). Each branch walks its stage's
/// index in order; the filter's parameters are shared by all branches. A search has its
/// own statement (`searched_board`).
pub async fn first_pages(
    db: &Db,
    filter: &ClientFilter,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<CardRow>, sqlx::Error> {
    let mut c = crate::clients::repo::filter_conditions(filter, today);
    let from = from_clause(&c);
    let common = c.where_clause();
    let limit_p = c.bind(Bind::Int(limit));
    let pages = union_per_stage(&mut c, stage_names(), |s| {
        format!(
            "SELECT * FROM (SELECT {CARD_COLUMNS} {from} {common} AND c.lifecycle_stage = {s}
               ORDER BY c.sort_name, c.id LIMIT {limit_p}) AS stage_page"
        )
    });
    let sql = format!(
        "SELECT page.*, o.name AS owner_name FROM ({pages}) page
         JOIN users o ON o.id = page.owner_id
         ORDER BY page.lifecycle_stage, page.sort_name, page.id"
    );
    with_db!(db, conn => bind_all!(sqlx::query_as::<_, CardRow>(&sql), &c.binds).fetch_all(conn).await)
}

/// The figure columns of a row of `searched_board`: set on a figure row, empty on a card.
#[derive(FromRow)]
struct FigureColumns {
    figure_stage: Option<String>,
    figure_currency: Option<String>,
    figure_amount: Option<i64>,
}

/// A searched board in one statement: its column figures and the first page of every
/// column. Both come from the clients the search matches, found once (the term index, then
/// each client), which was most of the cost when figures and pages each found them. Only
/// each match's stage and name are kept; a page's cards are read after choosing them.
pub async fn searched_board(
    db: &Db,
    filter: &ClientFilter,
    today: NaiveDate,
    limit: i64,
) -> Result<(Vec<FigureRow>, Vec<CardRow>), sqlx::Error> {
    let mut c = crate::clients::repo::filter_conditions(filter, today);
    let from = match_source(db, filter, &c);
    let common = c.where_clause();
    let limit_p = c.bind(Bind::Int(limit));
    let pages = union_per_stage(&mut c, stage_names(), |s| {
        format!(
            "SELECT * FROM (SELECT id FROM matching WHERE lifecycle_stage = {s}
               ORDER BY sort_name, id LIMIT {limit_p}) AS stage_page"
        )
    });
    // The card rows leave the figure columns empty and the figure rows the card columns
    // (typed in the first branch, which PostgreSQL takes the union's types from). The
    // union is ordered from outside, where SQLite knows its columns by name. CROSS JOIN
    // keeps SQLite's join order: the page's few ids, then each card and its owner. With a
    // plain JOIN, SQLite 3.46 walked every owner's clients instead (5.8 against 2.2 ms a
    // board on the large set).
    let sql = format!(
        "WITH matching AS MATERIALIZED (SELECT c.id, c.sort_name, c.lifecycle_stage {from} {common})
         SELECT * FROM (
         SELECT {CARD_COLUMNS}, o.name AS owner_name, CAST(NULL AS TEXT) AS figure_stage,
                CAST(NULL AS TEXT) AS figure_currency, CAST(NULL AS BIGINT) AS figure_amount
         FROM ({pages}) page
         CROSS JOIN clients c CROSS JOIN users o
         WHERE c.id = page.id AND o.id = c.owner_id
         UNION ALL
         SELECT {NO_CARD}, lifecycle_stage, '', COUNT(*) FROM matching GROUP BY lifecycle_stage
         UNION ALL
         SELECT {NO_CARD}, m.lifecycle_stage, cc.currency, CAST(SUM(cc.amount) AS BIGINT)
         FROM matching m JOIN client_commitments cc ON cc.client_id = m.id
         GROUP BY m.lifecycle_stage, cc.currency
         ) AS board
         ORDER BY lifecycle_stage, sort_name, id"
    );
    with_db!(db, conn => {
        let rows = bind_all!(sqlx::query(&sql), &c.binds).fetch_all(conn).await?;
        figures_and_cards(rows)
    })
}

/// Where a searched board finds its matching clients. On SQLite, when the filter reads no
/// column beyond those of `clients_match` (migration 0025: id, stage, name, owner), the
/// statement names that index: SQLite's planner would otherwise look each match up by id in
/// the wide clients table, a page read per match (1.40 against 0.93 ms for the 1,193
/// clients matching a common word on the large set). PostgreSQL chooses its own.
fn match_source(db: &Db, filter: &ClientFilter, c: &Conditions) -> &'static str {
    match db {
        Db::Sqlite { .. } if filter.only_search_stage_and_owner() => {
            "FROM clients c INDEXED BY clients_match"
        }
        _ => from_clause(c),
    }
}

/// The board's stages in column order, as stored.
fn stage_names() -> impl Iterator<Item = &'static str> {
    LifecycleStage::ALL.iter().map(|stage| stage.as_str())
}

/// Empty card columns (`CARD_COLUMNS` and the owner's name) of a figure row.
const NO_CARD: &str = "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL";

/// Splits the rows of `searched_board` into figures (sorted by currency, as `figures`
/// gives them) and cards.
fn figures_and_cards<R: sqlx::Row>(
    rows: Vec<R>,
) -> Result<(Vec<FigureRow>, Vec<CardRow>), sqlx::Error>
where
    for<'r> CardRow: FromRow<'r, R>,
    for<'r> FigureColumns: FromRow<'r, R>,
{
    let mut figures = Vec::new();
    let mut cards = Vec::new();
    for row in &rows {
        let f = FigureColumns::from_row(row)?;
        match f.figure_stage {
            Some(stage) => figures.push((
                stage,
                f.figure_currency.unwrap_or_default(),
                f.figure_amount.unwrap_or(0),
            )),
            None => cards.push(CardRow::from_row(row)?),
        }
    }
    figures.sort_by(|a, b| a.1.cmp(&b.1));
    Ok((figures, cards))
}

/// Committed capital per currency of the given clients. The ids go in as one JSON array, so
/// the statement has one text for any number of cards: each connection prepares it once. A
/// list of `$n` was one statement per card count (up to 65 on a board), each parsed and
/// planned on its first use on each connection and crowding sqlx's per-connection cache.
pub async fn commitments_of(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = Db::json_ids(ids);
    let sql = format!(
        "SELECT client_id, currency, amount FROM client_commitments
         WHERE {} ORDER BY currency",
        db.id_in_json("client_id", 1)
    );
    with_db!(db, c => sqlx::query_as::<_, (i64, String, i64)>(&sql).bind(&list).fetch_all(c).await)
}

/// The stage, version and owner of a client, read inside the move's transaction.
pub async fn position(tx: &mut Tx, id: i64) -> Result<Option<(String, i64, i64)>, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_as::<_, (String, i64, i64)>(
        "SELECT lifecycle_stage, version, owner_id FROM clients WHERE id = $1 AND archived_at IS NULL",
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}

pub async fn has_committed_deal(tx: &mut Tx, client_id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = with_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM deals WHERE client_id = $1 AND stage IN ('committed', 'closed') AND archived_at IS NULL",
    )
    .bind(client_id)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}

/// Moves the client if it is still at `version`; false means someone else changed it.
pub async fn set_stage(
    tx: &mut Tx,
    id: i64,
    version: i64,
    to: LifecycleStage,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let changed = with_tx!(tx, c => sqlx::query(
        "UPDATE clients SET lifecycle_stage = $1, updated_at = $2, version = version + 1
         WHERE id = $3 AND version = $4 AND archived_at IS NULL",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

pub struct NewLifecycleMove<'a> {
    pub client_id: i64,
    pub from: Option<LifecycleStage>,
    pub to: LifecycleStage,
    pub by: Option<i64>,
    pub at: DateTime<Utc>,
    pub reason: Option<&'a str>,
    pub request_id: Option<&'a str>,
}

pub async fn insert_move(tx: &mut Tx, m: &NewLifecycleMove<'_>) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO lifecycle_moves (client_id, from_stage, to_stage, moved_by, moved_at, reason, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(m.client_id)
    .bind(m.from.map(LifecycleStage::as_str))
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
pub struct LifecycleMoveRow {
    pub moved_at: DateTime<Utc>,
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub moved_by_name: Option<String>,
    pub reason: Option<String>,
}

/// A client's stage history, newest first.
pub async fn moves_of(
    db: &Db,
    client_id: i64,
    limit: i64,
) -> Result<Vec<LifecycleMoveRow>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, LifecycleMoveRow>(
        "SELECT m.moved_at, m.from_stage, m.to_stage, u.name AS moved_by_name, m.reason
         FROM lifecycle_moves m LEFT JOIN users u ON u.id = m.moved_by
         WHERE m.client_id = $1 ORDER BY m.id DESC LIMIT $2",
    )
    .bind(client_id)
    .bind(limit)
    .fetch_all(c)
    .await)
}
