//! Questions from the portal: an investor asks about one of their projects (once per form
//! key); the question waits in the staff queue; the owner's answer reaches the investor by
//! e-mail (a real MIME message, in their language, linking to the thread) and as an unread
//! mark until they open it; another investor can neither read nor answer the thread, and
//! may not ask about a project that is not theirs.
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::pipeline::model::DealStage;
use covenant::server::{jobs, sqlx};
use covenant::with_db;

crate::on_both_engines!(a_question_is_answered_and_the_investor_is_told);

fn form_key(page: &str) -> String {
    page.split("name=\"form_key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form key")
        .to_string()
}

async fn question_count(app: &TestApp) -> i64 {
    with_db!(&app.db, c => sqlx::query_scalar("SELECT COUNT(*) FROM questions").fetch_one(c).await)
        .expect("count")
}

async fn a_question_is_answered_and_the_investor_is_told(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let sponsor = fixtures::client(&app, rm_id, "西部风电开发有限公司", false, true).await;
    let project = fixtures::project(&app, rm_id, sponsor, "甘肃酒泉风电二期").await;
    let other_project = fixtures::project(&app, rm_id, sponsor, "另一个项目").await;
    let fund = fixtures::client(&app, rm_id, "长江绿色基础设施基金", true, false).await;
    fixtures::deal(
        &app,
        rm_id,
        fund,
        project,
        DealStage::Committed,
        60_000_000,
        Some(60_000_000),
    )
    .await;
    let other = fixtures::client(&app, rm_id, "其他投资者", true, false).await;
    fixtures::deal(
        &app,
        rm_id,
        other,
        other_project,
        DealStage::Committed,
        10_000_000,
        Some(10_000_000),
    )
    .await;
    let email = "zhou.min@changjiang-fund.example";
    let (_, _, investor) = portal::investor(&app, &rm, fund, "周敏", email).await;
    let (_, _, outsider) = portal::investor(&app, &rm, other, "吴昊", "wu.hao@other.example").await;

    // Asking about someone else's project is refused and records nothing.
    let page = app.page(&investor, "/portal/questions").await;
    assert!(
        page.contains("甘肃酒泉风电二期") && !page.contains("另一个项目"),
        "{page}"
    );
    let key = form_key(&page);
    let wrong = other_project.0.to_string();
    let refused = app
        .post_form(
            &investor,
            "/portal/questions",
            &[
                ("form_key", key.as_str()),
                ("project", wrong.as_str()),
                ("subject", "分配"),
                ("body", "何时分配？"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(question_count(&app).await, 0);

    // Asked twice with the same form (a double click): one question.
    let mine = project.0.to_string();
    let ask = [
        ("form_key", key.as_str()),
        ("project", mine.as_str()),
        ("subject", "首次分配时间"),
        ("body", "请问二期项目的首次分配预计在什么时候？"),
    ];
    let first = app.post_form(&investor, "/portal/questions", &ask).await;
    let again = app.post_form(&investor, "/portal/questions", &ask).await;
    assert_eq!(location(&first), location(&again));
    assert_eq!(question_count(&app).await, 1);
    let id = portal::id_in(&location(&first));

    let queue = app.page(&rm, "/questions").await;
    assert!(
        queue.contains("首次分配时间") && queue.contains("周敏"),
        "{queue}"
    );

    // The outsider can neither read nor follow up on it.
    let (status, body) = {
        let r = outsider
            .get(app.url(&format!("/portal/questions/{id}")))
            .send()
            .await
            .expect("GET");
        (r.status().as_u16(), r.text().await.expect("body"))
    };
    assert_eq!(status, 404);
    assert!(!body.contains("首次分配时间"));
    let follow = app
        .post_form(
            &outsider,
            &format!("/portal/questions/{id}/reply"),
            &[("body", "插话")],
        )
        .await;
    assert_eq!(follow.status(), 404);

    // Only staff who may edit the fund's client answer it.
    let (_, analyst) = app
        .staff_browser("analyst@covenant.example", "分析师", Role::Analyst)
        .await;
    let forbidden = app
        .post_form(
            &analyst,
            &format!("/questions/{id}/answer"),
            &[("body", "不该发出")],
        )
        .await;
    assert_eq!(forbidden.status(), 403);
    app.clock.advance(chrono::Duration::minutes(30));
    let answered = app
        .post_form(
            &rm,
            &format!("/questions/{id}/answer"),
            &[("body", "预计在 2027 年第二季度完成首次分配。")],
        )
        .await;
    assert_eq!(location(&answered), format!("/questions/{id}?answered=1"));
    assert_eq!(
        jobs::run_due(&app.state, "test").await.expect("jobs"),
        1,
        "one e-mail"
    );

    let mail = std::fs::read_dir(&app.mail_dir)
        .expect("mail directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|path| {
            let raw = std::fs::read(&path).ok()?;
            let message = mail_parser::MessageParser::default().parse(&raw)?;
            let to = message.to()?.first()?.address.as_deref()? == email;
            to.then(|| {
                (
                    message.subject().unwrap_or_default().to_string(),
                    message.body_text(0).unwrap_or_default().to_string(),
                )
            })
        })
        .next()
        .expect("the answer mail");
    assert!(mail.0.contains("首次分配时间"), "{}", mail.0);
    assert!(
        mail.1
            .contains(&format!("{}/portal/questions/{id}", app.origin)),
        "{}",
        mail.1
    );

    let overview = app.page(&investor, "/portal/questions").await;
    assert!(overview.contains("新回复"), "an unread answer: {overview}");
    app.clock.advance(chrono::Duration::minutes(30));
    let thread = app
        .page(&investor, &format!("/portal/questions/{id}"))
        .await;
    assert!(
        thread.contains("2027 年第二季度") && thread.contains("李娜"),
        "{thread}"
    );
    assert!(
        !app.page(&investor, "/portal/questions")
            .await
            .contains("新回复"),
        "seen"
    );
}
