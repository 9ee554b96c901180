//! Response-time targets: a complaint is due by its severity's targets; one that misses a
//! target is escalated once (marked, the assignee's manager and the CRM officers told, the
//! escalation audited) by the job, however often it runs; staff filter the queue by
//! breached and due soon. The clock is the test's own.
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::server::{jobs, sqlx};
use covenant::with_db;

crate::on_both_engines!(
    a_missed_target_is_escalated_once_to_the_manager_and_the_crm_officer,
    staff_log_a_phone_complaint_assigned_to_the_owner_and_timed_by_its_severity,
    a_crm_officer_sets_the_targets_and_complaints_opened_afterwards_follow_them,
);

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    with_db!(&app.db, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).expect(sql)
}

/// Schedules this moment's periodic jobs and runs everything due.
async fn run_jobs(app: &TestApp) {
    jobs::schedule_periodic(&app.db, app.clock_now())
        .await
        .expect("schedule");
    jobs::run_due(&app.state, "test").await.expect("jobs");
}

/// The ids of the complaints the queue tab `show` lists.
async fn listed(app: &TestApp, staff: &reqwest::Client, show: &str) -> Vec<i64> {
    let page = app.page(staff, &format!("/complaints?show={show}")).await;
    page.split("href=\"/complaints/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

async fn a_missed_target_is_escalated_once_to_the_manager_and_the_crm_officer(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let manager = app
        .add_staff(
            "wang.qiang@covenant.example",
            "王强",
            Role::Rm,
            "Manager-Pass-2026",
        )
        .await;
    let (_, officer) = app
        .staff_browser("chen.jing@covenant.example", "陈静", Role::CrmOfficer)
        .await;
    app.add_staff(
        "zhao.lei@covenant.example",
        "赵磊",
        Role::Rm,
        "Other-Pass-2026",
    )
    .await;
    with_db!(&app.db, c => sqlx::query("UPDATE users SET reports_to = $1 WHERE id = $2")
        .bind(manager)
        .bind(rm_id)
        .execute(c)
        .await
        .map(|_| ()))
    .expect("manager");
    let fund = fixtures::client(&app, rm_id, "长江绿色基础设施基金", true, false).await;
    let (_, _, investor) = portal::investor(&app, &rm, fund, "周敏", "zhou.min@a.example").await;

    // Raised now at medium severity: a first response is due in 24 hours, resolution in 7 days.
    let late = portal::complaint(&app, &investor, "电话无人接听。").await;
    let answered = portal::complaint(&app, &investor, "报告格式不清楚。").await;
    let column_of =
        |column: &str, id: i64| format!("SELECT {column} FROM complaints WHERE id = {id}");
    let opened = app.clock_now();
    for id in [late, answered] {
        let due: chrono::DateTime<chrono::Utc> = with_db!(&app.db, c => sqlx::query_scalar(
            &column_of("first_response_due_at", id)
        )
        .fetch_one(c)
        .await)
        .expect("due");
        assert_eq!(due - opened, chrono::Duration::hours(24));
    }
    // One is answered in time.
    let v = scalar(&app, &column_of("version", answered))
        .await
        .to_string();
    let posted = app
        .post_form(
            &rm,
            &format!("/complaints/{answered}/respond"),
            &[
                ("kind", "response"),
                ("body", "已收到，正在调整格式。"),
                ("version", v.as_str()),
            ],
        )
        .await;
    assert_eq!(posted.status(), 303);

    // 21 hours on: due soon, nothing escalated.
    app.clock.advance(chrono::Duration::hours(21));
    run_jobs(&app).await;
    assert_eq!(listed(&app, &officer, "soon").await, vec![late]);
    assert!(listed(&app, &officer, "breached").await.is_empty());
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM complaint_escalations").await,
        0
    );

    // 25 hours on: the unanswered one missed its first response and is escalated.
    app.clock.advance(chrono::Duration::hours(4));
    run_jobs(&app).await;
    assert_eq!(listed(&app, &officer, "breached").await, vec![late]);
    assert!(listed(&app, &officer, "soon").await.is_empty());
    assert_eq!(
        scalar(
            &app,
            &format!(
                "SELECT COUNT(*) FROM complaints WHERE id = {late} AND escalated_at IS NOT NULL"
            )
        )
        .await,
        1
    );
    let to_manager = mails_to(&app, "wang.qiang@covenant.example");
    let to_officer = mails_to(&app, "chen.jing@covenant.example");
    assert_eq!((to_manager.len(), to_officer.len()), (1, 1));
    assert!(
        to_manager[0].1.contains(&format!("/complaints/{late}")),
        "{to_manager:?}"
    );
    assert!(
        mails_to(&app, "zhao.lei@covenant.example").is_empty(),
        "not their complaint"
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint.escalate'"
        )
        .await,
        1
    );
    // The client's decline signal now shows the overdue complaint.
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT risk_severity FROM clients WHERE id = {fund}")
        )
        .await,
        2
    );
    // The investor's own reads carry none of that internal handling.
    let theirs = investor
        .get(app.url("/rpc/portal/complaints"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .unwrap_or_default();
    assert!(
        theirs.contains(&format!("\"id\":{late}")) && !theirs.contains("\"escalated\":true"),
        "{theirs}"
    );
    assert!(
        !theirs.contains("Breached") && !theirs.contains("DueSoon"),
        "{theirs}"
    );
    let detail = app.page(&officer, &format!("/complaints/{late}")).await;
    assert!(detail.contains("id=\"escalations\""), "{detail}");

    // Running again, on any number of workers, escalates nothing twice.
    run_jobs(&app).await;
    jobs::run_due(&app.state, "other").await.expect("jobs");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM complaint_escalations").await,
        1
    );
    assert_eq!(mails_to(&app, "wang.qiang@covenant.example").len(), 1);

    // Eight days on, both missed resolution: each target escalates once more.
    app.clock.advance(chrono::Duration::days(7));
    run_jobs(&app).await;
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM complaint_escalations WHERE target = 'resolution'"
        )
        .await,
        2
    );
    assert_eq!(mails_to(&app, "chen.jing@covenant.example").len(), 3);
    assert_eq!(mails_to(&app, "wang.qiang@covenant.example").len(), 3);
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT risk_severity FROM clients WHERE id = {fund}")
        )
        .await,
        3,
        "two overdue complaints"
    );
    // The dashboard: two open medium complaints, both past a target; this month one
    // answered, within its target.
    let dashboard = app.page(&officer, "/complaints/dashboard").await;
    let medium = dashboard
        .split("data-severity=\"medium\"")
        .nth(1)
        .and_then(|row| row.split("</tr>").next())
        .unwrap_or_default();
    assert!(
        medium.contains("<td class=\"num\">2</td><td class=\"num\">2</td>"),
        "{dashboard}"
    );
    let month = dashboard
        .split("data-month=")
        .nth(1)
        .and_then(|row| row.split("</tr>").next())
        .unwrap_or_default();
    assert!(month.contains("<td class=\"num\">100%</td>"), "{month}");
    let at_risk = app.page(&rm, "/lifecycle/at-risk").await;
    assert!(at_risk.contains("2 个未结投诉已超过响应时限"), "{at_risk}");
}

