//! SQL of projects and tranches.
use super::model::*;
use crate::server::db::{Db, Tx};
use crate::server::query::{Bind, Conditions};
use crate::{bind_all, with_db, with_tx};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

#[derive(Clone, Debug, FromRow, serde::Serialize)]
pub struct ProjectRecord {
    pub id: i64,
    pub name: String,
    pub latin_name: Option<String>,
    pub sort_name: String,
    pub sponsor_id: i64,
    pub sponsor_name: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub sector: String,
    pub country: String,
    pub total_size: i64,
    pub currency: String,
    pub stage: String,
    pub risk_rating: String,
    pub expected_return_bps: Option<i64>,
    pub tenor_months: Option<i64>,
    pub esg_category: String,
    pub showcase: bool,
    pub description: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub version: i64,
}

const RECORD_SELECT: &str = "SELECT p.id, p.name, p.latin_name, p.sort_name, p.sponsor_id,
        s.display_name AS sponsor_name, p.owner_id, u.name AS owner_name, p.sector, p.country,
        p.total_size, p.currency, p.stage, p.risk_rating, p.expected_return_bps, p.tenor_months,
        p.esg_category, p.showcase, p.description, p.archived_at, p.version
    FROM projects p JOIN clients s ON s.id = p.sponsor_id JOIN users u ON u.id = p.owner_id";

pub async fn find(db: &Db, id: i64) -> Result<Option<ProjectRecord>, sqlx::Error> {
    let sql = format!("{RECORD_SELECT} WHERE p.id = $1");
    with_db!(db, c => sqlx::query_as::<_, ProjectRecord>(&sql).bind(id).fetch_optional(c).await)
}

pub async fn find_tx(tx: &mut Tx, id: i64) -> Result<Option<ProjectRecord>, sqlx::Error> {
    let sql = format!("{RECORD_SELECT} WHERE p.id = $1");
    with_tx!(tx, c => sqlx::query_as::<_, ProjectRecord>(&sql).bind(id).fetch_optional(c).await)
}

/// The conditions of a project filter (archived projects never show).
fn filter_conditions(filter: &ProjectFilter) -> Conditions {
    let mut c = Conditions::default();
    c.push("p.archived_at IS NULL".into());
    if !filter.q.is_empty() {
        let p = c.bind(Bind::Text(contains_pattern(&filter.q)));
        c.push(format!(
            "(LOWER(p.name) LIKE {p} ESCAPE '\\' OR LOWER(COALESCE(p.latin_name, '')) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(sector) = filter.sector {
        let p = c.bind(Bind::Text(sector.as_str().into()));
        c.push(format!("p.sector = {p}"));
    }
    if let Some(stage) = filter.stage {
        let p = c.bind(Bind::Text(stage.as_str().into()));
        c.push(format!("p.stage = {p}"));
    }
    if !filter.country.is_empty() {
        let p = c.bind(Bind::Text(filter.country.clone()));
        c.push(format!("p.country = {p}"));
    }
    if let Some(sponsor) = filter.sponsor {
        let p = c.bind(Bind::Int(sponsor));
        c.push(format!("p.sponsor_id = {p}"));
    }
    if filter.showcase {
        c.push("p.showcase = TRUE".into());
    }
    c
}

/// How many projects match the filter, across all pages.
pub async fn count(db: &Db, filter: &ProjectFilter) -> Result<i64, sqlx::Error> {
    let c = filter_conditions(filter);
    let sql = format!("SELECT COUNT(*) FROM projects p {}", c.where_clause());
    with_db!(db, conn => bind_all!(sqlx::query_scalar(&sql), &c.binds).fetch_one(conn).await)
}

/// One page of projects by name after the filter's cursor `id~sort_name`.
pub async fn list(
    db: &Db,
    filter: &ProjectFilter,
    limit: i64,
) -> Result<Vec<ProjectRecord>, sqlx::Error> {
    let mut c = filter_conditions(filter);
    if let Some((id, name)) = filter.after.as_deref().and_then(|a| a.split_once('~')) {
        let n = c.bind(Bind::Text(name.to_string()));
        let i = c.bind(Bind::Int(id.parse::<i64>().unwrap_or(0)));
        c.push(format!(
            "(p.sort_name > {n} OR (p.sort_name = {n} AND p.id > {i}))"
        ));
    }
    let limit_p = c.bind(Bind::Int(limit));
    let sql = format!(
        "{RECORD_SELECT} {} ORDER BY p.sort_name, p.id LIMIT {limit_p}",
        c.where_clause()
    );
    with_db!(db, conn => bind_all!(sqlx::query_as::<_, ProjectRecord>(&sql), &c.binds).fetch_all(conn).await)
}

/// Projects a client sponsors, for the client's page.
pub async fn sponsored_by(db: &Db, client_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM projects WHERE sponsor_id = $1 AND archived_at IS NULL ORDER BY sort_name, id LIMIT 100",
    )
    .bind(client_id)
    .fetch_all(c)
    .await)
}

fn sort_name(p: &ValidProject) -> String {
    p.latin_name.as_deref().unwrap_or(&p.name).to_lowercase()
}

