//! Background jobs in the database, so every app server can run a worker and each job still
//! runs once per claim. Jobs run at least once (a worker may die after the effect and before
//! `complete`), so each handler's effect must be idempotent by a key of its own.
use super::db::{Db, Tx};
use super::state::AppState;
use crate::{with_db, with_tx};
use chrono::{DateTime, Duration, Timelike, Utc};
use sqlx::FromRow;

/// How long a claim lasts; a job whose worker died is claimed again after this.
pub const CLAIM_SECONDS: i64 = 300;

/// Kinds of job this server knows.
pub mod kind {
    /// Deletes expired sign-in sessions (hourly).
    pub const SESSION_CLEANUP: &str = "session_cleanup";
    /// Refreshes the query planner's statistics (daily).
    pub const DB_OPTIMIZE: &str = "db_optimize";
    /// Refreshes every client's decline signal (daily).
    pub const DECLINE_SIGNALS: &str = "decline_signals";
    /// Removes document uploads a stopped server left unfinished (hourly).
    pub const UPLOAD_CLEANUP: &str = "upload_cleanup";
    /// Queues the e-mails announcing a published update (payload `{"update": id}`).
    pub const UPDATE_NOTIFY: &str = "update_notify";
    /// Sends one outbox message (payload `{"outbox": id}`), unless it went out already.
    pub const MAIL_SEND: &str = "mail_send";
    /// Gives due times to complaints that lack them and escalates missed targets (every
    /// five minutes).
    pub const COMPLAINT_ESCALATION: &str = "complaint_escalation";
    /// Deletes jobs finished more than `KEEP_DONE_DAYS` ago (hourly): periodic jobs would
    /// otherwise pile up, some three hundred a day.
    pub const JOB_PURGE: &str = "job_purge";
    /// Reminds contacts who have not answered a survey (hourly).
    pub const SURVEY_REMINDERS: &str = "survey_reminders";
    /// Starts the next wave of recurring surveys that are due (daily).
    pub const SURVEY_WAVES: &str = "survey_waves";
}

/// How long a finished job stays, to look into what ran.
pub const KEEP_DONE_DAYS: i64 = 7;

