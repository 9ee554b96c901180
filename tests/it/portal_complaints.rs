//! Complaints from the portal: an investor raises one (once per form, only for their own
//! entities and projects), the relationship manager is told and responds on a timeline the
//! investor follows (internal notes stay internal), statuses move only as the rules allow,
//! and no other investor can open it.
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::pipeline::model::DealStage;
use covenant::server::{jobs, sqlx};
use covenant::with_db;

crate::on_both_engines!(
    a_complaint_is_raised_answered_and_resolved_on_a_timeline_the_investor_follows,
    a_response_is_new_to_the_investor_until_they_open_the_complaint,
);

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    with_db!(&app.db, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).expect(sql)
}

async fn version(app: &TestApp, id: i64) -> String {
    scalar(
        app,
        &format!("SELECT version FROM complaints WHERE id = {id}"),
    )
    .await
    .to_string()
}

async fn a_complaint_is_raised_answered_and_resolved_on_a_timeline_the_investor_follows(
    engine: Engine,
) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let sponsor = fixtures::client(&app, rm_id, "西部风电开发有限公司", false, true).await;
    let project = fixtures::project(&app, rm_id, sponsor, "甘肃酒泉风电二期").await;
    let elsewhere = fixtures::project(&app, rm_id, sponsor, "另一个项目").await;
    let fund = fixtures::client(&app, rm_id, "长江绿色基础设施基金", true, false).await;
    let other = fixtures::client(&app, rm_id, "其他投资者", true, false).await;
    for (f, p) in [(fund, project), (other, elsewhere)] {
        fixtures::deal(
            &app,
            rm_id,
            f,
            p,
            DealStage::Committed,
            50_000_000,
            Some(50_000_000),
        )
        .await;
    }
    let (_, _, investor) = portal::investor(&app, &rm, fund, "周敏", "zhou.min@a.example").await;
    let (_, _, outsider) = portal::investor(&app, &rm, other, "吴昊", "wu.hao@o.example").await;

    // Someone else's project cannot be named; nothing is recorded.
    let page = app.page(&investor, "/portal/complaints").await;
    let wrong = elsewhere.0.to_string();
    let refused = app
        .post_form(
            &investor,
            "/portal/complaints",
            &[
                ("form_key", form_key_in(&page).as_str()),
                ("project", wrong.as_str()),
                ("category", "reporting"),
                ("description", "季度报告晚了三周。"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM complaints").await, 0);

    // Sent twice (a double click): one complaint, assigned to the manager, who is told.
    let project_id = project.0.to_string();
    let raise = [
        ("form_key", form_key_in(&page)),
        ("project", project_id),
        ("category", "reporting".to_string()),
        (
            "description",
            "第三季度运营报告晚了三周才收到。".to_string(),
        ),
    ];
    let first = app.post_form(&investor, "/portal/complaints", &raise).await;
    let again = app.post_form(&investor, "/portal/complaints", &raise).await;
    assert_eq!(location(&first), location(&again));
    let id = portal::id_in(&location(&first));
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM complaints").await, 1);
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT assignee_id FROM complaints WHERE id = {id}")
        )
        .await,
        rm_id
    );
    jobs::run_due(&app.state, "test").await.expect("jobs");
    let told = mails_to(&app, "li.na@covenant.example");
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].1.contains(&format!("/complaints/{id}")));
    let queue = app.page(&rm, "/complaints").await;
    assert!(
        queue.contains("第三季度运营报告晚了三周才收到。"),
        "{queue}"
    );

    // An internal note stays with staff and mails no one.
    let v = version(&app, id).await;
    let noted = app
        .post_form(
            &rm,
            &format!("/complaints/{id}/respond"),
            &[
                ("kind", "note"),
                ("body", "INTERNAL 已联系报告团队"),
                ("version", v.as_str()),
            ],
        )
        .await;
    assert_eq!(location(&noted), format!("/complaints/{id}?posted=1"));
    let seen = app
        .page(&investor, &format!("/portal/complaints/{id}"))
        .await;
    assert!(!seen.contains("INTERNAL"), "{seen}");
    assert!(seen.contains("新投诉"), "still new: {seen}");

    // A stale form is a conflict; a response acknowledges it and tells the investor.
    let stale = app
        .post_form(
            &rm,
            &format!("/complaints/{id}/respond"),
            &[
                ("kind", "response"),
                ("body", "抱歉"),
                ("version", v.as_str()),
            ],
        )
        .await;
    assert_eq!(stale.status(), 409);
    let v = version(&app, id).await;
    let answered = app
        .post_form(
            &rm,
            &format!("/complaints/{id}/respond"),
            &[
                ("kind", "response"),
                (
                    "body",
                    "很抱歉。报告流程已调整，今后在季度结束后十个工作日内发送。",
                ),
                ("version", v.as_str()),
            ],
        )
        .await;
    assert_eq!(answered.status(), 303);
    let seen = app
        .page(&investor, &format!("/portal/complaints/{id}"))
        .await;
    assert!(
        seen.contains("十个工作日内发送") && seen.contains("已受理"),
        "{seen}"
    );
    assert_eq!(
        scalar(
            &app,
            &format!(
                "SELECT COUNT(*) FROM complaints WHERE id = {id} AND first_response_at IS NOT NULL"
            )
        )
        .await,
        1
    );
    jobs::run_due(&app.state, "test").await.expect("jobs");
    assert_eq!(mails_to(&app, "zhou.min@a.example").len(), 1);

    // Resolved; from there it can only be closed or reopened.
    let v = version(&app, id).await;
    let resolved = app
        .post_form(
            &rm,
            &format!("/complaints/{id}/respond"),
            &[
                ("kind", "response"),
                ("status", "resolved"),
                ("version", v.as_str()),
            ],
        )
        .await;
    assert_eq!(resolved.status(), 303);
    let v = version(&app, id).await;
    let backwards = app
        .post_form(
            &rm,
            &format!("/complaints/{id}/respond"),
            &[
                ("kind", "response"),
                ("status", "in_progress"),
                ("version", v.as_str()),
            ],
        )
        .await;
    assert_eq!(backwards.status(), 422);
    assert_eq!(
        scalar(&app, &format!("SELECT COUNT(*) FROM complaints WHERE id = {id} AND status = 'resolved' AND resolved_at IS NOT NULL")).await,
        1
    );
    let seen = app
        .page(&investor, &format!("/portal/complaints/{id}"))
        .await;
    assert!(seen.contains("已解决"), "{seen}");

    // No one else opens it.
    let other_view = outsider
        .get(app.url(&format!("/portal/complaints/{id}")))
        .send()
        .await
        .expect("GET");
    assert_eq!(other_view.status(), 404);
    let list = app.page(&outsider, "/portal/complaints").await;
    assert!(!list.contains("三周"));
}

