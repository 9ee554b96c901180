//! Getting into the investor portal: an invitation e-mailed as a real MIME message whose
//! link sets the password once; expired, used and tampered links get a clear page; password
//! reset; portal and staff sessions never pass for each other; a deactivated investor is out
//! at once; an investor sees only the entities they act for, whatever id they type.
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::pipeline::model::DealStage;
use covenant::server::jobs;

crate::on_both_engines!(
    an_invited_contact_sets_a_password_from_the_mail_and_sees_their_portal,
    expired_used_and_tampered_links_each_get_a_clear_page_and_change_nothing,
    a_forgotten_password_is_reset_by_mail_and_the_old_one_stops_working,
    portal_and_staff_sessions_do_not_pass_for_each_other,
    a_deactivated_investor_is_out_at_once,
    an_investor_sees_only_the_entities_they_act_for,
    someone_already_in_the_portal_is_told_of_a_new_entity_and_keeps_their_password,
);

const INVESTOR_PASSWORD: &str = "Jade-Harbour-2031-xy";

/// The one message to `to` in the app's mail directory, decoded as a mail client would;
/// the file is removed so the next call sees only newer mail. (subject, text)
fn take_mail(app: &TestApp, to: &str) -> (String, String) {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&app.mail_dir).expect("mail directory") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|x| x != "eml") {
            continue;
        }
        let raw = std::fs::read(&path).expect("mail file");
        let message = mail_parser::MessageParser::default()
            .parse(&raw)
            .expect("a MIME message");
        let addressed = message
            .to()
            .and_then(|t| t.first())
            .and_then(|a| a.address.as_deref())
            == Some(to);
        if addressed {
            found.push((
                path,
                message.subject().unwrap_or_default().to_string(),
                message.body_text(0).unwrap_or_default().to_string(),
            ));
        }
    }
    assert_eq!(found.len(), 1, "one message to {to}");
    let (path, subject, text) = found.remove(0);
    std::fs::remove_file(path).expect("remove mail file");
    (subject, text)
}

/// The path of the link in a message that goes to `/portal/<kind>/…`.
fn link_path(app: &TestApp, text: &str, kind: &str) -> String {
    let url = text
        .split_whitespace()
        .find(|w| w.contains(&format!("/portal/{kind}/")))
        .unwrap_or_else(|| panic!("a {kind} link in {text}"));
    url.strip_prefix(&app.origin)
        .unwrap_or_else(|| panic!("{url} is built from PUBLIC_URL {}", app.origin))
        .to_string()
}

struct Portal {
    rm: reqwest::Client,
    rm_id: i64,
    fund: i64,
    contact: i64,
    email: &'static str,
}

/// An RM, an investor fund with a contact who has an e-mail address.
async fn investor_fund(app: &TestApp) -> Portal {
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let fund = fixtures::client(app, rm_id, "长江绿色基础设施基金", true, false).await;
    let email = "zhou.min@changjiang-fund.example";
    let contact = fixtures::contact_with_email(app, fund, "周敏", email, "zh").await;
    Portal {
        rm,
        rm_id,
        fund,
        contact,
        email,
    }
}

/// The RM invites the contact; the job sends the mail; returns the link's path.
async fn invite(app: &TestApp, p: &Portal, client: i64, contact: i64, email: &str) -> String {
    let answer = app
        .post_form(
            &p.rm,
            &format!("/clients/{client}/contacts/{contact}/portal-invite"),
            &[("x", "")],
        )
        .await;
    assert_eq!(answer.status(), 303);
    assert_eq!(
        location(&answer),
        format!("/clients/{client}?portal_done=invited#portal")
    );
    jobs::run_due(&app.state, "test").await.expect("run jobs");
    let (_, text) = take_mail(app, email);
    link_path(app, &text, "invite")
}

async fn set_password(app: &TestApp, browser: &reqwest::Client, path: &str) -> reqwest::Response {
    app.post_form(
        browser,
        path,
        &[
            ("new_password", INVESTOR_PASSWORD),
            ("confirm", INVESTOR_PASSWORD),
        ],
    )
    .await
}

async fn portal_sign_in(
    app: &TestApp,
    browser: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    app.post_form(
        browser,
        "/portal/login",
        &[("email", email), ("password", password)],
    )
    .await
}

