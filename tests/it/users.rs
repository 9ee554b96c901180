//! User administration through the server functions: permissions, same-origin, validation,
//! idempotent adds, stale edits, and deactivation with a successor.
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::server::sqlx;
use covenant::with_db;

crate::on_both_engines!(
    a_viewer_cannot_add_users_but_an_admin_can,
    the_users_page_confirms_an_added_user,
    a_cross_origin_write_is_refused_and_changes_nothing,
    bad_input_gets_field_messages_and_changes_nothing,
    a_repeated_form_key_adds_one_user,
    a_stale_edit_is_a_conflict,
    deactivating_a_manager_needs_a_successor_who_takes_over,
);

const KEY: &str = "0123456789abcdef0123456789abcdef";

fn new_user_form<'a>(key: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form_key", key),
        ("email", email),
        ("name", "孙悦"),
        ("role", "rm"),
        ("department", "finance"),
        ("reports_to", ""),
        ("password", "Pearl-River-9931"),
    ]
}

async fn signed_in(app: &TestApp, email: &str, role: Role) -> reqwest::Client {
    app.add_staff(email, "某人", role, STAFF_PASSWORD).await;
    let client = app.browser();
    let r = app.sign_in(&client, email, STAFF_PASSWORD).await;
    assert_eq!(location(&r), "/");
    client
}

async fn a_viewer_cannot_add_users_but_an_admin_can(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let viewer = signed_in(&app, "viewer@covenant.example", Role::Viewer).await;
    let admin = signed_in(&app, "admin@covenant.example", Role::Admin).await;
    let before = app.user_count().await;

    let refused = app
        .rpc(
            &viewer,
            "admin/users/add",
            &new_user_form(KEY, "sun.yue@covenant.example"),
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(app.user_count().await, before);
    let list = viewer
        .get(app.url("/rpc/admin/users/list"))
        .send()
        .await
        .expect("GET");
    assert_eq!(
        list.status(),
        403,
        "a viewer cannot read the staff list either"
    );

    let added = app
        .rpc(
            &admin,
            "admin/users/add",
            &new_user_form(KEY, "sun.yue@covenant.example"),
        )
        .await;
    assert_eq!(
        added.status(),
        200,
        "{}",
        added.text().await.unwrap_or_default()
    );
    assert_eq!(app.user_count().await, before + 1);
}

async fn a_cross_origin_write_is_refused_and_changes_nothing(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let admin = signed_in(&app, "admin@covenant.example", Role::Admin).await;
    let before = app.user_count().await;
    let r = admin
        .post(app.url("/rpc/admin/users/add"))
        .header("origin", "https://evil.example")
        .form(&new_user_form(KEY, "mallory@covenant.example"))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), 403);
    assert_eq!(app.user_count().await, before);
}

async fn bad_input_gets_field_messages_and_changes_nothing(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let admin = signed_in(&app, "admin@covenant.example", Role::Admin).await;
    let before = app.user_count().await;
    let mut form = new_user_form(KEY, "not-an-email");
    form[6] = ("password", "short");
    let r = app.rpc(&admin, "admin/users/add", &form).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("body");
    assert!(
        body.contains("form.email_invalid") && body.contains("password.too_short"),
        "{body}"
    );
    assert_eq!(app.user_count().await, before);

    let taken = app
        .rpc(
            &admin,
            "admin/users/add",
            &new_user_form(KEY, "admin@covenant.example"),
        )
        .await;
    assert_eq!(taken.status(), 422);
    assert!(
        taken
            .text()
            .await
            .expect("body")
            .contains("admin.users.email_taken")
    );
}

async fn a_repeated_form_key_adds_one_user(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let admin = signed_in(&app, "admin@covenant.example", Role::Admin).await;
    let before = app.user_count().await;
    let first = app
        .rpc(
            &admin,
            "admin/users/add",
            &new_user_form(KEY, "sun.yue@covenant.example"),
        )
        .await;
    let first: serde_json::Value = first.json().await.expect("json");
    let again = app
        .rpc(
            &admin,
            "admin/users/add",
            &new_user_form(KEY, "sun.yue@covenant.example"),
        )
        .await;
    assert_eq!(again.status(), 200, "a retry is not an error");
    let again: serde_json::Value = again.json().await.expect("json");
    assert_eq!(first["id"], again["id"]);
    assert_eq!(app.user_count().await, before + 1);
}