/// The portal's badges as the investor's browser reads them.
async fn badges(app: &TestApp, investor: &reqwest::Client) -> serde_json::Value {
    let r = investor
        .get(app.url("/rpc/portal/badges"))
        .send()
        .await
        .expect("badges");
    assert_eq!(r.status(), 200);
    r.json().await.expect("badges JSON")
}

async fn respond(app: &TestApp, rm: &reqwest::Client, id: i64, kind: &str, body: &str) {
    let v = version(app, id).await;
    let posted = app
        .post_form(
            rm,
            &format!("/complaints/{id}/respond"),
            &[("kind", kind), ("body", body), ("version", v.as_str())],
        )
        .await;
    assert_eq!(posted.status(), 303, "{kind}");
}

async fn a_response_is_new_to_the_investor_until_they_open_the_complaint(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let fund = fixtures::client(&app, rm_id, "长江绿色基础设施基金", true, false).await;
    let (_, _, investor) = portal::investor(&app, &rm, fund, "周敏", "zhou.min@a.example").await;
    let page = app.page(&investor, "/portal/complaints").await;
    let raised = app
        .post_form(
            &investor,
            "/portal/complaints",
            &[
                ("form_key", form_key_in(&page).as_str()),
                ("category", "service"),
                ("description", "电话无人接听。"),
            ],
        )
        .await;
    let id = portal::id_in(&location(&raised));
    assert_eq!(badges(&app, &investor).await["new_responses"], 0);

    // An internal note is not news to the investor; a response is, in the badge and the list.
    respond(&app, &rm, id, "note", "内部：已转客服").await;
    assert_eq!(badges(&app, &investor).await["new_responses"], 0);
    app.clock.advance(chrono::Duration::minutes(5));
    respond(&app, &rm, id, "response", "抱歉，已安排专人回电。").await;
    assert_eq!(badges(&app, &investor).await["new_responses"], 1);
    let overview = app.page(&investor, "/portal").await;
    assert!(overview.contains("id=\"responses-badge\""), "{overview}");
    let list = app.page(&investor, "/portal/complaints").await;
    assert!(list.contains("new-response"), "{list}");

    // Opening it sees it; a later response is new again.
    let opened = app
        .page(&investor, &format!("/portal/complaints/{id}"))
        .await;
    assert!(opened.contains("已安排专人回电"), "{opened}");
    assert_eq!(badges(&app, &investor).await["new_responses"], 0);
    assert!(
        !app.page(&investor, "/portal/complaints")
            .await
            .contains("new-response")
    );
    app.clock.advance(chrono::Duration::minutes(5));
    respond(&app, &rm, id, "response", "已回电。").await;
    assert_eq!(badges(&app, &investor).await["new_responses"], 1);

    // Seeing it is not a change staff could conflict with: the record's version stays.
    let before = version(&app, id).await;
    app.page(&investor, &format!("/portal/complaints/{id}"))
        .await;
    assert_eq!(version(&app, id).await, before);
}