async fn staff_log_a_phone_complaint_assigned_to_the_owner_and_timed_by_its_severity(
    engine: Engine,
) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let (_, viewer) = app
        .staff_browser("sun.li@covenant.example", "孙丽", Role::Viewer)
        .await;
    let fund = fixtures::client(&app, rm_id, "长江绿色基础设施基金", true, false).await;
    let contact = fixtures::contact(&app, fund, "周敏").await;
    let page = app.page(&rm, &format!("/clients/{fund}")).await;
    assert!(page.contains("id=\"log-complaint\""), "{page}");
    let key = form_key_in(
        page.split("id=\"log-complaint\"")
            .nth(1)
            .unwrap_or_default(),
    );
    let contact_id = contact.to_string();
    let form = [
        ("form_key", key.as_str()),
        ("source", "phone"),
        ("contact", contact_id.as_str()),
        ("category", "payment"),
        ("severity", "critical"),
        ("description", "第二季度分配款晚到两周。"),
    ];

    // A viewer may not log one; nothing is recorded.
    let refused = app
        .post_form(&viewer, &format!("/clients/{fund}/complaints"), &form)
        .await;
    assert_eq!(refused.status(), 403);
    assert!(
        !app.page(&viewer, &format!("/clients/{fund}"))
            .await
            .contains("id=\"log-complaint\"")
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM complaints").await, 0);

    // A bad choice comes back with the text kept.
    let mut wrong = form;
    wrong[1] = ("source", "portal");
    let again = app
        .post_form(&rm, &format!("/clients/{fund}/complaints"), &wrong)
        .await;
    assert_eq!(again.status(), 422);
    assert!(
        again
            .text()
            .await
            .unwrap_or_default()
            .contains("第二季度分配款晚到两周。")
    );

    // Logged (twice, as a double click would): one complaint, the owner's, due in 4 hours.
    let first = app
        .post_form(&rm, &format!("/clients/{fund}/complaints"), &form)
        .await;
    let second = app
        .post_form(&rm, &format!("/clients/{fund}/complaints"), &form)
        .await;
    assert_eq!(location(&first), location(&second));
    let id = portal::id_in(&location(&first));
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM complaints").await, 1);
    assert_eq!(
        scalar(&app, &format!("SELECT COUNT(*) FROM complaints WHERE id = {id} AND source = 'phone' AND assignee_id = {rm_id} AND created_by = {rm_id} AND contact_id = {contact}")).await,
        1
    );
    let due: chrono::DateTime<chrono::Utc> = with_db!(&app.db, c => sqlx::query_scalar(
        "SELECT first_response_due_at FROM complaints WHERE id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)
    .expect("due");
    assert_eq!(due - app.clock_now(), chrono::Duration::hours(4));
    let detail = app.page(&rm, &location(&first)).await;
    assert!(
        detail.contains("第二季度分配款晚到两周。") && detail.contains("id=\"targets\""),
        "{detail}"
    );
    let queue = app.page(&rm, "/complaints").await;
    assert!(queue.contains(&format!("href=\"/complaints/{id}\"")));

    // Triage: lowered to low severity, it is due by the low targets, counted from opening.
    let opened = app.clock_now();
    app.clock.advance(chrono::Duration::hours(1));
    let v = scalar(
        &app,
        &format!("SELECT version FROM complaints WHERE id = {id}"),
    )
    .await
    .to_string();
    let triaged = app
        .post_form(
            &rm,
            &format!("/complaints/{id}/respond"),
            &[
                ("kind", "note"),
                ("severity", "low"),
                ("version", v.as_str()),
            ],
        )
        .await;
    assert_eq!(triaged.status(), 303);
    let due: chrono::DateTime<chrono::Utc> = with_db!(&app.db, c => sqlx::query_scalar(
        "SELECT first_response_due_at FROM complaints WHERE id = $1 AND severity = 'low'"
    )
    .bind(id)
    .fetch_one(c)
    .await)
    .expect("triaged");
    assert_eq!(due - opened, chrono::Duration::hours(72));
}

/// The targets form with every severity at its installed hours but `changes`.
fn targets_form(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut form = vec![
        ("low_first", "72"),
        ("low_resolution", "336"),
        ("medium_first", "24"),
        ("medium_resolution", "168"),
        ("high_first", "8"),
        ("high_resolution", "72"),
        ("critical_first", "4"),
        ("critical_resolution", "48"),
    ];
    for (name, value) in changes {
        if let Some(slot) = form.iter_mut().find(|(n, _)| n == name) {
            slot.1 = value;
        }
    }
    form
}

async fn first_response_hours(
    app: &TestApp,
    id: i64,
    opened: chrono::DateTime<chrono::Utc>,
) -> i64 {
    let due: chrono::DateTime<chrono::Utc> = with_db!(&app.db, c => sqlx::query_scalar(
        "SELECT first_response_due_at FROM complaints WHERE id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)
    .expect("due");
    (due - opened).num_hours()
}

async fn a_crm_officer_sets_the_targets_and_complaints_opened_afterwards_follow_them(
    engine: Engine,
) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let (_, officer) = app
        .staff_browser("chen.jing@covenant.example", "陈静", Role::CrmOfficer)
        .await;
    let fund = fixtures::client(&app, rm_id, "长江绿色基础设施基金", true, false).await;
    let (_, _, investor) = portal::investor(&app, &rm, fund, "周敏", "zhou.min@a.example").await;
    let opened_before = app.clock_now();
    let before = portal::complaint(&app, &investor, "季度报告晚到。").await;
    let targets_sql = "SELECT first_response_hours * 1000 + resolution_hours FROM complaint_targets
                       WHERE severity = 'medium'";

    // Everyone on the staff reads the targets; a manager may not change them.
    let page = app.page(&rm, "/complaints/targets").await;
    assert!(
        page.contains("id=\"targets\"") && !page.contains("name=\"medium_first\""),
        "{page}"
    );
    let refused = app
        .post_form(
            &rm,
            "/complaints/targets",
            &targets_form(&[("medium_first", "2")]),
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(scalar(&app, targets_sql).await, 24_168);

    // Bad hours come back on the form with a message per field, and nothing changes.
    let bad = app
        .post_form(
            &officer,
            "/complaints/targets",
            &targets_form(&[("medium_first", "0"), ("high_first", "100")]),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let bad = bad.text().await.expect("body");
    assert!(bad.contains("请输入 1 至 8784 之间的整数小时。"), "{bad}");
    assert!(bad.contains("解决时限不能短于首次回复时限。"), "{bad}");
    assert!(
        bad.contains("id=\"medium_first\"") && bad.contains("value=\"0\""),
        "{bad}"
    );
    assert_eq!(scalar(&app, targets_sql).await, 24_168);

    // The officer sets medium to 2 and 10 hours: saved, shown with who changed it, audited.
    let saved = app
        .post_form(
            &officer,
            "/complaints/targets",
            &targets_form(&[("medium_first", "2"), ("medium_resolution", "10")]),
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), "/complaints/targets?saved=1");
    assert_eq!(scalar(&app, targets_sql).await, 2_010);
    let page = app.page(&officer, "/complaints/targets?saved=1").await;
    assert!(
        page.contains("时限已保存：1 个严重程度已更改。") && page.contains("陈静"),
        "{page}"
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'complaint.targets'"
        )
        .await,
        1
    );

    // A complaint raised now is due by the new targets; the earlier one keeps its due time.
    let opened_after = app.clock_now();
    let after = portal::complaint(&app, &investor, "分配款未到账。").await;
    assert_eq!(first_response_hours(&app, after, opened_after).await, 2);
    assert_eq!(first_response_hours(&app, before, opened_before).await, 24);
}
