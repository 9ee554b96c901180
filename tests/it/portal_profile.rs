//! What an investor chooses in their profile, and the e-mail that follows from it: a
//! published update is mailed once to each investor of the project who wants it (also when
//! the job runs again after a restart), an answer is not mailed to someone who turned that
//! off; contact details update the shared contact record; a change request leaves the
//! record alone, reaches the relationship manager and is marked handled by them.
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::pipeline::model::DealStage;
use covenant::server::{jobs, sqlx};
use covenant::with_db;

crate::on_both_engines!(
    a_published_update_is_mailed_once_to_each_investor_who_wants_it_even_after_a_restart,
    the_profile_changes_contact_details_and_e_mail_and_asks_the_manager_for_the_rest,
);

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    with_db!(&app.db, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).expect(sql)
}

struct Setup {
    rm: reqwest::Client,
    project: i64,
    fund: i64,
    other_fund: i64,
}

async fn setup(app: &TestApp) -> Setup {
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let sponsor = fixtures::client(app, rm_id, "西部风电开发有限公司", false, true).await;
    let project = fixtures::project(app, rm_id, sponsor, "甘肃酒泉风电二期").await;
    let elsewhere = fixtures::project(app, rm_id, sponsor, "另一个项目").await;
    let fund = fixtures::client(app, rm_id, "长江绿色基础设施基金", true, false).await;
    let other_fund = fixtures::client(app, rm_id, "其他投资者", true, false).await;
    for (f, p) in [(fund, project), (other_fund, elsewhere)] {
        fixtures::deal(
            app,
            rm_id,
            f,
            p,
            DealStage::Committed,
            50_000_000,
            Some(50_000_000),
        )
        .await;
    }
    Setup {
        rm,
        project: project.0,
        fund,
        other_fund,
    }
}

/// Posts the profile form as `investor` sees it, with `fields` instead.
async fn save_profile(
    app: &TestApp,
    investor: &reqwest::Client,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.post_form(investor, "/portal/profile", fields).await
}

async fn a_published_update_is_mailed_once_to_each_investor_who_wants_it_even_after_a_restart(
    engine: Engine,
) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let s = setup(&app).await;
    let (_, _, _wants) = portal::investor(&app, &s.rm, s.fund, "周敏", "zhou.min@a.example").await;
    let (_, _, opted_out) =
        portal::investor(&app, &s.rm, s.fund, "陈静", "chen.jing@a.example").await;
    let (_, _, _outsider) =
        portal::investor(&app, &s.rm, s.other_fund, "吴昊", "wu.hao@o.example").await;
    let off = save_profile(
        &app,
        &opted_out,
        &[("phone", ""), ("language", "zh"), ("notify_answers", "on")],
    )
    .await;
    assert_eq!(location(&off), "/portal/profile?saved=1");

    let id = portal::draft(
        &app,
        &s.rm,
        s.project,
        "covenant_report",
        "2026年第三季度契约合规报告",
        "DSCR 1.38 倍。",
    )
    .await;
    assert!(
        mails_to(&app, "zhou.min@a.example").is_empty(),
        "nothing before publication"
    );
    portal::publish(&app, &s.rm, s.project, id).await;

    // The server stops after the job queued the mail but before it was marked done: the
    // job is claimed again once its claim expires, and runs again.
    let claimed = loop {
        let job = jobs::claim(&app.db, "before-restart", app.clock_now())
            .await
            .expect("claim")
            .expect("a due job");
        if job.kind == jobs::kind::UPDATE_NOTIFY {
            break job;
        }
    };
    covenant::projects::updates::notify::run(&app.state, &claimed.payload)
        .await
        .expect("first run");
    app.clock
        .advance(chrono::Duration::seconds(jobs::CLAIM_SECONDS + 1));
    jobs::run_due(&app.state, "after-restart")
        .await
        .expect("jobs");
    jobs::run_due(&app.state, "after-restart")
        .await
        .expect("jobs");

    let mails = mails_to(&app, "zhou.min@a.example");
    assert_eq!(mails.len(), 1, "{mails:?}");
    let (subject, text) = &mails[0];
    assert!(subject.contains("2026年第三季度契约合规报告"), "{subject}");
    assert!(
        text.contains(&format!("{}/portal/updates/{id}", app.origin)),
        "{text}"
    );
    assert!(
        text.contains("确认已阅读并理解"),
        "a disclosure asks for acknowledgement: {text}"
    );
    assert!(
        mails_to(&app, "chen.jing@a.example").is_empty(),
        "turned off"
    );
    assert!(
        mails_to(&app, "wu.hao@o.example").is_empty(),
        "not in the project"
    );
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT COUNT(*) FROM outbox WHERE purpose = 'portal.update:{id}'")
        )
        .await,
        1
    );
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM jobs WHERE done_at IS NULL").await,
        0,
        "every job finished"
    );
}

