//! The portal's queries. Every one is scoped in SQL by the portal user asking (`$1`): it
//! starts from that user's links in `portal_user_clients`, so no id typed into a URL or a
//! request reaches another investor's rows. Bind parameters only; both engines.
use crate::server::db::{Db, Tx};
use crate::{with_db, with_tx};
use sqlx::FromRow;

macro_rules! investor_stages {
    () => {
        "('interested', 'due_diligence', 'term_sheet', 'committed', 'closed')"
    };
}

/// The deals the portal user `$1` may see: of the live clients they act for, at a stage an
/// investor sees (`portal::model::visible_to_investor`; the test below keeps the two equal).
pub const MY_DEALS: &str = concat!(
    "FROM deals d
    JOIN portal_user_clients pa ON pa.client_id = d.client_id AND pa.portal_user_id = $1
    JOIN clients c ON c.id = d.client_id AND c.archived_at IS NULL
    JOIN projects p ON p.id = d.project_id AND p.archived_at IS NULL
    LEFT JOIN tranches t ON t.id = d.tranche_id
    WHERE d.archived_at IS NULL
      AND d.stage IN ",
    investor_stages!()
);

/// The deal stages an investor sees, as an SQL list (see `MY_DEALS`).
pub const INVESTOR_STAGES: &str = investor_stages!();

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

/// The projects the user `$1` takes part in, as a subquery.
const MY_PROJECTS: &str = "SELECT d.project_id ";

#[derive(Clone, Debug, FromRow)]
pub struct FeedRow {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub series_id: i64,
    pub series_version: i64,
    pub kind: String,
    pub title: String,
    pub requires_ack: bool,
    pub published_at: chrono::DateTime<chrono::Utc>,
    pub read: bool,
    pub acknowledged: bool,
}

/// Published updates of the user's projects, newest version of each series only; `extra`
/// narrows them (binds from `$2` on) and ends with the order and limit.
fn feed_sql(extra: &str) -> String {
    format!(
        "SELECT u.id, u.project_id, p.name AS project_name, u.series_id, u.series_version,
                u.kind, u.title, u.requires_ack, u.published_at,
                EXISTS (SELECT 1 FROM update_reads r
                        WHERE r.portal_user_id = $1 AND r.update_id = u.id) AS read,
                EXISTS (SELECT 1 FROM acknowledgements a
                        WHERE a.portal_user_id = $1 AND a.update_id = u.id) AS acknowledged
         FROM updates u JOIN projects p ON p.id = u.project_id
         WHERE u.status = 'published'
           AND u.project_id IN ({MY_PROJECTS}{MY_DEALS})
           AND NOT EXISTS (SELECT 1 FROM updates n
                           WHERE n.series_id = u.series_id AND n.status = 'published'
                             AND n.series_version > u.series_version)
           {extra}"
    )
}