async fn status_of(app: &TestApp, browser: &reqwest::Client, path: &str) -> (u16, String) {
    let r = browser.get(app.url(path)).send().await.expect("GET");
    let status = r.status().as_u16();
    let location = location(&r);
    let body = r.text().await.expect("body");
    (status, if location.is_empty() { body } else { location })
}

async fn an_invited_contact_sets_a_password_from_the_mail_and_sees_their_portal(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let p = investor_fund(&app).await;
    let sponsor = fixtures::client(&app, p.rm_id, "西部风电开发有限公司", false, true).await;
    let project = fixtures::project(&app, p.rm_id, sponsor, "甘肃酒泉风电二期").await;
    fixtures::deal(
        &app,
        p.rm_id,
        p.fund,
        project,
        DealStage::Committed,
        80_000_000,
        Some(60_000_000),
    )
    .await;

    let client_page = app.page(&p.rm, &format!("/clients/{}", p.fund)).await;
    assert!(
        client_page.contains("portal-invite"),
        "the client page offers the invitation"
    );

    let answer = app
        .post_form(
            &p.rm,
            &format!("/clients/{}/contacts/{}/portal-invite", p.fund, p.contact),
            &[("x", "")],
        )
        .await;
    assert_eq!(answer.status(), 303);
    assert_eq!(jobs::run_due(&app.state, "test").await.expect("jobs"), 1);
    let (subject, text) = take_mail(&app, p.email);
    assert_eq!(
        subject, "邀请您使用 Covenant 投资者门户",
        "in the contact's language"
    );
    assert!(text.contains("周敏") && text.contains("14 天"), "{text}");
    let link = link_path(&app, &text, "invite");

    let investor = app.browser();
    let (status, form) = status_of(&app, &investor, &link).await;
    assert_eq!(status, 200, "{form}");
    assert!(
        form.contains(p.email) && form.contains("name=\"new_password\""),
        "{form}"
    );

    // A weak password shows the form again with the message, and uses nothing up.
    let weak = app
        .post_form(
            &investor,
            &link,
            &[("new_password", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(weak.status(), 422);
    assert!(
        weak.text()
            .await
            .expect("body")
            .contains("密码至少需要 12 个字符")
    );

    let accepted = set_password(&app, &investor, &link).await;
    assert_eq!(accepted.status(), 303);
    assert_eq!(location(&accepted), "/portal?notice=welcome");
    let overview = app.page(&investor, "/portal").await;
    assert!(overview.contains("长江绿色基础设施基金"), "{overview}");
    assert!(
        overview.contains("甘肃酒泉风电二期") && overview.contains("6,000万"),
        "{overview}"
    );

    // The same person signs in again later with the password they chose.
    let later = app.browser();
    let signed_in = portal_sign_in(&app, &later, p.email, INVESTOR_PASSWORD).await;
    assert_eq!(location(&signed_in), "/portal");
    let wrong = portal_sign_in(&app, &app.browser(), p.email, "Not-the-password-1").await;
    assert!(location(&wrong).starts_with("/portal/login?error=invalid"));

    // The client page now lists them as an active portal user.
    let client_page = app.page(&p.rm, &format!("/clients/{}", p.fund)).await;
    assert!(
        client_page.contains(p.email) && client_page.contains("已启用"),
        "{client_page}"
    );
}

async fn expired_used_and_tampered_links_each_get_a_clear_page_and_change_nothing(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let p = investor_fund(&app).await;
    let link = invite(&app, &p, p.fund, p.contact, p.email).await;
    let visitor = app.browser();

    // Tampered: one hex digit changed.
    let mut tampered = link.clone();
    let last = tampered.pop().expect("a token");
    tampered.push(if last == '0' { '1' } else { '0' });
    let (status, page) = status_of(&app, &visitor, &tampered).await;
    assert_eq!(status, 404);
    assert!(page.contains("此链接无效"), "{page}");
    let refused = set_password(&app, &visitor, &tampered).await;
    assert_eq!(
        location(&refused),
        tampered,
        "back to the page that says why"
    );
    assert_eq!(
        status_of(&app, &visitor, "/portal").await.0,
        303,
        "not signed in"
    );

    // Used: the first acceptance works, the second finds the link used.
    assert_eq!(
        location(&set_password(&app, &visitor, &link).await),
        "/portal?notice=welcome"
    );
    let (status, page) = status_of(&app, &app.browser(), &link).await;
    assert_eq!(status, 410);
    assert!(page.contains("此链接已使用过"), "{page}");
    let other = app.browser();
    let again = app
        .post_form(
            &other,
            &link,
            &[
                ("new_password", "Another-Secret-2044"),
                ("confirm", "Another-Secret-2044"),
            ],
        )
        .await;
    assert_eq!(location(&again), link);
    assert!(
        location(&portal_sign_in(&app, &app.browser(), p.email, INVESTOR_PASSWORD).await)
            == "/portal",
        "the password chosen first still holds"
    );

    // Expired: another contact's invitation, opened 15 days later.
    let late_email = "wu.hao@changjiang-fund.example";
    let late_contact = fixtures::contact_with_email(&app, p.fund, "吴昊", late_email, "zh").await;
    let second = invite(&app, &p, p.fund, late_contact, late_email).await;
    app.clock.advance(chrono::Duration::days(15));
    let (status, page) = status_of(&app, &app.browser(), &second).await;
    assert_eq!(status, 410);
    assert!(page.contains("此链接已过期"), "{page}");
    let late = app.browser();
    assert_eq!(location(&set_password(&app, &late, &second).await), second);
    assert_eq!(
        status_of(&app, &late, "/portal").await.0,
        303,
        "not signed in"
    );
}

async fn a_forgotten_password_is_reset_by_mail_and_the_old_one_stops_working(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let p = investor_fund(&app).await;
    let link = invite(&app, &p, p.fund, p.contact, p.email).await;
    set_password(&app, &app.browser(), &link).await;

    // An unknown address gets the same answer and no mail.
    let someone = app.browser();
    let unknown = app
        .post_form(
            &someone,
            "/portal/reset",
            &[("email", "nobody@example.com")],
        )
        .await;
    assert_eq!(location(&unknown), "/portal/reset?sent=1");
    let known = app
        .post_form(
            &someone,
            "/portal/reset",
            &[("email", "Zhou.Min@Changjiang-Fund.example ")],
        )
        .await;
    assert_eq!(location(&known), "/portal/reset?sent=1");
    assert_eq!(
        jobs::run_due(&app.state, "test").await.expect("jobs"),
        1,
        "one message"
    );
    let (subject, text) = take_mail(&app, p.email);
    assert!(subject.contains("重置"), "{subject}");
    let reset = link_path(&app, &text, "reset");

    let new_password = "Pearl-River-Delta-77";
    let done = app
        .post_form(
            &someone,
            &reset,
            &[("new_password", new_password), ("confirm", new_password)],
        )
        .await;
    assert_eq!(location(&done), "/portal?notice=password_reset");
    let old = portal_sign_in(&app, &app.browser(), p.email, INVESTOR_PASSWORD).await;
    assert!(location(&old).starts_with("/portal/login?error=invalid"));
    let new = portal_sign_in(&app, &app.browser(), p.email, new_password).await;
    assert_eq!(location(&new), "/portal");
    // The invitation link, unused links of the account and the reset link are all spent.
    assert_eq!(status_of(&app, &app.browser(), &reset).await.0, 410);
}

async fn portal_and_staff_sessions_do_not_pass_for_each_other(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let p = investor_fund(&app).await;
    let link = invite(&app, &p, p.fund, p.contact, p.email).await;
    let investor = app.browser();
    set_password(&app, &investor, &link).await;

    let (status, to) = status_of(&app, &investor, "/clients").await;
    assert_eq!((status, to.as_str()), (303, "/login?next=%2Fclients"));
    let staff_fn = investor
        .get(app.url("/rpc/clients/owners"))
        .send()
        .await
        .expect("call");
    assert_eq!(
        staff_fn.status(),
        401,
        "a portal session calls no staff function"
    );

    let (status, to) = status_of(&app, &p.rm, "/portal").await;
    assert_eq!((status, to.as_str()), (303, "/portal/login?next=%2Fportal"));
    let portal_fn =
        p.rm.get(app.url("/rpc/portal/overview"))
            .send()
            .await
            .expect("call");
    assert_eq!(portal_fn.status(), 401, "a staff session is no investor");
    let own = investor
        .get(app.url("/rpc/portal/overview"))
        .send()
        .await
        .expect("call");
    assert_eq!(own.status(), 200);
}

async fn a_deactivated_investor_is_out_at_once(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let p = investor_fund(&app).await;
    let link = invite(&app, &p, p.fund, p.contact, p.email).await;
    let investor = app.browser();
    set_password(&app, &investor, &link).await;
    assert_eq!(status_of(&app, &investor, "/portal").await.0, 200);

    // Another RM may not deactivate someone acting for a client they do not own.
    let (_, stranger) = app
        .staff_browser("zhao.lei@covenant.example", "赵磊", Role::Rm)
        .await;
    let user_id: i64 = covenant::with_db!(&app.db, c => covenant::server::sqlx::query_scalar(
        "SELECT id FROM portal_users WHERE email = $1",
    )
    .bind(p.email)
    .fetch_one(c)
    .await)
    .expect("portal user");
    let path = format!("/clients/{}/portal-users/{user_id}/deactivate", p.fund);
    let refused = app.post_form(&stranger, &path, &[("x", "")]).await;
    assert_eq!(
        location(&refused),
        format!("/clients/{}?portal_error=forbidden#portal", p.fund)
    );
    assert_eq!(status_of(&app, &investor, "/portal").await.0, 200);

    let done = app.post_form(&p.rm, &path, &[("x", "")]).await;
    assert_eq!(
        location(&done),
        format!("/clients/{}?portal_done=deactivated#portal", p.fund)
    );
    let (status, to) = status_of(&app, &investor, "/portal").await;
    assert_eq!((status, to.as_str()), (303, "/portal/login?next=%2Fportal"));
    let again = portal_sign_in(&app, &app.browser(), p.email, INVESTOR_PASSWORD).await;
    assert!(location(&again).starts_with("/portal/login?error=invalid"));
}

async fn an_investor_sees_only_the_entities_they_act_for(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let p = investor_fund(&app).await;
    // The same person also acts for the fund's SPV: one portal user for both.
    let spv = fixtures::client(&app, p.rm_id, "长江绿色一号特殊目的公司", true, false).await;
    let spv_contact = fixtures::contact_with_email(&app, spv, "周敏", p.email, "zh").await;
    // Investor B, with canary names that must never reach A.
    let other = fixtures::client(&app, p.rm_id, "CANARY-B-基金", true, false).await;
    let b_email = "b.investor@canary.example";
    let b_contact =
        fixtures::contact_with_email(&app, other, "CANARY-B-联系人", b_email, "en").await;
    let sponsor = fixtures::client(&app, p.rm_id, "西部风电开发有限公司", false, true).await;
    let shared = fixtures::project(&app, p.rm_id, sponsor, "共同参与的项目").await;
    let b_only = fixtures::project(&app, p.rm_id, sponsor, "CANARY-B-项目").await;
    let prospect = fixtures::project(&app, p.rm_id, sponsor, "仅在开发阶段的项目").await;
    fixtures::deal(
        &app,
        p.rm_id,
        p.fund,
        shared,
        DealStage::Committed,
        50_000_000,
        Some(50_000_000),
    )
    .await;
    fixtures::deal(
        &app,
        p.rm_id,
        spv,
        shared,
        DealStage::TermSheet,
        30_000_000,
        None,
    )
    .await;
    fixtures::deal(
        &app,
        p.rm_id,
        p.fund,
        prospect,
        DealStage::Prospect,
        10_000_000,
        None,
    )
    .await;
    let b_shared = fixtures::deal(
        &app,
        p.rm_id,
        other,
        shared,
        DealStage::Committed,
        777_000_000,
        Some(777_000_000),
    )
    .await;
    fixtures::deal(
        &app,
        p.rm_id,
        other,
        b_only,
        DealStage::Committed,
        10_000_000,
        Some(10_000_000),
    )
    .await;

    let a_link = invite(&app, &p, p.fund, p.contact, p.email).await;
    invite(&app, &p, spv, spv_contact, p.email).await;
    let b_link = invite(&app, &p, other, b_contact, b_email).await;
    let a = app.browser();
    set_password(&app, &a, &a_link).await;
    let b = app.browser();
    set_password(&app, &b, &b_link).await;

    let overview = app.page(&a, "/portal").await;
    assert!(
        overview.contains("长江绿色基础设施基金") && overview.contains("长江绿色一号特殊目的公司"),
        "{overview}"
    );
    assert!(
        overview.contains("5,000万") && overview.contains("3,000万"),
        "{overview}"
    );
    assert!(
        !overview.contains("仅在开发阶段的项目"),
        "a prospect is the RM's own pipeline"
    );

    let (b_only_id, _) = b_only;
    let mut answers = vec![
        overview,
        app.page(&a, "/portal/projects").await,
        app.page(&a, &format!("/portal/projects/{}", shared.0))
            .await,
    ];
    let (status, page) = status_of(&app, &a, &format!("/portal/projects/{b_only_id}")).await;
    assert_eq!(status, 404, "another investor's project is not found");
    answers.push(page);
    for call in [
        format!("/rpc/portal/project?id={b_only_id}"),
        format!("/rpc/portal/overview?after={}", b_shared - 1),
        "/rpc/portal/projects".to_string(),
    ] {
        let r = a.get(app.url(&call)).send().await.expect("call");
        answers.push(r.text().await.expect("body"));
    }
    for answer in &answers {
        assert!(
            !answer.contains("CANARY"),
            "a canary of B reached A: {answer}"
        );
        assert!(
            !answer.contains("77,700万") && !answer.contains("7.77亿"),
            "B's amount reached A"
        );
    }
    // B sees their own and not A's.
    let b_view = app.page(&b, "/portal").await;
    assert!(
        b_view.contains("CANARY-B-项目") && !b_view.contains("长江绿色"),
        "{b_view}"
    );
}

async fn someone_already_in_the_portal_is_told_of_a_new_entity_and_keeps_their_password(
    engine: Engine,
) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let p = investor_fund(&app).await;
    let link = invite(&app, &p, p.fund, p.contact, p.email).await;
    set_password(&app, &app.browser(), &link).await;

    // Later the same person also acts for the fund's SPV: a notice, no password link.
    let spv = fixtures::client(&app, p.rm_id, "长江绿色一号特殊目的公司", true, false).await;
    let spv_contact = fixtures::contact_with_email(&app, spv, "周敏", p.email, "zh").await;
    let path = format!("/clients/{spv}/contacts/{spv_contact}/portal-invite");
    let added = app.post_form(&p.rm, &path, &[("x", "")]).await;
    assert_eq!(
        location(&added),
        format!("/clients/{spv}?portal_done=access_added#portal")
    );
    jobs::run_due(&app.state, "test").await.expect("jobs");
    let (subject, text) = take_mail(&app, p.email);
    assert!(subject.contains("新增了一个主体"), "{subject}");
    assert!(
        text.contains("长江绿色一号特殊目的公司") && !text.contains("/portal/invite/"),
        "{text}"
    );
    assert!(text.contains(&format!("{}/portal", app.origin)), "{text}");

    // The password they chose still signs them in, and the SPV is theirs to see.
    let browser = app.browser();
    assert_eq!(
        location(&portal_sign_in(&app, &browser, p.email, INVESTOR_PASSWORD).await),
        "/portal"
    );
    assert!(
        app.page(&browser, "/portal")
            .await
            .contains("长江绿色一号特殊目的公司")
    );

    // Inviting them again for the same entity is refused with a reason, and mails no one.
    let again = app.post_form(&p.rm, &path, &[("x", "")]).await;
    assert_eq!(
        location(&again),
        format!("/clients/{spv}?portal_error=already_active#portal")
    );
    let page = app
        .page(
            &p.rm,
            &format!("/clients/{spv}?portal_error=already_active"),
        )
        .await;
    assert!(page.contains("已在门户中代表此客户"), "{page}");
    jobs::run_due(&app.state, "test").await.expect("jobs");
    let unsent = std::fs::read_dir(&app.mail_dir)
        .expect("mail directory")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "eml"))
        })
        .count();
    assert_eq!(unsent, 0, "no second message");
}
