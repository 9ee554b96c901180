//! Two app servers on one PostgreSQL database behave as one: a session made on one works
//! on the other, and wrong passwords count across both.
use crate::helpers::*;
use covenant::core::roles::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_sessions_and_lockout() {
    let Some(engine) = postgres() else { return };
    let (a, _db) = TestApp::spawn(&engine).await;
    let b = TestApp::spawn_on(&a.database_url, &[]).await;
    a.add_staff(
        "wang.wei@covenant.example",
        "王伟",
        Role::Rm,
        STAFF_PASSWORD,
    )
    .await;
    a.add_staff("li.na@covenant.example", "李娜", Role::Rm, STAFF_PASSWORD)
        .await;

    // Sign in on A, use the session on B.
    let on_a = a.browser();
    let signed_in = a
        .sign_in(&on_a, "wang.wei@covenant.example", STAFF_PASSWORD)
        .await;
    let cookie = session_cookie(&signed_in).expect("session cookie");
    let page = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(b.url("/"))
        .header("cookie", format!("covenant.sid={cookie}"))
        .send()
        .await
        .expect("GET / on B");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("body").contains("您好，王伟"));

    // Three wrong passwords on A and two on B lock the account on both.
    for _ in 0..3 {
        let r = a
            .sign_in(&a.browser(), "li.na@covenant.example", "wrong-password")
            .await;
        assert!(location(&r).contains("error=invalid"));
    }
    let r = b
        .sign_in(&b.browser(), "li.na@covenant.example", "wrong-password")
        .await;
    assert!(location(&r).contains("error=invalid"));
    let r = b
        .sign_in(&b.browser(), "li.na@covenant.example", "wrong-password")
        .await;
    assert!(location(&r).contains("error=locked"), "{}", location(&r));
    let r = a
        .sign_in(&a.browser(), "li.na@covenant.example", STAFF_PASSWORD)
        .await;
    assert!(
        location(&r).contains("error=locked"),
        "A sees B's lockout: {}",
        location(&r)
    );
}
