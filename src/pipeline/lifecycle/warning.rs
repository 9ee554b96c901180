//! Refreshing the decline early warning: facts per client from interactions, deals and
//! their moves; the pure rules of `pipeline::signals` decide; only changed signals are
//! written. Runs daily as a job and for one client after the writes that change its facts.
use crate::pipeline::signals::{Reason, SignalFacts, assess};
use crate::server::db::Db;
use crate::{with_db, with_tx};
use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;
use std::collections::HashMap;

#[derive(Debug, FromRow)]
struct FactRow {
    id: i64,
    created_at: DateTime<Utc>,
    last_interaction_at: Option<DateTime<Utc>>,
    risk_severity: i64,
    risk_reasons: Option<String>,
    recent: i64,
}

/// `keyword` (AND or WHERE) and the condition that `column` is one of the clients in the
/// JSON array bound as `$n`; nothing when every client is refreshed.
fn only_clause(db: &Db, only: Option<&str>, keyword: &str, column: &str, n: usize) -> String {
    match only {
        Some(_) => format!("{keyword} {}", db.id_in_json(column, n)),
        None => String::new(),
    }
}

/// Recomputes the signal of every client (or of the clients `only`); returns how many
/// changed.
pub async fn refresh(
    db: &Db,
    now: DateTime<Utc>,
    only: Option<&[i64]>,
) -> Result<usize, sqlx::Error> {
    let year_ago = now - Duration::days(365);
    let half_year_ago = now - Duration::days(180);
    // The clients, as one JSON array bound as text: one statement text for any number.
    let only = only.map(Db::json_ids);
    let only_sql = only_clause(db, only.as_deref(), "AND", "c.id", 2);
    let sql = format!(
        "SELECT c.id, c.created_at, c.last_interaction_at, c.risk_severity, c.risk_reasons,
            (SELECT COUNT(*) FROM interactions i WHERE i.client_id = c.id AND i.occurred_at >= $1) AS recent
         FROM clients c WHERE c.archived_at IS NULL {only_sql}"
    );
    let rows = async {
        with_db!(db, c => {
            let mut q = sqlx::query_as::<_, FactRow>(&sql).bind(year_ago);
            if let Some(ids) = &only {
                q = q.bind(ids);
            }
            q.fetch_all(c).await
        })
    };
    let lost_sql = format!(
        "SELECT d.client_id, d.currency, CAST(SUM(d.committed_amount) AS BIGINT) FROM deals d
         WHERE d.committed_amount IS NOT NULL AND d.archived_at IS NULL
           AND d.stage NOT IN ('committed', 'closed')
           AND EXISTS (SELECT 1 FROM deal_moves m WHERE m.deal_id = d.id
                       AND m.from_stage IN ('committed', 'closed') AND m.moved_at >= $1)
           {}
         GROUP BY d.client_id, d.currency",
        only_clause(db, only.as_deref(), "AND", "d.client_id", 2)
    );
    let lost = async {
        with_db!(db, c => {
            let mut q = sqlx::query_as::<_, (i64, String, i64)>(&lost_sql).bind(half_year_ago);
            if let Some(ids) = &only {
                q = q.bind(ids);
            }
            q.fetch_all(c).await
        })
    };
    let now_sql = format!(
        "SELECT client_id, currency, amount FROM client_commitments {}",
        only_clause(db, only.as_deref(), "WHERE", "client_id", 1)
    );
    let held = async {
        with_db!(db, c => {
            let mut q = sqlx::query_as::<_, (i64, String, i64)>(&now_sql);
            if let Some(ids) = &only {
                q = q.bind(ids);
            }
            q.fetch_all(c).await
        })
    };
    // Open complaints past a target they still have to meet (DESIGN §5 due times).
    let overdue_sql = format!(
        "SELECT q.client_id, COUNT(*) FROM complaints q
         WHERE q.client_id IS NOT NULL AND q.status NOT IN ('resolved', 'closed')
           AND ((q.first_response_at IS NULL AND q.first_response_due_at < $1)
                OR q.resolution_due_at < $1) {}
         GROUP BY q.client_id",
        only_clause(db, only.as_deref(), "AND", "q.client_id", 2)
    );
    let overdue = async {
        with_db!(db, c => {
            let mut q = sqlx::query_as::<_, (i64, i64)>(&overdue_sql).bind(now);
            if let Some(ids) = &only {
                q = q.bind(ids);
            }
            q.fetch_all(c).await
        })
    };
    // The five reads are independent: side by side, on connections of their own, a refresh
    // after a survey answer waits for one round trip instead of five.
    let (rows, lost, held, overdue, scores) = tokio::try_join!(
        rows,
        lost,
        held,
        overdue,
        latest_nps_scores(db, only.as_deref())
    )?;
    let overdue: HashMap<i64, i64> = overdue.into_iter().collect();
    let held: HashMap<(i64, String), i64> =
        held.into_iter().map(|(id, c, a)| ((id, c), a)).collect();
    // Per client, the currency in which the largest share was lost.
    let mut worst: HashMap<i64, (i64, i64)> = HashMap::new();
    for (id, currency, amount) in lost {
        let kept = held.get(&(id, currency)).copied().unwrap_or(0);
        let share = amount as i128 * 1000 / (amount + kept).max(1) as i128;
        let better = worst
            .get(&id)
            .is_none_or(|(l, k)| share > *l as i128 * 1000 / (*l + *k).max(1) as i128);
        if better {
            worst.insert(id, (amount, kept));
        }
    }
    let mut changes = Vec::new();
    for row in rows {
        let days_known = (now - row.created_at).num_days();
        let (lost, kept) = worst.get(&row.id).copied().unwrap_or((0, 0));
        let facts = SignalFacts {
            days_quiet: row.last_interaction_at.map(|at| (now - at).num_days()),
            // The usual gap: the last year (or the time known, if shorter) over its count.
            usual_gap_days: (row.recent >= 2).then(|| days_known.clamp(1, 365) / row.recent),
            commitment_lost: lost,
            commitment_now: kept,
            days_known,
            overdue_complaints: overdue.get(&row.id).copied().unwrap_or(0),
            latest_nps: scores.get(&row.id).map(|s| s.0),
            previous_nps: scores.get(&row.id).and_then(|s| s.1),
        };
        let (severity, reasons) = assess(&facts);
        let json =
            (!reasons.is_empty()).then(|| serde_json::to_string(&reasons).unwrap_or_default());
        if severity != row.risk_severity || json != row.risk_reasons {
            changes.push((row.id, severity, json));
        }
    }
    let changed = changes.len();
    for chunk in changes.chunks(1000) {
        write_signals(db, now, chunk).await?;
    }
    Ok(changed)
}

