//! Staff sign-in: success, wrong passwords and lockout, throttling, session rotation,
//! immediate deactivation, the sign-in gate on pages.
use crate::helpers::*;
use covenant::core::roles::Role;

crate::on_both_engines!(
    sign_in_opens_the_home_page,
    pages_send_strangers_to_the_sign_in_page,
    wrong_passwords_fail_and_lock_the_account,
    sign_in_rotates_the_session_id,
    sign_out_ends_the_session,
    too_many_attempts_from_one_address_are_throttled,
    a_deactivated_user_is_out_at_once,
    a_cross_origin_sign_in_is_refused,
    a_session_in_use_stays_alive_past_the_idle_time,
);

async fn sign_in_opens_the_home_page(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    app.add_staff(
        "wang.wei@covenant.example",
        "王伟",
        Role::Rm,
        STAFF_PASSWORD,
    )
    .await;
    let browser = app.browser();

    let form = browser
        .get(app.url("/login"))
        .send()
        .await
        .expect("GET /login");
    assert_eq!(form.status(), 200);
    let html = form.text().await.expect("body");
    assert!(
        html.contains("name=\"email\"") && html.contains("name=\"password\""),
        "{html}"
    );
    assert!(
        html.contains("lang=\"zh-CN\""),
        "Chinese is the default language"
    );

    let response = app
        .sign_in(&browser, " Wang.Wei@Covenant.example ", STAFF_PASSWORD)
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/");

    let home = browser.get(app.url("/")).send().await.expect("GET /");
    assert_eq!(home.status(), 200);
    let html = home.text().await.expect("body");
    assert!(html.contains("您好，王伟"), "{html}");
}

async fn pages_send_strangers_to_the_sign_in_page(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let response = app
        .browser()
        .get(app.url("/admin/users?after=3"))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 303);
    assert_eq!(
        location(&response),
        "/login?next=%2Fadmin%2Fusers%3Fafter%3D3"
    );
}

async fn wrong_passwords_fail_and_lock_the_account(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    app.add_staff("li.na@covenant.example", "李娜", Role::Rm, STAFF_PASSWORD)
        .await;
    let browser = app.browser();
    for attempt in 1..=4 {
        let r = app
            .sign_in(&browser, "li.na@covenant.example", "not-the-password")
            .await;
        assert!(
            location(&r).contains("error=invalid"),
            "attempt {attempt}: {}",
            location(&r)
        );
        assert!(
            location(&r).contains("email=li.na%40covenant.example"),
            "the e-mail is kept"
        );
    }
    let fifth = app
        .sign_in(&browser, "li.na@covenant.example", "not-the-password")
        .await;
    assert!(
        location(&fifth).contains("error=locked"),
        "{}",
        location(&fifth)
    );

    // Locked: even the right password is refused, with a clear message.
    let right = app
        .sign_in(&browser, "li.na@covenant.example", STAFF_PASSWORD)
        .await;
    assert!(
        location(&right).contains("error=locked"),
        "{}",
        location(&right)
    );
    let page = browser
        .get(app.url(&location(&right)))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(page.contains("该账户已锁定 15 分钟"), "{page}");

    // After the lockout time the right password works again.
    app.clock.advance(chrono::Duration::minutes(16));
    let later = app
        .sign_in(&browser, "li.na@covenant.example", STAFF_PASSWORD)
        .await;
    assert_eq!(location(&later), "/");
}

async fn sign_in_rotates_the_session_id(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    app.add_staff(
        "chen.jing@covenant.example",
        "陈静",
        Role::Rm,
        STAFF_PASSWORD,
    )
    .await;
    let browser = app.browser();
    let first = app
        .sign_in(&browser, "chen.jing@covenant.example", STAFF_PASSWORD)
        .await;
    let first_id = session_cookie(&first).expect("a session cookie on sign-in");
    let second = app
        .sign_in(&browser, "chen.jing@covenant.example", STAFF_PASSWORD)
        .await;
    let second_id = session_cookie(&second).expect("a new session cookie on the second sign-in");
    assert_ne!(first_id, second_id, "{:?}", second.headers());

    // The old id no longer opens anything.
    let stale = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(app.url("/"))
        .header("cookie", format!("covenant.sid={first_id}"))
        .send()
        .await
        .expect("GET /");
    assert_eq!(stale.status(), 303, "the pre-rotation session must be dead");
    let fresh = browser.get(app.url("/")).send().await.expect("GET /");
    assert_eq!(fresh.status(), 200);
}