/// One project's feed, newest first, before the update `before` (keyset on publication
/// time and id).
pub async fn project_feed(
    db: &Db,
    portal_user: i64,
    project: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<FeedRow>, sqlx::Error> {
    let cursor = if before.is_some() {
        "AND (u.published_at, u.id) < (SELECT b.published_at, b.id FROM updates b WHERE b.id = $3)"
    } else {
        "AND $3 = 0"
    };
    let sql = feed_sql(&format!(
        "AND u.project_id = $2 {cursor} ORDER BY u.published_at DESC, u.id DESC LIMIT $4"
    ));
    with_db!(db, c => sqlx::query_as::<_, FeedRow>(&sql)
        .bind(portal_user)
        .bind(project)
        .bind(before.unwrap_or(0))
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// The newest updates of all the user's projects.
pub async fn latest_updates(
    db: &Db,
    portal_user: i64,
    limit: i64,
) -> Result<Vec<FeedRow>, sqlx::Error> {
    let sql = feed_sql("ORDER BY u.published_at DESC, u.id DESC LIMIT $2");
    with_db!(db, c => sqlx::query_as::<_, FeedRow>(&sql)
        .bind(portal_user)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// Disclosures (newest versions) the user has not acknowledged yet, oldest first.
pub async fn awaiting_acknowledgement(
    db: &Db,
    portal_user: i64,
    limit: i64,
) -> Result<Vec<FeedRow>, sqlx::Error> {
    let sql = feed_sql(
        "AND u.requires_ack = TRUE
         AND NOT EXISTS (SELECT 1 FROM acknowledgements a
                         WHERE a.portal_user_id = $1 AND a.update_id = u.id)
         ORDER BY u.published_at, u.id LIMIT $2",
    );
    with_db!(db, c => sqlx::query_as::<_, FeedRow>(&sql)
        .bind(portal_user)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// How many newest versions of the user's updates they have not opened.
pub async fn unread_count(db: &Db, portal_user: i64) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*) FROM ({}) f WHERE f.read = FALSE",
        feed_sql("")
    );
    with_db!(db, c => sqlx::query_scalar(&sql).bind(portal_user).fetch_one(c).await)
}

#[derive(Clone, Debug, FromRow)]
pub struct UpdateRow {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub series_id: i64,
    pub series_version: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub requires_ack: bool,
    pub content_hash: Option<String>,
    pub published_at: chrono::DateTime<chrono::Utc>,
}

/// One published version (any, older ones too) of a project the user takes part in.
pub async fn update(db: &Db, portal_user: i64, id: i64) -> Result<Option<UpdateRow>, sqlx::Error> {
    let sql = format!(
        "SELECT u.id, u.project_id, p.name AS project_name, u.series_id, u.series_version,
                u.kind, u.title, u.body, u.requires_ack, u.content_hash, u.published_at
         FROM updates u JOIN projects p ON p.id = u.project_id
         WHERE u.id = $2 AND u.status = 'published'
           AND u.project_id IN ({MY_PROJECTS}{MY_DEALS})"
    );
    with_db!(db, c => sqlx::query_as::<_, UpdateRow>(&sql)
        .bind(portal_user)
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// The published versions of a series, newest first (the caller checked the scope).
pub async fn published_versions(
    db: &Db,
    series_id: i64,
) -> Result<Vec<(i64, i64, chrono::DateTime<chrono::Utc>)>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, (i64, i64, chrono::DateTime<chrono::Utc>)>(
        "SELECT id, series_version, published_at FROM updates
         WHERE series_id = $1 AND status = 'published' ORDER BY series_version DESC LIMIT 100",
    )
    .bind(series_id)
    .fetch_all(c)
    .await)
}

/// When the user acknowledged version `id`, if they did.
pub async fn acknowledged_at(
    db: &Db,
    portal_user: i64,
    id: i64,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, sqlx::Error> {
    with_db!(db, c => sqlx::query_scalar(
        "SELECT acknowledged_at FROM acknowledgements WHERE portal_user_id = $1 AND update_id = $2",
    )
    .bind(portal_user)
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// Records the first time the user opened version `id` (if it is theirs to see).
pub async fn record_read(
    tx: &mut Tx,
    portal_user: i64,
    id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO update_reads (update_id, portal_user_id, first_read_at)
         SELECT u.id, $1, $3 FROM updates u
         WHERE u.id = $2 AND u.status = 'published'
           AND u.project_id IN ({MY_PROJECTS}{MY_DEALS})
         ON CONFLICT (portal_user_id, update_id) DO NOTHING"
    );
    with_tx!(tx, c => sqlx::query(&sql)
        .bind(portal_user)
        .bind(id)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ()))
}

/// What an acknowledgement records besides the version: where it came from.
pub struct AckOrigin<'a> {
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// "Read and understood" of version `id` by the user, with the version and content hash it
/// names; true if this call recorded it, false if it was recorded before or is not theirs
/// to acknowledge.
pub async fn acknowledge(
    tx: &mut Tx,
    portal_user: i64,
    id: i64,
    origin: &AckOrigin<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "INSERT INTO acknowledgements (update_id, portal_user_id, series_version, content_hash,
                                       acknowledged_at, ip, user_agent)
         SELECT u.id, $1, u.series_version, u.content_hash, $3, $4, $5 FROM updates u
         WHERE u.id = $2 AND u.status = 'published' AND u.requires_ack = TRUE
           AND u.content_hash IS NOT NULL
           AND u.project_id IN ({MY_PROJECTS}{MY_DEALS})
         ON CONFLICT (update_id, portal_user_id) DO NOTHING"
    );
    let inserted = with_tx!(tx, c => sqlx::query(&sql)
        .bind(portal_user)
        .bind(id)
        .bind(now)
        .bind(origin.ip)
        .bind(origin.user_agent)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(inserted == 1)
}

#[derive(Clone, Debug, FromRow)]
pub struct TrackRecordRow {
    pub id: i64,
    pub name: String,
    pub sector: String,
    pub country: String,
    pub total_size: i64,
    pub currency: String,
    pub tenor_months: Option<i64>,
    pub expected_return_bps: Option<i64>,
    pub description: Option<String>,
    /// Committed capital of committed and closed deals in the project's currency.
    pub raised: i64,
    pub investors: i64,
}

/// Completed showcase projects by id after `after`: the same for every investor, so not
/// scoped by user (it shows no investor's own data, only totals).
pub async fn track_record(
    db: &Db,
    after: i64,
    limit: i64,
) -> Result<Vec<TrackRecordRow>, sqlx::Error> {
    with_db!(db, c => sqlx::query_as::<_, TrackRecordRow>(
        "SELECT p.id, p.name, p.sector, p.country, p.total_size, p.currency, p.tenor_months,
                p.expected_return_bps, p.description,
                CAST(COALESCE((SELECT SUM(d.committed_amount) FROM deals d
                               WHERE d.project_id = p.id AND d.archived_at IS NULL
                                 AND d.stage IN ('committed', 'closed')
                                 AND d.currency = p.currency), 0) AS BIGINT) AS raised,
                (SELECT COUNT(DISTINCT d.client_id) FROM deals d
                 WHERE d.project_id = p.id AND d.archived_at IS NULL
                   AND d.stage IN ('committed', 'closed')) AS investors
         FROM projects p
         WHERE p.showcase = TRUE AND p.stage = 'completed' AND p.archived_at IS NULL
           AND p.id > $1
         ORDER BY p.id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
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