/// Stores the changed signals (client, severity, reasons) in one statement: the changes go
/// in as one JSON array, which each engine expands in its own words. After a batch of
/// survey answers this is one hand-off to SQLite's one writer instead of one per client.
async fn write_signals(
    db: &Db,
    now: DateTime<Utc>,
    changes: &[(i64, i64, Option<String>)],
) -> Result<(), sqlx::Error> {
    let rows: Vec<serde_json::Value> = changes
        .iter()
        .map(|(id, severity, reasons)| {
            serde_json::json!({ "id": id, "severity": severity, "reasons": reasons })
        })
        .collect();
    let rows = serde_json::Value::Array(rows).to_string();
    let sql = match db {
        Db::Sqlite { .. } => {
            "UPDATE clients SET risk_severity = s.value ->> 'severity',
                    risk_reasons = s.value ->> 'reasons', risk_refreshed_at = $1
             FROM json_each($2) AS s WHERE clients.id = s.value ->> 'id'"
        }
        Db::Postgres(_) => {
            "UPDATE clients SET risk_severity = s.severity, risk_reasons = s.reasons,
                    risk_refreshed_at = $1
             FROM json_to_recordset(CAST($2 AS JSON)) AS s(id BIGINT, severity BIGINT, reasons TEXT)
             WHERE clients.id = s.id"
        }
    };
    let mut tx = db.begin().await?;
    if let crate::server::db::Tx::Postgres(t) = &mut tx {
        // Signals are derived and recomputed daily, so this commit need not wait for its
        // log flush: a PostgreSQL survey answer commits twice (its response, then this),
        // and waiting on flushes (WALSync on COMMIT) was most of what its connections
        // were seen doing in pg_stat_activity.
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut **t)
            .await?;
    }
    with_tx!(&mut tx, c => sqlx::query(sql).bind(now).bind(rows).execute(c).await.map(|_| ()))?;
    tx.commit().await
}

