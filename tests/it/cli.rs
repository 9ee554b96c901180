//! The `covenant` command line: adding staff with a password from stdin, deactivating them,
//! and seeding the demo staff.
use crate::helpers::*;
use covenant::auth::{password, repo};
use covenant::server::sqlx;
use std::process::Stdio;
use tokio::io::AsyncWriteExt;

async fn covenant(database_url: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_covenant"))
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .env("COVENANT_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run covenant");
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin.as_bytes())
            .await
            .expect("write stdin");
    }
    let out = child.wait_with_output().await.expect("covenant finishes");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_add_reads_the_password_from_stdin_and_deactivate_ends_access() {
    let db = TestDb::new(&Engine::Sqlite).await;
    let add = [
        "user",
        "add",
        "--email",
        "Ops@Covenant.example",
        "--name",
        "运营",
        "--role",
        "crm-officer",
    ];

    let (ok, _, err) = covenant(&db.url, &add, "Grand-Canal-2045\nGrand-Canal-2046\n").await;
    assert!(
        !ok && err.contains("differ"),
        "mismatched lines are refused: {err}"
    );
    let (ok, _, err) = covenant(&db.url, &add, "short\n").await;
    assert!(
        !ok && err.contains("12"),
        "the password policy applies: {err}"
    );
    let (ok, out, err) = covenant(&db.url, &add, "Grand-Canal-2045\nGrand-Canal-2045\n").await;
    assert!(ok, "{err}");
    assert!(out.contains("ops@covenant.example"), "{out}");
    let (ok, _, err) = covenant(&db.url, &add, "Grand-Canal-2045\n").await;
    assert!(!ok && err.contains("already"), "{err}");

    let app = TestApp::spawn_on(&db.url, &[]).await;
    let browser = app.browser();
    assert_eq!(
        location(
            &app.sign_in(&browser, "ops@covenant.example", "Grand-Canal-2045")
                .await
        ),
        "/"
    );

    // A manager with a direct report needs a successor.
    let report = app
        .add_staff(
            "report@covenant.example",
            "下属",
            covenant::core::roles::Role::Rm,
            STAFF_PASSWORD,
        )
        .await;
    let mut tx = app.db.begin().await.expect("begin");
    covenant::with_tx!(&mut tx, c => sqlx::query("UPDATE users SET reports_to = (SELECT id FROM users WHERE email = 'ops@covenant.example') WHERE id = $1").bind(report).execute(c).await.map(|_| ())).expect("manager");
    tx.commit().await.expect("commit");
    let (ok, _, err) = covenant(
        &db.url,
        &["user", "deactivate", "--email", "ops@covenant.example"],
        "",
    )
    .await;
    assert!(
        !ok && err.contains("--successor") && err.contains("1 Direct reports"),
        "{err}"
    );
    // Their own report may succeed them, and then reports to nobody rather than to themselves.
    let heir = [
        "user",
        "deactivate",
        "--email",
        "ops@covenant.example",
        "--successor",
        "report@covenant.example",
    ];
    let (ok, _, err) = covenant(&db.url, &heir, "").await;
    assert!(ok, "{err}");
    assert_eq!(
        browser
            .get(app.url("/"))
            .send()
            .await
            .expect("GET")
            .status(),
        303
    );
    let manager: Option<i64> = covenant::with_db!(&app.db, c => sqlx::query_scalar(
        "SELECT reports_to FROM users WHERE id = $1").bind(report).fetch_one(c).await)
    .expect("row");
    assert_eq!(manager, None, "the successor does not report to themselves");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_demo_prints_working_sign_ins_and_is_repeatable() {
    let db = TestDb::new(&Engine::Sqlite).await;
    let (ok, out, err) = covenant(&db.url, &["seed-demo", "--seed", "1"], "").await;
    assert!(ok, "{err}");
    let admin_line = out
        .lines()
        .find(|l| l.contains("admin@covenant.example"))
        .expect("admin is printed");
    let password_text = admin_line
        .split_whitespace()
        .last()
        .expect("password column")
        .to_string();
    assert!(password_text.starts_with("Demo-"), "{admin_line}");
    for role in ["admin", "crm_officer", "rm", "analyst", "viewer"] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(role)),
            "{role} missing:\n{out}"
        );
    }

    let app = TestApp::spawn_on(&db.url, &[]).await;
    let row = repo::find_by_email(&app.db, "admin@covenant.example")
        .await
        .expect("query")
        .expect("admin exists");
    assert!(password::verify(password_text.clone(), Some(row.password_hash)).await);

    // Another database with the same seed gets the same passwords.
    let other = TestDb::new(&Engine::Sqlite).await;
    let (_, again, _) = covenant(&other.url, &["seed-demo", "--seed", "1"], "").await;
    assert!(again.contains(&password_text));
    // Running it again on the same database changes nothing.
    let (ok, rerun, _) = covenant(&db.url, &["seed-demo", "--seed", "1"], "").await;
    assert!(ok && rerun.contains("exists"));
}