pub async fn insert(
    tx: &mut Tx,
    p: &ValidProject,
    owner_id: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO projects (name, latin_name, sort_name, sponsor_id, owner_id, sector, country,
            total_size, currency, stage, risk_rating, expected_return_bps, tenor_months, esg_category,
            showcase, description, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, 1)
         RETURNING id",
    )
    .bind(&p.name)
    .bind(&p.latin_name)
    .bind(sort_name(p))
    .bind(p.sponsor_id)
    .bind(owner_id)
    .bind(p.sector.as_str())
    .bind(&p.country)
    .bind(p.total_size)
    .bind(&p.currency)
    .bind(p.stage.as_str())
    .bind(p.risk_rating.as_str())
    .bind(p.expected_return_bps)
    .bind(p.tenor_months)
    .bind(p.esg_category.as_str())
    .bind(p.showcase)
    .bind(&p.description)
    .bind(now)
    .fetch_one(c)
    .await)
}

/// Saves an edit if the project is still at `version`; false means someone else changed it.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    version: i64,
    p: &ValidProject,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let changed = with_tx!(tx, c => sqlx::query(
        "UPDATE projects SET name = $1, latin_name = $2, sort_name = $3, sector = $4, country = $5,
            total_size = $6, currency = $7, stage = $8, risk_rating = $9, expected_return_bps = $10,
            tenor_months = $11, esg_category = $12, showcase = $13, description = $14,
            updated_at = $15, version = version + 1
         WHERE id = $16 AND version = $17 AND archived_at IS NULL",
    )
    .bind(&p.name)
    .bind(&p.latin_name)
    .bind(sort_name(p))
    .bind(p.sector.as_str())
    .bind(&p.country)
    .bind(p.total_size)
    .bind(&p.currency)
    .bind(p.stage.as_str())
    .bind(p.risk_rating.as_str())
    .bind(p.expected_return_bps)
    .bind(p.tenor_months)
    .bind(p.esg_category.as_str())
    .bind(p.showcase)
    .bind(&p.description)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

#[derive(Clone, Debug, FromRow)]
pub struct TrancheRow {
    pub id: i64,
    pub name: String,
    pub instrument: String,
    pub size: i64,
    pub currency: String,
    pub pricing_bps: Option<i64>,
    pub tenor_months: Option<i64>,
    pub risk_band: String,
}

pub async fn tranches_of(db: &Db, project_id: i64) -> Result<Vec<TrancheRow>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, TrancheRow>(
        "SELECT id, name, instrument, size, currency, pricing_bps, tenor_months, risk_band
         FROM tranches WHERE project_id = $1 ORDER BY id LIMIT 100",
    )
    .bind(project_id)
    .fetch_all(c)
    .await)
}

pub async fn insert_tranche(
    tx: &mut Tx,
    project_id: i64,
    t: &ValidTranche,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO tranches (project_id, name, instrument, size, currency, pricing_bps, tenor_months,
            risk_band, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1) RETURNING id",
    )
    .bind(project_id)
    .bind(&t.name)
    .bind(t.instrument.as_str())
    .bind(t.size)
    .bind(&t.currency)
    .bind(t.pricing_bps)
    .bind(t.tenor_months)
    .bind(t.risk_band.as_str())
    .bind(now)
    .fetch_one(c)
    .await)
}

/// `%text%` for LIKE, with the wildcard characters of the text escaped (`ESCAPE '\'`).
pub fn contains_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for ch in text.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// Open projects whose name (display or Latin) contains `text`, by name; the newest
/// projects when `text` is empty. For pickers (a few thousand projects at most).
pub async fn search_names(
    db: &Db,
    text: &str,
    limit: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM projects
         WHERE archived_at IS NULL
           AND ($1 = '%%' OR LOWER(name) LIKE $1 ESCAPE '\\' OR LOWER(COALESCE(latin_name, '')) LIKE $1 ESCAPE '\\')
         ORDER BY CASE WHEN $1 = '%%' THEN -id ELSE 0 END, sort_name, id LIMIT $2",
    )
    .bind(contains_pattern(text))
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// Per tranche and currency: capital committed (committed and closed deals) and the
/// probability-weighted amount of deals still open, for the coverage bars.
pub async fn tranche_coverage(
    db: &Db,
    project_id: i64,
) -> Result<Vec<(i64, String, i64, i64)>, sqlx::Error> {
    // PostgreSQL sums BIGINT into NUMERIC: cast back so both engines decode an i64.
    with_db!(db, c => sqlx::query_as::<_, (i64, String, i64, i64)>(
        "SELECT d.tranche_id, d.currency,
            CAST(COALESCE(SUM(CASE WHEN d.stage IN ('committed', 'closed') THEN d.committed_amount ELSE 0 END), 0) AS BIGINT),
            CAST(COALESCE(SUM(CASE WHEN d.stage NOT IN ('committed', 'closed', 'declined')
                THEN COALESCE(d.committed_amount, d.indicated_amount, 0) * d.probability / 100 ELSE 0 END), 0) AS BIGINT)
         FROM deals d
         WHERE d.project_id = $1 AND d.archived_at IS NULL AND d.tranche_id IS NOT NULL
         GROUP BY d.tranche_id, d.currency",
    )
    .bind(project_id)
    .fetch_all(c)
    .await)
}