/// The stored reasons of a client's signal.
pub fn reasons_of(json: Option<&str>) -> Vec<Reason> {
    json.and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// One page of the clients at risk, most severe first (`after`: `severity~id`).
pub async fn at_risk(
    db: &Db,
    owner: Option<i64>,
    after: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<(i64, String, i64, Option<String>, String)>, sqlx::Error> {
    let (sev, id) = after.unwrap_or((i64::MAX, i64::MAX));
    with_db!(db, c => sqlx::query_as(
        "SELECT c.id, c.display_name, c.risk_severity, c.risk_reasons, u.name
         FROM clients c JOIN users u ON u.id = c.owner_id
         WHERE c.risk_severity > 0 AND c.archived_at IS NULL
           AND ($1 = 0 OR c.owner_id = $1)
           AND (c.risk_severity < $2 OR (c.risk_severity = $2 AND c.id < $3))
         ORDER BY c.risk_severity DESC, c.id DESC LIMIT $4",
    )
    .bind(owner.unwrap_or(0))
    .bind(sev)
    .bind(id)
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// Refreshes one client's signal after a write that changed its facts. The write has
/// committed already; a failure here is logged and the daily job catches up.
pub async fn refresh_quietly(db: &Db, now: DateTime<Utc>, client_id: i64) {
    refresh_many_quietly(db, now, &[client_id]).await;
}

/// Refreshes the signals of `clients` at once (a batch of survey answers), quietly like
/// `refresh_quietly`.
pub async fn refresh_many_quietly(db: &Db, now: DateTime<Utc>, clients: &[i64]) {
    if clients.is_empty() {
        return;
    }
    if let Err(error) = refresh(db, now, Some(clients)).await {
        tracing::warn!(?clients, %error, "could not refresh the decline signal");
    }
}

/// The signal of one client as its page shows it.
pub async fn risk_of(
    db: &Db,
    client_id: i64,
    lang: crate::core::i18n::Lang,
) -> Result<Option<crate::pipeline::signals::RiskView>, sqlx::Error> {
    let row: Option<(i64, String, i64, Option<String>, String)> = with_db!(db, c => sqlx::query_as(
        "SELECT c.id, c.display_name, c.risk_severity, c.risk_reasons, u.name
         FROM clients c JOIN users u ON u.id = c.owner_id WHERE c.id = $1 AND c.risk_severity > 0",
    )
    .bind(client_id)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| view_of(r, lang)))
}

pub fn view_of(
    (client_id, client_name, severity, reasons, owner_name): (
        i64,
        String,
        i64,
        Option<String>,
        String,
    ),
    lang: crate::core::i18n::Lang,
) -> crate::pipeline::signals::RiskView {
    crate::pipeline::signals::RiskView {
        client_id,
        client_name,
        owner_name,
        severity,
        reasons: reasons_of(reasons.as_deref())
            .iter()
            .map(|r| crate::pipeline::signals::explain(r, lang))
            .collect(),
    }
}

/// Per client, the NPS answer of its latest survey response and of the one before (the
/// lowest, if a response answered several NPS questions).
async fn latest_nps_scores(
    db: &Db,
    only: Option<&str>,
) -> Result<HashMap<i64, (i64, Option<i64>)>, sqlx::Error> {
    let sql = latest_nps_sql(db, only.is_some());
    let rows: Vec<(i64, i64)> = with_db!(db, c => {
        let mut q = sqlx::query_as::<_, (i64, i64)>(&sql);
        if let Some(ids) = only {
            q = q.bind(ids);
        }
        q.fetch_all(c).await
    })?;
    Ok(first_two(rows))
}

/// The scores of each client's two latest responses with an NPS answer, latest first.
///
/// Each client's responses are walked from the newest (the `survey_responses_client`
/// index) and the walk stops at the second with an NPS answer. Reading every response and
/// ranking them grew with every wave a client answered: 25 ms for a batch of 256 clients
/// on the large data set after seven waves, against 5 ms this way.
fn latest_nps_sql(db: &Db, only: bool) -> String {
    let clients = match only {
        true => db.ids_in_json(1),
        false => "SELECT id FROM clients".to_string(),
    };
    // A response's NPS score: the lowest, if it answered several NPS questions; NULL when
    // it answered none.
    const NPS_SCORE: &str = "(SELECT MIN(xa.score) FROM survey_answers xa
                 JOIN survey_questions xq ON xq.id = xa.question_id
                 WHERE xa.response_id = x.id AND xq.kind = 'nps' AND xa.score IS NOT NULL)";
    const HAS_NPS: &str = "EXISTS (SELECT 1 FROM survey_answers xa
                 JOIN survey_questions xq ON xq.id = xa.question_id
                 WHERE xa.response_id = x.id AND xq.kind = 'nps' AND xa.score IS NOT NULL)";
    const LATEST_TWO: &str = "ORDER BY x.submitted_at DESC, x.id DESC LIMIT 2";
    match db {
        // SQLite has no LATERAL; its correlated IN list is evaluated once per client, and
        // CROSS JOIN keeps the clients as the outer loop.
        Db::Sqlite { .. } => format!(
            "SELECT r.client_id, MIN(a.score)
             FROM ({clients}) AS w CROSS JOIN survey_responses r
             JOIN survey_answers a ON a.response_id = r.id
             JOIN survey_questions q ON q.id = a.question_id
             WHERE q.kind = 'nps' AND a.score IS NOT NULL
               AND r.id IN (SELECT x.id FROM survey_responses x
                            WHERE x.client_id = w.id AND {HAS_NPS} {LATEST_TWO})
             GROUP BY r.client_id, r.submitted_at, r.id
             ORDER BY r.client_id, r.submitted_at DESC, r.id DESC"
        ),
        // The score is read inside the lateral subquery, for its two responses only: joined
        // outside it, PostgreSQL chose to hash every NPS answer whenever its statistics
        // were older than the answers (80 ms for six clients).
        Db::Postgres(_) => format!(
            "SELECT w.id, top.score
             FROM ({clients}) AS w
             CROSS JOIN LATERAL (SELECT x.id, x.submitted_at, {NPS_SCORE} AS score
                                 FROM survey_responses x
                                 WHERE x.client_id = w.id AND {HAS_NPS} {LATEST_TWO}) AS top
             ORDER BY w.id, top.submitted_at DESC, top.id DESC"
        ),
    }
}

/// Each client's first score and the one after it, from rows (client, score) ordered by
/// client, latest first.
fn first_two(rows: Vec<(i64, i64)>) -> HashMap<i64, (i64, Option<i64>)> {
    let mut scores: HashMap<i64, (i64, Option<i64>)> = HashMap::new();
    for (client, score) in rows {
        match scores.get_mut(&client) {
            None => {
                scores.insert(client, (score, None));
            }
            Some(entry) if entry.1.is_none() => entry.1 = Some(score),
            Some(_) => {}
        }
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::first_two;

    #[test]
    fn the_latest_score_comes_first_and_the_one_before_second() {
        let scores = first_two(vec![(7, 9), (7, 4), (7, 1), (8, 10)]);
        assert_eq!(scores.get(&7), Some(&(9, Some(4))));
        assert_eq!(scores.get(&8), Some(&(10, None)));
        assert_eq!(scores.len(), 2);
    }
}