/// Deletes the jobs finished before `before`; returns how many.
pub async fn purge_done(db: &Db, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    with_db!(db, c => sqlx::query("DELETE FROM jobs WHERE done_at IS NOT NULL AND done_at < $1")
        .bind(before)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
}

#[derive(Clone, Debug, FromRow)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

/// Queues a job. With a `unique_key`, a second insert of the same key is ignored, which is how
/// N servers schedule a periodic job once per period.
pub async fn enqueue(
    tx: &mut Tx,
    kind: &str,
    payload: &serde_json::Value,
    unique_key: Option<&str>,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO jobs (kind, payload, unique_key, run_at, attempts, max_attempts, created_at)
         VALUES ($1, $2, $3, $4, 0, 5, $5)
         ON CONFLICT (unique_key) DO NOTHING",
    )
    .bind(kind)
    .bind(payload.to_string())
    .bind(unique_key)
    .bind(run_at)
    .bind(now)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Claims the oldest due job for `worker`, or `None`. Two workers never get the same job
/// while a claim lasts: on SQLite writes are serialised; on PostgreSQL the row lock plus the
/// re-checked condition (and SKIP LOCKED) make the loser see no row.
pub async fn claim(
    db: &Db,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<Option<ClaimedJob>, sqlx::Error> {
    let until = now + Duration::seconds(CLAIM_SECONDS);
    let skip_locked = match db {
        Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        Db::Sqlite { .. } => "",
    };
    let sql = format!(
        "UPDATE jobs SET locked_until = $1, locked_by = $2, attempts = attempts + 1
         WHERE id = (SELECT id FROM jobs
                     WHERE done_at IS NULL AND run_at <= $3 AND attempts < max_attempts
                       AND (locked_until IS NULL OR locked_until < $3)
                     ORDER BY run_at, id LIMIT 1{skip_locked})
           AND (locked_until IS NULL OR locked_until < $3)
         RETURNING id, kind, payload, attempts"
    );
    let mut tx = db.begin().await?;
    let job = with_tx!(&mut tx, c => sqlx::query_as::<_, ClaimedJob>(&sql)
        .bind(until)
        .bind(worker)
        .bind(now)
        .fetch_optional(c)
        .await)?;
    tx.commit().await?;
    Ok(job)
}

pub async fn complete(db: &Db, id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => sqlx::query("UPDATE jobs SET done_at = $1, locked_until = NULL WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(c)
        .await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// Records a failure and retries later, backing off with each attempt.
pub async fn fail(
    db: &Db,
    job: &ClaimedJob,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let retry_at = now + Duration::seconds(30 * job.attempts.max(1) * job.attempts.max(1));
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, c => sqlx::query(
        "UPDATE jobs SET last_error = $1, run_at = $2, locked_until = NULL WHERE id = $3",
    )
    .bind(error)
    .bind(retry_at)
    .bind(job.id)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// Jobs not yet done, for operators and tests.
pub async fn pending_count(db: &Db) -> Result<i64, sqlx::Error> {
    with_db!(db, c => sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE done_at IS NULL")
        .fetch_one(c)
        .await)
}

/// Inserts this hour's periodic jobs; unique keys make it safe for every server to do so.
pub async fn schedule_periodic(db: &Db, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let hour = now.format("%Y-%m-%dT%H").to_string();
    let day = now.format("%Y-%m-%d").to_string();
    // Five-minute periods: a missed target is escalated within minutes.
    let five_minutes = format!("{}{}", now.format("%Y-%m-%dT%H:"), now.minute() / 5);
    let periodic = [
        (kind::COMPLAINT_ESCALATION, five_minutes),
        (kind::SESSION_CLEANUP, hour.clone()),
        (kind::UPLOAD_CLEANUP, hour.clone()),
        (kind::JOB_PURGE, hour.clone()),
        (kind::SURVEY_REMINDERS, hour),
        (kind::SURVEY_WAVES, day.clone()),
        (kind::DB_OPTIMIZE, day.clone()),
        (kind::DECLINE_SIGNALS, day),
    ];
    let mut tx = db.begin().await?;
    for (job_kind, period) in periodic {
        let key = format!("{job_kind}:{period}");
        enqueue(
            &mut tx,
            job_kind,
            &serde_json::json!({}),
            Some(&key),
            now,
            now,
        )
        .await?;
    }
    tx.commit().await
}

/// Runs one claimed job's effect.
async fn run(state: &AppState, job: &ClaimedJob) -> Result<(), String> {
    match job.kind.as_str() {
        kind::SESSION_CLEANUP => super::session::delete_expired(&state.db)
            .await
            .map_err(|e| e.to_string()),
        kind::DB_OPTIMIZE => state.db.optimize(false).await.map_err(|e| e.to_string()),
        kind::DECLINE_SIGNALS => {
            crate::pipeline::lifecycle::warning::refresh(&state.db, state.clock.now(), None)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        kind::UPLOAD_CLEANUP => crate::projects::documents::service::discard_stale_uploads(state)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        kind::UPDATE_NOTIFY => crate::projects::updates::notify::run(state, &job.payload).await,
        kind::MAIL_SEND => super::mail::send_queued(state, &job.payload).await,
        kind::JOB_PURGE => purge_done(
            &state.db,
            state.clock.now() - Duration::days(KEEP_DONE_DAYS),
        )
        .await
        .map(|_| ())
        .map_err(|e| e.to_string()),
        kind::COMPLAINT_ESCALATION => crate::feedback::complaints::escalation::run(state)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        kind::SURVEY_REMINDERS => crate::surveys::sending::send_reminders(state)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        kind::SURVEY_WAVES => crate::surveys::sending::start_due_waves(state)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        other => Err(format!("unknown job kind {other}")),
    }
}

/// Claims and runs due jobs until none is left; returns how many ran.
pub async fn run_due(state: &AppState, worker: &str) -> Result<usize, sqlx::Error> {
    let mut ran = 0;
    while let Some(job) = claim(&state.db, worker, state.clock.now()).await? {
        match run(state, &job).await {
            Ok(()) => complete(&state.db, job.id, state.clock.now()).await?,
            Err(error) => {
                tracing::warn!(job = job.id, kind = %job.kind, %error, "job failed");
                fail(&state.db, &job, &error, state.clock.now()).await?;
            }
        }
        ran += 1;
    }
    Ok(ran)
}

/// The worker loop of one server: schedule periodic jobs, run due ones, sleep, until shutdown.
pub async fn worker_loop(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let worker = format!(
        "{}-{}",
        std::process::id(),
        super::idempotency::new_key().get(..8).unwrap_or("w")
    );
    loop {
        if let Err(e) = schedule_periodic(&state.db, state.clock.now()).await {
            tracing::warn!(error = %e, "could not schedule periodic jobs");
        }
        if let Err(e) = run_due(&state, &worker).await {
            tracing::warn!(error = %e, "job worker could not reach the database");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            _ = shutdown.changed() => break,
        }
    }
}
