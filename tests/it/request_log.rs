//! The server's own log never holds a survey token: the real binary serves survey links
//! (the answer page, a submission, the unsubscribe page) with request logging on, and its
//! captured output is searched for the token.
use crate::helpers::*;
use std::process::Stdio;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survey_tokens_never_reach_the_request_log() {
    let db = TestDb::new(&Engine::Sqlite).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let origin = format!("http://127.0.0.1:{port}");
    let mail = tempfile::tempdir().expect("mail directory");
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_covenant"))
        .arg("serve")
        .env("DATABASE_URL", &db.url)
        .env("COVENANT_BIND", format!("127.0.0.1:{port}"))
        .env("PUBLIC_URL", &origin)
        .env("COVENANT_LOG", "info")
        .env("COVENANT_WORKER", "false")
        .env("MAIL_DIR", mail.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start covenant");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if client
            .get(format!("{origin}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server started");

    let token = "5eed".repeat(16);
    let link = format!("{origin}/s/{token}");
    let opened = client.get(&link).send().await.expect("GET");
    assert_eq!(opened.status(), 404);
    let posted = client
        .post(&link)
        .header("Origin", &origin)
        .form(&[("q1", "9")])
        .send()
        .await
        .expect("POST");
    assert_eq!(posted.status(), 404);
    let unsubscribe = client
        .get(format!("{link}/unsubscribe"))
        .send()
        .await
        .expect("GET");
    assert_eq!(unsubscribe.status(), 404);

    server.start_kill().expect("stop covenant");
    let out = server.wait_with_output().await.expect("covenant stops");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        log.contains("/s/[redacted]"),
        "the requests were logged: {log}"
    );
    assert!(!log.contains(&token), "a token in the log: {log}");
}
