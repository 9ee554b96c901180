//! E-mail through the outbox: a message queued twice for the same purpose and recipient is
//! one message; its job sends it once even when it runs again on another server after a
//! restart; the file a developer opens is real MIME that decodes to the Chinese subject and
//! the link; once sent, the body (whose links may carry tokens) leaves the database.
use crate::helpers::*;
use covenant::server::mail::{self, Outgoing};
use covenant::server::{jobs, sqlx};
use covenant::with_db;

crate::on_both_engines!(a_queued_message_is_sent_once_as_a_real_mime_file);

const LINK: &str = "http://127.0.0.1/portal/invite/0123456789abcdef";

async fn queue_invitation(app: &TestApp) -> bool {
    let body = format!(
        "您好，王经理：\n\n请点击以下链接设置密码并登录投资者门户：\n{LINK}\n\n此链接 14 天内有效，仅可使用一次。"
    );
    let message = Outgoing {
        purpose: "portal.invitation:7",
        to_address: "wang.jingli@investor.example",
        to_name: Some("王经理"),
        language: "zh",
        subject: "邀请您使用 Covenant 投资者门户",
        body: &body,
    };
    let mut tx = app.db.begin().await.expect("begin");
    let queued = mail::queue(&mut tx, &message, app.clock_now())
        .await
        .expect("queue");
    tx.commit().await.expect("commit");
    queued
}

fn mail_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(&app.mail_dir)
        .expect("mail directory")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|x| x == "eml"))
        .collect()
}

async fn a_queued_message_is_sent_once_as_a_real_mime_file(engine: Engine) {
    let (app, _db) = TestApp::spawn_with(&engine, &["--worker", "false"]).await;
    assert!(queue_invitation(&app).await, "queued");
    assert!(
        !queue_invitation(&app).await,
        "the same purpose and recipient again is the same message"
    );
    let ran = jobs::run_due(&app.state, "first").await.expect("run jobs");
    assert_eq!(ran, 1, "one message, one job");

    let files = mail_files(&app);
    assert_eq!(files.len(), 1, "{files:?}");
    let raw = std::fs::read(&files[0]).expect("mail file");
    let message = mail_parser::MessageParser::default()
        .parse(&raw)
        .expect("a MIME message");
    assert_eq!(message.subject(), Some("邀请您使用 Covenant 投资者门户"));
    let to = message.to().and_then(|to| to.first()).expect("a recipient");
    assert_eq!(to.address.as_deref(), Some("wang.jingli@investor.example"));
    assert_eq!(to.name.as_deref(), Some("王经理"));
    let text = message.body_text(0).expect("a text body");
    assert!(
        text.contains("请点击以下链接") && text.contains(LINK),
        "{text}"
    );

    // The job runs again (a worker died before recording it done), on another server
    // started on the same database: nothing more is sent.
    let (outbox_id, body): (i64, String) = with_db!(&app.db, c => sqlx::query_as(
        "SELECT id, body_text FROM outbox WHERE purpose = 'portal.invitation:7'",
    )
    .fetch_one(c)
    .await)
    .expect("outbox row");
    assert_eq!(body, "", "a sent body leaves the database");
    let other = TestApp::spawn_on(&app.database_url, &["--worker", "false"]).await;
    let payload = serde_json::json!({ "outbox": outbox_id }).to_string();
    mail::send_queued(&other.state, &payload)
        .await
        .expect("a second run");
    assert!(mail_files(&other).is_empty(), "not sent twice");
    let (sent, attempts): (bool, i64) = with_db!(&app.db, c => sqlx::query_as(
        "SELECT sent_at IS NOT NULL, attempts FROM outbox WHERE id = $1",
    )
    .bind(outbox_id)
    .fetch_one(c)
    .await)
    .expect("outbox row");
    assert!(sent && attempts == 1, "sent once, after one attempt");
}
