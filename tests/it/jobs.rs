//! The job queue: one claim per job however many workers race, claims that expire, periodic
//! jobs scheduled once per period by any number of servers.
use crate::helpers::*;
use covenant::server::jobs;

crate::on_both_engines!(
    a_job_claimed_by_two_workers_runs_once,
    an_abandoned_claim_is_taken_again,
    periodic_jobs_are_scheduled_once_per_period,
    finished_jobs_are_purged_after_a_week,
);

async fn enqueue_one(app: &TestApp) {
    let now = app.clock_now();
    let mut tx = app.db.begin().await.expect("begin");
    jobs::enqueue(
        &mut tx,
        jobs::kind::SESSION_CLEANUP,
        &serde_json::json!({}),
        None,
        now,
        now,
    )
    .await
    .expect("enqueue");
    tx.commit().await.expect("commit");
}

async fn a_job_claimed_by_two_workers_runs_once(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    // A second app on the same database: its own pools, like a second server.
    let other = TestApp::spawn_on(&app.database_url, &[]).await;
    for _ in 0..20 {
        enqueue_one(&app).await;
    }
    let now = app.clock_now();
    let worker = |db: covenant::server::db::Db, name: &'static str| async move {
        let mut ids = Vec::new();
        while let Some(job) = jobs::claim(&db, name, now).await.expect("claim") {
            ids.push(job.id);
        }
        ids
    };
    let (a, b) = tokio::join!(worker(app.db.clone(), "a"), worker(other.db.clone(), "b"));
    let mut all: Vec<i64> = a.iter().chain(b.iter()).copied().collect();
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "no job was claimed twice");
    assert_eq!(all.len(), 20, "every job was claimed");
}

async fn an_abandoned_claim_is_taken_again(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    enqueue_one(&app).await;
    let now = app.clock_now();
    let first = jobs::claim(&app.db, "crashed", now)
        .await
        .expect("claim")
        .expect("a job");
    assert!(
        jobs::claim(&app.db, "other", now)
            .await
            .expect("claim")
            .is_none(),
        "claimed jobs are not handed out"
    );
    let later = now + chrono::Duration::seconds(jobs::CLAIM_SECONDS + 1);
    let again = jobs::claim(&app.db, "other", later)
        .await
        .expect("claim")
        .expect("the job again");
    assert_eq!(again.id, first.id);
    assert_eq!(again.attempts, 2);
    jobs::complete(&app.db, again.id, later)
        .await
        .expect("complete");
    let much_later = later + chrono::Duration::hours(1);
    assert!(
        jobs::claim(&app.db, "other", much_later)
            .await
            .expect("claim")
            .is_none(),
        "done jobs never run again"
    );
}

async fn periodic_jobs_are_scheduled_once_per_period(engine: Engine) {
    use chrono::TimeZone;
    let (app, _db) = TestApp::spawn(&engine).await;
    let other = TestApp::spawn_on(&app.database_url, &[]).await;
    let pending = || async { jobs::pending_count(&app.db).await.expect("count") };
    let t0 = chrono::Utc
        .with_ymd_and_hms(2026, 11, 29, 10, 0, 0)
        .single()
        .expect("time");
    // Two servers schedule the same hour: one session clean-up, one upload clean-up, one
    // purge of old jobs, one survey reminder run and one complaint escalation run, and the
    // daily statistics refresh, decline-signal refresh and recurring-survey run once each.
    jobs::schedule_periodic(&app.db, t0)
        .await
        .expect("schedule");
    jobs::schedule_periodic(&other.db, t0)
        .await
        .expect("schedule");
    assert_eq!(pending().await, 8);
    // The next hour adds the four hourly ones and an escalation run; the next day all eight.
    jobs::schedule_periodic(&app.db, t0 + chrono::Duration::hours(1))
        .await
        .expect("schedule");
    assert_eq!(pending().await, 13);
    jobs::schedule_periodic(&other.db, t0 + chrono::Duration::days(1))
        .await
        .expect("schedule");
    assert_eq!(pending().await, 21);
}

async fn finished_jobs_are_purged_after_a_week(engine: Engine) {
    use covenant::server::sqlx;
    use covenant::with_db;
    let (app, _db) = TestApp::spawn(&engine).await;
    let count = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            with_db!(&db, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).expect(sql)
        }
    };
    enqueue_one(&app).await;
    jobs::run_due(&app.state, "test").await.expect("run");
    assert_eq!(
        count("SELECT COUNT(*) FROM jobs WHERE done_at IS NOT NULL").await,
        1
    );

    // Six days on it is still there to look at; eight days on the hourly purge removes it
    // (and keeps what it ran itself today).
    app.clock.advance(chrono::Duration::days(6));
    jobs::schedule_periodic(&app.db, app.clock_now())
        .await
        .expect("schedule");
    jobs::run_due(&app.state, "test").await.expect("run");
    assert_eq!(
        count("SELECT COUNT(*) FROM jobs WHERE kind = 'session_cleanup' AND unique_key IS NULL")
            .await,
        1
    );
    app.clock.advance(chrono::Duration::days(2));
    jobs::schedule_periodic(&app.db, app.clock_now())
        .await
        .expect("schedule");
    jobs::run_due(&app.state, "test").await.expect("run");
    assert_eq!(
        count("SELECT COUNT(*) FROM jobs WHERE kind = 'session_cleanup' AND unique_key IS NULL")
            .await,
        0,
        "finished more than a week ago"
    );
    assert!(
        count("SELECT COUNT(*) FROM jobs").await > 0,
        "today's runs stay"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM jobs WHERE done_at IS NULL").await,
        0
    );
}
