//! `/healthz` for load balancers, and what happens when the database goes away.
use crate::helpers::*;
use covenant::server::sqlx;

crate::on_both_engines!(healthz_names_the_engine);

async fn healthz_names_the_engine(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let r = reqwest::get(app.url("/healthz"))
        .await
        .expect("GET /healthz");
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.expect("json");
    let expected = if matches!(engine, Engine::Sqlite) {
        "sqlite"
    } else {
        "postgres"
    };
    assert_eq!(body, serde_json::json!({ "status": "ok", "db": expected }));
}

/// PostgreSQL is a separate server that can go away under a running app; SQLite is a file
/// inside the app's own process, so this failure mode exists only for PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_is_503_while_postgres_is_away_and_200_when_it_returns() {
    let Some(engine) = postgres() else { return };
    let Engine::Postgres(server) = &engine else {
        return;
    };
    let (app, db) = TestApp::spawn(&engine).await;
    let name = db.pg_name().expect("a postgres database");
    let admin = sqlx::PgPool::connect(server)
        .await
        .expect("admin connection");

    sqlx::query(&format!(
        "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"
    ))
    .execute(&admin)
    .await
    .expect("block");
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&name)
        .execute(&admin)
        .await
        .expect("terminate");
    let down = reqwest::get(app.url("/healthz"))
        .await
        .expect("GET /healthz");
    assert_eq!(down.status(), 503);
    let body: serde_json::Value = down.json().await.expect("json");
    assert_eq!(body["status"], "unavailable");
    assert!(body["reason"].as_str().is_some_and(|r| !r.is_empty()));

    sqlx::query(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"))
        .execute(&admin)
        .await
        .expect("unblock");
    let mut status = 0;
    for _ in 0..50 {
        status = reqwest::get(app.url("/healthz"))
            .await
            .expect("GET /healthz")
            .status()
            .as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(status, 200, "the app recovers without a restart");
}
