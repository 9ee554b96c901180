//! The portal's queries. Every one is scoped in SQL by the portal user asking (`$1`): it
//! starts from that user's links in `portal_user_clients`, so no id typed into a URL or a
//! request reaches another investor's rows. Bind parameters only; both engines.
use crate::server::db::Db;
use crate::with_db;
use sqlx::FromRow;

/// The deals the portal user `$1` may see: of the live clients they act for, at a stage an
/// investor sees (`portal::model::visible_to_investor`; the test below keeps the two equal).
const MY_DEALS: &str = "FROM deals d
    JOIN portal_user_clients pa ON pa.client_id = d.client_id AND pa.portal_user_id = $1
    JOIN clients c ON c.id = d.client_id AND c.archived_at IS NULL
    JOIN projects p ON p.id = d.project_id AND p.archived_at IS NULL
    LEFT JOIN tranches t ON t.id = d.tranche_id
    WHERE d.archived_at IS NULL
      AND d.stage IN ('interested', 'due_diligence', 'term_sheet', 'committed', 'closed')";

#[derive(Clone, Debug, FromRow)]
pub struct CommitmentRow {
    pub id: i64,
    pub entity: String,
    pub project_id: i64,
    pub project_name: String,
    pub tranche_name: Option<String>,
    pub stage: String,
    pub currency: String,
    pub indicated_amount: Option<i64>,
    pub committed_amount: Option<i64>,
}

const COMMITMENT_COLUMNS: &str = "d.id, c.display_name AS entity, p.id AS project_id,
    p.name AS project_name, t.name AS tranche_name, d.stage, d.currency,
    d.indicated_amount, d.committed_amount";

/// One page of the user's participations, by deal id after `after`.
pub async fn commitments(
    db: &Db,
    portal_user: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<CommitmentRow>, sqlx::Error> {
    let sql =
        format!("SELECT {COMMITMENT_COLUMNS} {MY_DEALS} AND d.id > $2 ORDER BY d.id LIMIT $3");
    with_db!(db, c => sqlx::query_as::<_, CommitmentRow>(&sql)
        .bind(portal_user)
        .bind(after)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// The user's participations in one project.
pub async fn commitments_in_project(
    db: &Db,
    portal_user: i64,
    project: i64,
) -> Result<Vec<CommitmentRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COMMITMENT_COLUMNS} {MY_DEALS} AND d.project_id = $2 ORDER BY d.id LIMIT 200"
    );
    with_db!(db, c => sqlx::query_as::<_, CommitmentRow>(&sql)
        .bind(portal_user)
        .bind(project)
        .fetch_all(c)
        .await)
}

#[derive(Clone, Debug, FromRow)]
pub struct TotalRow {
    pub currency: String,
    pub indicated: i64,
    pub committed: i64,
    pub count: i64,
}

/// Sums per currency over all the user's participations: indicated amounts of every
/// visible deal, committed amounts of committed and closed ones.
pub async fn totals(db: &Db, portal_user: i64) -> Result<Vec<TotalRow>, sqlx::Error> {
    let sql = format!(
        "SELECT d.currency,
                CAST(COALESCE(SUM(d.indicated_amount), 0) AS BIGINT) AS indicated,
                CAST(COALESCE(SUM(CASE WHEN d.stage IN ('committed', 'closed')
                                       THEN d.committed_amount ELSE 0 END), 0) AS BIGINT) AS committed,
                COUNT(*) AS count
         {MY_DEALS} GROUP BY d.currency ORDER BY d.currency"
    );
    with_db!(db, c => sqlx::query_as::<_, TotalRow>(&sql)
        .bind(portal_user)
        .fetch_all(c)
        .await)
}

/// The live investor entities the user acts for, by name.
pub async fn entities(db: &Db, portal_user: i64) -> Result<Vec<String>, sqlx::Error> {
    with_db!(db, c => sqlx::query_scalar(
        "SELECT c.display_name FROM portal_user_clients pa
         JOIN clients c ON c.id = pa.client_id AND c.archived_at IS NULL
         WHERE pa.portal_user_id = $1 ORDER BY c.display_name, c.id LIMIT 100",
    )
    .bind(portal_user)
    .fetch_all(c)
    .await)
}

#[derive(Clone, Debug, FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub name: String,
    pub sector: String,
    pub country: String,
    pub stage: String,
    pub total_size: i64,
    pub currency: String,
    pub description: Option<String>,
    pub risk_rating: String,
    pub expected_return_bps: Option<i64>,
    pub tenor_months: Option<i64>,
}

const PROJECT_COLUMNS: &str = "p.id, p.name, p.sector, p.country, p.stage, p.total_size,
    p.currency, p.description, p.risk_rating, p.expected_return_bps, p.tenor_months";

/// One page of the projects the user takes part in, by id after `after`.
pub async fn projects(
    db: &Db,
    portal_user: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<ProjectRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {PROJECT_COLUMNS} FROM projects p
         WHERE p.id IN (SELECT d.project_id {MY_DEALS}) AND p.id > $2
         ORDER BY p.id LIMIT $3"
    );
    with_db!(db, c => sqlx::query_as::<_, ProjectRow>(&sql)
        .bind(portal_user)
        .bind(after)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// Project `id`, if the user takes part in it; otherwise nothing, exactly as for an id
/// that does not exist.
pub async fn project(
    db: &Db,
    portal_user: i64,
    id: i64,
) -> Result<Option<ProjectRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {PROJECT_COLUMNS} FROM projects p
         WHERE p.id = $2 AND p.id IN (SELECT d.project_id {MY_DEALS})"
    );
    with_db!(db, c => sqlx::query_as::<_, ProjectRow>(&sql)
        .bind(portal_user)
        .bind(id)
        .fetch_optional(c)
        .await)
}

#[derive(Clone, Debug, FromRow)]
pub struct TrancheRow {
    pub name: String,
    pub instrument: String,
    pub size: i64,
    pub currency: String,
    pub pricing_bps: Option<i64>,
    pub tenor_months: Option<i64>,
}

/// The tranches of project `id`, if the user takes part in it.
pub async fn tranches(db: &Db, portal_user: i64, id: i64) -> Result<Vec<TrancheRow>, sqlx::Error> {
    let sql = format!(
        "SELECT name, instrument, size, currency, pricing_bps, tenor_months FROM tranches
         WHERE project_id = $2 AND project_id IN (SELECT d.project_id {MY_DEALS})
         ORDER BY id LIMIT 50"
    );
    with_db!(db, c => sqlx::query_as::<_, TrancheRow>(&sql)
        .bind(portal_user)
        .bind(id)
        .fetch_all(c)
        .await)
}

#[cfg(test)]
mod tests {
    use crate::pipeline::model::DealStage;
    use crate::portal::model::visible_to_investor;

    #[test]
    fn the_sql_shows_exactly_the_stages_the_rule_shows() {
        let listed: Vec<String> = DealStage::ALL
            .iter()
            .filter(|s| visible_to_investor(**s))
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert!(
            super::MY_DEALS.contains(&format!("d.stage IN ({})", listed.join(", "))),
            "{}",
            super::MY_DEALS
        );
    }
}
