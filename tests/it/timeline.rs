//! The interaction timeline: logging a meeting from the client's page (input kept on
//! errors, one row per form key, participants checked), times in the user's zone, and
//! newest-first paging on the client's and the project's pages.
use crate::helpers::fixtures;
use crate::helpers::*;
use covenant::clients::timeline::model::{InteractionKind, ValidInteraction};
use covenant::core::roles::Role;
use covenant::server::sqlx;
use covenant::with_db;

crate::on_both_engines!(
    a_meeting_is_logged_once_with_its_participants_in_local_time,
    the_timeline_pages_newest_first_on_client_and_project
);

const KEY: &str = "0123456789abcdef0123456789abcdef";

async fn interaction_count(app: &TestApp) -> i64 {
    with_db!(&app.db, c => sqlx::query_scalar("SELECT COUNT(*) FROM interactions").fetch_one(c).await)
        .expect("count")
}

async fn a_meeting_is_logged_once_with_its_participants_in_local_time(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "王伟", Role::Rm)
        .await;
    app.add_staff(
        "viewer@covenant.example",
        "只读",
        Role::Viewer,
        STAFF_PASSWORD,
    )
    .await;
    let viewer = app.browser();
    app.sign_in(&viewer, "viewer@covenant.example", STAFF_PASSWORD)
        .await;
    let client = fixtures::client(&app, me, "长江基础设施投资基金", true, true).await;
    let other = fixtures::client(&app, me, "别家基金", true, false).await;
    let contact = fixtures::contact(&app, client, "朱敏").await;
    let strangers_contact = fixtures::contact(&app, other, "外人").await;
    let (project, _) = fixtures::project(&app, me, client, "长江海上风电一期").await;
    // Yesterday 14:30 in Shanghai.
    let day =
        (app.clock_now() + chrono::Duration::hours(8)).date_naive() - chrono::Duration::days(1);
    let when = format!("{day}T14:30");
    let form = |summary: &str, contact_id: i64| {
        vec![
            ("form_key", KEY.to_string()),
            ("kind", "meeting".to_string()),
            ("occurred_at", when.clone()),
            ("project_id", project.to_string()),
            ("contact_ids", contact_id.to_string()),
            ("staff_ids", me.to_string()),
            ("summary", summary.to_string()),
        ]
    };
    let path = format!("/clients/{client}/interactions");

    let empty = app.post_form(&rm, &path, &form("  ", contact)).await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.expect("body").contains("请填写沟通内容"));
    let stranger = app
        .post_form(&rm, &path, &form("讨论二期融资条款", strangers_contact))
        .await;
    assert_eq!(
        stranger.status(),
        422,
        "another client's contact is refused"
    );
    assert!(
        stranger
            .text()
            .await
            .expect("body")
            .contains("讨论二期融资条款"),
        "input kept"
    );
    let refused = app
        .post_form(&viewer, &path, &form("只读用户", contact))
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(interaction_count(&app).await, 0);

    for _ in 0..2 {
        let ok = app
            .post_form(&rm, &path, &form("讨论二期融资条款", contact))
            .await;
        assert_eq!(
            location(&ok),
            format!("/clients/{client}?logged=1#timeline")
        );
    }
    assert_eq!(
        interaction_count(&app).await,
        1,
        "one form key, one interaction"
    );

    let (at, people): (chrono::DateTime<chrono::Utc>, i64) = with_db!(&app.db, c => sqlx::query_as(
        "SELECT i.occurred_at, (SELECT COUNT(*) FROM interaction_contacts ic WHERE ic.interaction_id = i.id)
                + (SELECT COUNT(*) FROM interaction_staff s WHERE s.interaction_id = i.id)
         FROM interactions i",
    )
    .fetch_one(c)
    .await)
    .expect("row");
    assert_eq!(
        at.format("%H:%M").to_string(),
        "06:30",
        "14:30 Shanghai is stored as 06:30 UTC"
    );
    assert_eq!(people, 2);

    let page = app.page(&rm, &format!("/clients/{client}")).await;
    for text in [
        format!("{day} 14:30"),
        "讨论二期融资条款".into(),
        "朱敏、王伟".into(),
        "长江海上风电一期".into(),
        "会议".into(),
    ] {
        assert!(page.contains(&text), "{text} missing on the client page");
    }
    let audit: i64 = with_db!(&app.db, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'interaction.create' AND entity = 'client' AND entity_id = $1",
    )
    .bind(client)
    .fetch_one(c)
    .await)
    .expect("audit");
    assert_eq!(audit, 1);
}

async fn the_timeline_pages_newest_first_on_client_and_project(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "王伟", Role::Rm)
        .await;
    let client = fixtures::client(&app, me, "长江基础设施投资基金", true, true).await;
    let (project, _) = fixtures::project(&app, me, client, "长江海上风电一期").await;
    let start = app.clock_now() - chrono::Duration::days(60);
    // 45 interactions a day apart, two of them at the very same time (the id breaks ties).
    let mut tx = app.db.begin().await.expect("begin");
    for n in 0..45i64 {
        let at = start + chrono::Duration::days(n.min(43));
        let interaction = ValidInteraction {
            kind: InteractionKind::Call,
            occurred_local: at.naive_utc(),
            project_id: Some(project),
            contact_ids: vec![],
            staff_ids: vec![me],
            summary: format!("第{n:02}次沟通"),
        };
        covenant::clients::timeline::repo::insert(&mut tx, client, &interaction, at, me, at)
            .await
            .expect("insert");
    }
    tx.commit().await.expect("commit");

    for base in [format!("/clients/{client}"), format!("/projects/{project}")] {
        let mut shown = Vec::new();
        let mut next = Some(base.clone());
        while let Some(path) = next.take() {
            let html = app.page(&rm, &path).await;
            for part in html
                .split("次沟通")
                .collect::<Vec<_>>()
                .iter()
                .rev()
                .skip(1)
                .rev()
            {
                let n: String = part
                    .chars()
                    .rev()
                    .take(2)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                shown.push(n.parse::<i64>().expect("number"));
            }
            next = html
                .split(&format!("href=\"{base}?timeline_after="))
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .map(|cursor| {
                    format!(
                        "{base}?timeline_after={}",
                        cursor.replace("&amp;", "&").trim_end_matches("#timeline")
                    )
                });
        }
        let mut expected: Vec<i64> = (0..45).collect();
        expected.reverse();
        // The two at the same time come newest id first: 44 then 43.
        assert_eq!(shown, expected, "{base}: newest first, every entry once");
    }
}