async fn a_stale_edit_is_a_conflict(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let admin = signed_in(&app, "admin@covenant.example", Role::Admin).await;
    let id = app
        .add_staff("he.jun@covenant.example", "何军", Role::Rm, STAFF_PASSWORD)
        .await
        .to_string();
    let edit = |name: &'static str, version: &'static str| {
        vec![
            ("id", id.clone()),
            ("version", version.to_string()),
            ("name", name.to_string()),
            ("role", "rm".to_string()),
            ("department", "".to_string()),
            ("reports_to", "".to_string()),
        ]
    };
    let form1 = edit("何军（市场）", "1");
    let pairs1: Vec<(&str, &str)> = form1.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        app.rpc(&admin, "admin/users/update", &pairs1)
            .await
            .status(),
        200
    );
    let form2 = edit("何军（财务）", "1");
    let pairs2: Vec<(&str, &str)> = form2.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let stale = app.rpc(&admin, "admin/users/update", &pairs2).await;
    assert_eq!(stale.status(), 409);
    let name: String = with_db!(&app.db, c => sqlx::query_scalar("SELECT name FROM users WHERE email = 'he.jun@covenant.example'").fetch_one(c).await).expect("name");
    assert_eq!(name, "何军（市场）", "the first edit stands");
}

async fn deactivating_a_manager_needs_a_successor_who_takes_over(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let admin = signed_in(&app, "admin@covenant.example", Role::Admin).await;
    let manager = app
        .add_staff(
            "boss@covenant.example",
            "老板",
            Role::CrmOfficer,
            STAFF_PASSWORD,
        )
        .await;
    let heir = app
        .add_staff(
            "heir@covenant.example",
            "接班人",
            Role::CrmOfficer,
            STAFF_PASSWORD,
        )
        .await;
    let report = app
        .add_staff("report@covenant.example", "下属", Role::Rm, STAFF_PASSWORD)
        .await;
    let mut tx = app.db.begin().await.expect("begin");
    covenant::with_tx!(&mut tx, c => sqlx::query("UPDATE users SET reports_to = $1 WHERE id = $2").bind(manager).bind(report).execute(c).await.map(|_| ())).expect("set manager");
    tx.commit().await.expect("commit");

    let id = manager.to_string();
    let without = app
        .rpc(
            &admin,
            "admin/users/deactivate",
            &[("id", &id), ("version", "1"), ("successor", "")],
        )
        .await;
    assert_eq!(without.status(), 422);
    assert!(
        without
            .text()
            .await
            .expect("body")
            .contains("admin.users.successor_required")
    );

    let heir_id = heir.to_string();
    let with = app
        .rpc(
            &admin,
            "admin/users/deactivate",
            &[("id", &id), ("version", "1"), ("successor", &heir_id)],
        )
        .await;
    assert_eq!(
        with.status(),
        200,
        "{}",
        with.text().await.unwrap_or_default()
    );
    let (now_reports_to, active): (Option<i64>, bool) = with_db!(&app.db, c => sqlx::query_as(
        "SELECT r.reports_to, m.active FROM users r, users m WHERE r.id = $1 AND m.id = $2")
        .bind(report).bind(manager).fetch_one(c).await)
    .expect("rows");
    assert_eq!(now_reports_to, Some(heir));
    assert!(!active);
    let audited: i64 = with_db!(&app.db, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('ownership.reassign', 'user.deactivate') AND entity_id = $1")
        .bind(manager).fetch_one(c).await).expect("audit");
    assert_eq!(audited, 2);
}

async fn the_users_page_confirms_an_added_user(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let admin = signed_in(&app, "admin@covenant.example", Role::Admin).await;
    let added = app
        .rpc(
            &admin,
            "admin/users/add",
            &new_user_form(KEY, "sun.yue@covenant.example"),
        )
        .await;
    let added: serde_json::Value = added.json().await.expect("json");
    let id = added["id"].as_i64().expect("id");
    for _ in 0..3 {
        let page = admin
            .get(app.url(&format!("/admin/users?added={id}")))
            .send()
            .await
            .expect("GET");
        assert_eq!(page.status(), 200);
        let html = page.text().await.expect("body");
        assert!(html.contains("已添加 孙悦"), "{html}");
        assert!(html.contains("sun.yue@covenant.example"));
    }
    let edit = admin
        .get(app.url(&format!("/admin/users/{id}")))
        .send()
        .await
        .expect("GET");
    assert_eq!(edit.status(), 200);
    let missing = admin
        .get(app.url("/admin/users/999999"))
        .send()
        .await
        .expect("GET");
    assert_eq!(missing.status(), 404);
}
