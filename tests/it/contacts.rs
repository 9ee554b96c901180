//! Editing and removing a client's contacts: version checked, one primary, search terms
//! follow the change, a removed contact keeps its name on past interactions.
use crate::helpers::fixtures;
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::server::sqlx;
use covenant::with_db;

crate::on_both_engines!(a_contact_is_edited_and_removed_with_its_search_terms);

fn contact_form(
    version: &str,
    name: &str,
    phone: &str,
    primary: bool,
) -> Vec<(&'static str, String)> {
    let mut form = vec![
        ("version", version.to_string()),
        ("contact_name", name.to_string()),
        ("contact_title", "财务总监".to_string()),
        ("contact_email", "zhu.min@example.com".to_string()),
        ("contact_phone", phone.to_string()),
        ("contact_language", "zh".to_string()),
    ];
    if primary {
        form.push(("is_primary", "on".to_string()));
    }
    form
}

async fn a_contact_is_edited_and_removed_with_its_search_terms(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "王伟", Role::Rm)
        .await;
    let (_, other) = app
        .staff_browser("other@covenant.example", "别人", Role::Rm)
        .await;
    let client = fixtures::client(&app, me, "长江基础设施投资基金", true, false).await;
    let contact = fixtures::contact(&app, client, "朱敏").await;
    let path = format!("/clients/{client}/contacts/{contact}");
    let search = |q: &'static str| {
        let rm = rm.clone();
        let url = app.url(&format!("/clients?q={q}"));
        async move {
            rm.get(url)
                .send()
                .await
                .expect("GET")
                .text()
                .await
                .expect("body")
        }
    };

    let refused = app
        .post_form(
            &other,
            &path,
            &contact_form("1", "朱敏", "+86 139 0000 7777", false),
        )
        .await;
    assert_eq!(refused.status(), 403, "another rm's client");
    let bad = app
        .post_form(&rm, &path, &contact_form("1", "朱敏", "12", false))
        .await;
    assert_eq!(bad.status(), 422);
    assert!(
        bad.text()
            .await
            .expect("body")
            .contains("zhu.min@example.com"),
        "input kept"
    );

    let saved = app
        .post_form(
            &rm,
            &path,
            &contact_form("1", "朱敏", "+86 139 0000 7777", true),
        )
        .await;
    assert_eq!(
        location(&saved),
        format!("/clients/{client}?contact_saved=1#contacts")
    );
    assert!(
        search("7777").await.contains("长江基础设施投资基金"),
        "found by the new phone digits"
    );
    let stale = app
        .post_form(
            &rm,
            &path,
            &contact_form("1", "朱敏敏", "+86 139 0000 8888", false),
        )
        .await;
    assert_eq!(stale.status(), 409);
    let html = stale.text().await.expect("body");
    assert!(
        html.contains("其他人已修改了此记录") && html.contains("+86 139 0000 7777"),
        "current values shown"
    );

    // A meeting with the contact, then the contact is removed.
    let mut tx = app.db.begin().await.expect("begin");
    let at = app.clock_now() - chrono::Duration::days(2);
    let meeting = covenant::clients::timeline::model::ValidInteraction {
        kind: covenant::clients::timeline::model::InteractionKind::Meeting,
        occurred_local: at.naive_utc(),
        project_id: None,
        contact_ids: vec![contact],
        staff_ids: vec![],
        summary: "年度回顾".into(),
    };
    covenant::clients::timeline::repo::insert(&mut tx, client, &meeting, at, me, at)
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    let removed = app
        .post_form(&rm, &format!("{path}/remove"), &[("version", "2")])
        .await;
    assert_eq!(
        location(&removed),
        format!("/clients/{client}?contact_removed=1#contacts")
    );
    assert!(
        !search("7777").await.contains("长江基础设施投资基金"),
        "no longer found by its phone"
    );
    let page = app.page(&rm, &format!("/clients/{client}")).await;
    assert!(!page.contains(&path), "no longer listed");
    assert!(
        page.contains("年度回顾") && page.contains("朱敏"),
        "the meeting keeps the name"
    );
    let gone = rm.get(app.url(&path)).send().await.expect("GET");
    assert_eq!(gone.status(), 404);
    let actions: Vec<String> = with_db!(&app.db, c => sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'client' AND entity_id = $1 ORDER BY id",
    )
    .bind(client)
    .fetch_all(c)
    .await)
    .expect("audit");
    assert!(
        actions.ends_with(&["contact.update".to_string(), "contact.remove".to_string()]),
        "{actions:?}"
    );
}