async fn sign_out_ends_the_session(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    app.add_staff(
        "zhao.min@covenant.example",
        "赵敏",
        Role::Viewer,
        STAFF_PASSWORD,
    )
    .await;
    let browser = app.browser();
    app.sign_in(&browser, "zhao.min@covenant.example", STAFF_PASSWORD)
        .await;
    let out = browser
        .post(app.url("/logout"))
        .send()
        .await
        .expect("POST /logout");
    assert_eq!(location(&out), "/login?notice=signed_out");
    let home = browser.get(app.url("/")).send().await.expect("GET /");
    assert_eq!(home.status(), 303);
}

async fn too_many_attempts_from_one_address_are_throttled(engine: Engine) {
    let (app, _db) =
        TestApp::spawn_with(&engine, &["--login-attempts-per-ip-per-minute", "3"]).await;
    let browser = app.browser();
    for i in 0..3 {
        let r = app
            .sign_in(
                &browser,
                &format!("nobody{i}@covenant.example"),
                "whatever-password",
            )
            .await;
        assert!(location(&r).contains("error=invalid"), "{}", location(&r));
    }
    let r = app
        .sign_in(&browser, "nobody9@covenant.example", "whatever-password")
        .await;
    assert!(location(&r).contains("error=throttled"), "{}", location(&r));
    let page = browser
        .get(app.url(&location(&r)))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(page.contains("登录尝试过于频繁"), "{page}");
}

async fn a_deactivated_user_is_out_at_once(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    app.add_staff(
        "admin@covenant.example",
        "周明",
        Role::Admin,
        ADMIN_PASSWORD,
    )
    .await;
    let rm = app
        .add_staff(
            "liu.yang@covenant.example",
            "刘洋",
            Role::Rm,
            STAFF_PASSWORD,
        )
        .await;
    let admin = app.browser();
    let user = app.browser();
    app.sign_in(&admin, "admin@covenant.example", ADMIN_PASSWORD)
        .await;
    app.sign_in(&user, "liu.yang@covenant.example", STAFF_PASSWORD)
        .await;
    assert_eq!(
        user.get(app.url("/")).send().await.expect("GET").status(),
        200
    );

    let id = rm.to_string();
    let r = app
        .rpc(
            &admin,
            "admin/users/deactivate",
            &[("id", &id), ("version", "1"), ("successor", "")],
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());

    let after = user.get(app.url("/")).send().await.expect("GET");
    assert_eq!(
        after.status(),
        303,
        "the deactivated user's next request is signed out"
    );
    let again = app
        .sign_in(&user, "liu.yang@covenant.example", STAFF_PASSWORD)
        .await;
    assert!(location(&again).contains("error=invalid"));
}

async fn a_cross_origin_sign_in_is_refused(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    app.add_staff(
        "admin@covenant.example",
        "周明",
        Role::Admin,
        ADMIN_PASSWORD,
    )
    .await;
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(app.url("/login"))
        .header("origin", "https://evil.example")
        .form(&[
            ("email", "admin@covenant.example"),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), 403);
    assert!(session_cookie(&r).is_none());
}

/// When the stored session expires (Unix seconds).
async fn session_expiry(app: &TestApp) -> i64 {
    use covenant::server::db::Db;
    use covenant::server::sqlx;
    let result = match &app.db {
        Db::Sqlite { read, .. } => {
            sqlx::query_scalar(
                "SELECT CAST(strftime('%s', MAX(expiry_date)) AS INTEGER) FROM sessions",
            )
            .fetch_one(read)
            .await
        }
        Db::Postgres(pool) => {
            sqlx::query_scalar(
                "SELECT CAST(MAX(EXTRACT(EPOCH FROM expiry_date)) AS BIGINT) FROM sessions",
            )
            .fetch_one(pool)
            .await
        }
    };
    result.expect("session expiry")
}

async fn a_session_in_use_stays_alive_past_the_idle_time(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (_, browser) = app
        .staff_browser("chen.jing@covenant.example", "陈静", Role::Rm)
        .await;
    let get_home = || async { browser.get(app.url("/")).send().await.expect("GET /") };
    get_home().await;
    let before = session_expiry(&app).await;
    // Requests in quick succession do not write the session each time.
    let quick = get_home().await;
    assert!(session_cookie(&quick).is_none(), "no write per request");
    assert_eq!(session_expiry(&app).await, before);

    // Some minutes on (a tenth of the 30-minute idle time), the next request moves the
    // expiry on, in the database and in the browser's cookie.
    app.clock.advance(chrono::Duration::minutes(4));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let later = get_home().await;
    assert_eq!(later.status(), 200);
    assert!(session_cookie(&later).is_some(), "the cookie is renewed");
    assert!(
        session_expiry(&app).await > before,
        "the stored session lives on from this request"
    );
}