async fn the_profile_changes_contact_details_and_e_mail_and_asks_the_manager_for_the_rest(
    engine: Engine,
) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let s = setup(&app).await;
    let (_, contact, investor) =
        portal::investor(&app, &s.rm, s.fund, "周敏", "zhou.min@a.example").await;

    let page = app.page(&investor, "/portal/profile").await;
    assert!(
        page.contains("长江绿色基础设施基金") && !page.contains("其他投资者"),
        "{page}"
    );

    // A bad phone number is refused with its message and changes nothing.
    let bad = save_profile(&app, &investor, &[("phone", "12ab"), ("language", "zh")]).await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.expect("page").contains("12ab"));

    // Phone and language reach the shared contact record; answers are no longer mailed.
    let saved = save_profile(
        &app,
        &investor,
        &[
            ("phone", "+86 21 6888 0000"),
            ("language", "en"),
            ("notify_updates", "on"),
        ],
    )
    .await;
    assert_eq!(location(&saved), "/portal/profile?saved=1");
    let client_page = app.page(&s.rm, &format!("/clients/{}", s.fund)).await;
    assert!(client_page.contains("+86 21 6888 0000"), "{client_page}");
    let language: String =
        with_db!(&app.db, c => sqlx::query_scalar("SELECT language FROM contacts WHERE id = $1")
        .bind(contact)
        .fetch_one(c)
        .await)
        .expect("contact");
    assert_eq!(language, "en");
    let page = app.page(&investor, "/portal/profile").await;
    assert!(
        page.contains("+86 21 6888 0000") && page.contains("Your change requests"),
        "the portal speaks English now"
    );

    let questions = app.page(&investor, "/portal/questions").await;
    let asked = app
        .post_form(
            &investor,
            "/portal/questions",
            &[
                ("form_key", form_key_in(&questions).as_str()),
                ("subject", "首次分配时间"),
                ("body", "请问首次分配预计在什么时候？"),
            ],
        )
        .await;
    let question = portal::id_in(&location(&asked));
    let answered = app
        .post_form(
            &s.rm,
            &format!("/questions/{question}/answer"),
            &[("body", "预计在明年第二季度。")],
        )
        .await;
    assert_eq!(answered.status(), 303);
    jobs::run_due(&app.state, "test").await.expect("jobs");
    assert!(
        mails_to(&app, "zhou.min@a.example").is_empty(),
        "answers are not mailed any more"
    );

    // A change request leaves the record as it is and reaches the relationship manager.
    let risk_before = scalar(&app, &format!("SELECT COUNT(*) FROM investor_profiles WHERE client_id = {} AND risk_appetite = 'growth'", s.fund)).await;
    let page = app.page(&investor, "/portal/profile").await;
    let fund = s.fund.to_string();
    let request = [
        ("form_key", form_key_in(&page)),
        ("client", fund.clone()),
        ("field", "risk_appetite".to_string()),
        ("risk_appetite", "growth".to_string()),
        ("note", "投资委员会已批准新的投资政策。".to_string()),
    ];
    let first = app
        .post_form(&investor, "/portal/profile/requests", &request)
        .await;
    let again = app
        .post_form(&investor, "/portal/profile/requests", &request)
        .await;
    assert_eq!(location(&first), "/portal/profile?requested=1#requests");
    assert_eq!(location(&again), location(&first));
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM profile_change_requests").await,
        1
    );
    assert_eq!(
        scalar(&app, &format!("SELECT COUNT(*) FROM investor_profiles WHERE client_id = {} AND risk_appetite = 'growth'", s.fund)).await,
        risk_before,
        "the record is unchanged"
    );
    jobs::run_due(&app.state, "test").await.expect("jobs");
    let to_rm = mails_to(&app, "li.na@covenant.example");
    assert_eq!(to_rm.len(), 1, "{to_rm:?}");
    assert!(
        to_rm[0].0.contains("长江绿色基础设施基金"),
        "{}",
        to_rm[0].0
    );
    assert!(
        to_rm[0]
            .1
            .contains(&format!("/clients/{}#change-requests", s.fund))
    );

    // Someone else's entity cannot be named.
    let page = app.page(&investor, "/portal/profile").await;
    let other = s.other_fund.to_string();
    let refused = app
        .post_form(
            &investor,
            "/portal/profile/requests",
            &[
                ("form_key", form_key_in(&page).as_str()),
                ("client", other.as_str()),
                ("field", "ticket_size"),
                ("ticket_size", "1亿–3亿元"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM profile_change_requests").await,
        1
    );

    // The manager sees it on the client page and marks it handled; the investor sees that.
    let client_page = app.page(&s.rm, &format!("/clients/{}", s.fund)).await;
    assert!(
        client_page.contains("投资委员会已批准新的投资政策。") && client_page.contains("待处理"),
        "{client_page}"
    );
    let request_id = scalar(&app, "SELECT id FROM profile_change_requests").await;
    let handled = app
        .post_form(
            &s.rm,
            &format!("/clients/{}/change-requests/{request_id}/handled", s.fund),
            &[("x", "")],
        )
        .await;
    assert_eq!(
        location(&handled),
        format!("/clients/{}?request_handled=1#change-requests", s.fund)
    );
    let page = app.page(&investor, "/portal/profile").await;
    assert!(page.contains("Handled"), "{page}");
}
