//! Staff see per portal user what they read, acknowledged, opened and saved, and look at the
//! portal as that investor sees it: through the portal's own queries for that user,
//! read-only (nothing is recorded as theirs), and audited.
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::pipeline::model::DealStage;
use covenant::server::sqlx;
use covenant::with_db;

crate::on_both_engines!(
    staff_see_what_an_investor_read_acknowledged_and_saved_page_by_page,
    staff_view_the_portal_as_one_investor_read_only_and_audited,
    the_preview_shows_questions_complaints_profile_and_track_record_with_forms_locked,
);

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    with_db!(&app.db, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).expect(sql)
}

/// A fund with a committed deal in a new project of `sponsor`: (fund, project).
async fn fund_in_project(
    app: &TestApp,
    rm_id: i64,
    sponsor: i64,
    fund: &str,
    project: &str,
) -> (i64, i64) {
    let fund = fixtures::client(app, rm_id, fund, true, false).await;
    let project = fixtures::project(app, rm_id, sponsor, project).await;
    fixtures::deal(
        app,
        rm_id,
        fund,
        project,
        DealStage::Committed,
        20_000_000,
        Some(20_000_000),
    )
    .await;
    (fund, project.0)
}

async fn disclosure(app: &TestApp, rm: &reqwest::Client, project: i64, title: &str) -> i64 {
    let id = portal::draft(app, rm, project, "risk_assessment", title, title).await;
    portal::publish(app, rm, project, id).await;
    id
}

async fn shared_document(app: &TestApp, rm: &reqwest::Client, project: i64, title: &str) -> i64 {
    let mut upload = documents::Upload::new(title, "project", "report.txt", b"quarterly".to_vec());
    upload.mime = "text/plain";
    documents::upload(app, rm, project, &upload).await
}

/// The `<dd>` values of the counts list, in order (read, acknowledged, opened, saved).
fn counts(page: &str) -> Vec<String> {
    let list = page
        .split("id=\"engagement-counts\"")
        .nth(1)
        .and_then(|rest| rest.split("</dl>").next())
        .expect("the counts list");
    list.split("<dd>")
        .skip(1)
        .filter_map(|d| d.split("</dd>").next())
        .map(str::to_string)
        .collect()
}

/// The link to the next page of events, if the page has one.
fn next_page(page: &str, user: i64) -> Option<String> {
    let start = format!("href=\"/portal-users/{user}?before=");
    let rest = page.split(&start).nth(1)?;
    let cursor = rest.split('"').next()?;
    Some(format!(
        "/portal-users/{user}?before={}",
        cursor.trim_end_matches("#events")
    ))
}

async fn staff_see_what_an_investor_read_acknowledged_and_saved_page_by_page(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let sponsor = fixtures::client(&app, rm_id, "西部风电开发有限公司", false, true).await;
    let (fund, project) = fund_in_project(
        &app,
        rm_id,
        sponsor,
        "长江绿色基础设施基金",
        "甘肃酒泉风电二期",
    )
    .await;
    let update = disclosure(&app, &rm, project, "二期风险评估").await;
    let document = shared_document(&app, &rm, project, "第三季度运营报告").await;
    let (user, _, investor) = portal::investor(&app, &rm, fund, "周敏", "zhou.min@a.example").await;

    // The client page links to the engagement page; nothing done yet, the disclosure waits.
    let client_page = app.page(&rm, &format!("/clients/{fund}")).await;
    assert!(client_page.contains(&format!("href=\"/portal-users/{user}\"")));
    let page = app.page(&rm, &format!("/portal-users/{user}")).await;
    assert_eq!(counts(&page), ["0", "0", "0", "0"]);
    let awaiting = page.split("id=\"awaiting\"").nth(1).expect("awaiting");
    assert!(
        awaiting
            .split("</section>")
            .next()
            .unwrap_or_default()
            .contains("二期风险评估"),
        "{page}"
    );

    // The investor reads and acknowledges the disclosure, opens the report once and saves
    // it thirty times.
    app.page(&investor, &format!("/portal/updates/{update}"))
        .await;
    let acked = app
        .post_form(
            &investor,
            &format!("/portal/updates/{update}/acknowledge"),
            &[("x", "")],
        )
        .await;
    assert_eq!(acked.status(), 303);
    let opened = investor
        .get(app.url(&format!("/portal/documents/{document}?view=1")))
        .send()
        .await
        .expect("view");
    assert_eq!(opened.status(), 200);
    for _ in 0..30 {
        let saved = investor
            .get(app.url(&format!("/portal/documents/{document}")))
            .send()
            .await
            .expect("download");
        assert_eq!(saved.status(), 200);
    }

    let page = app.page(&rm, &format!("/portal-users/{user}")).await;
    assert_eq!(counts(&page), ["1", "1", "1", "30"]);
    let awaiting = page.split("id=\"awaiting\"").nth(1).expect("awaiting");
    assert!(
        !awaiting
            .split("</section>")
            .next()
            .unwrap_or_default()
            .contains("二期风险评估"),
        "acknowledged, so no longer waiting"
    );

    // Every event once across the pages, though all happened at the same instant.
    let mut rows = 0;
    let mut pages = 0;
    let mut path = format!("/portal-users/{user}");
    loop {
        let page = app.page(&rm, &path).await;
        pages += 1;
        rows += page.matches("<tr class=\"event\">").count();
        match next_page(&page, user) {
            Some(next) => path = next,
            None => break,
        }
        assert!(pages < 10, "paging never ends");
    }
    assert_eq!((rows, pages), (33, 2));

    // A link that was not made by the page is a clear error, not a crash.
    let bad = rm
        .get(app.url(&format!("/portal-users/{user}?before=yesterday")))
        .send()
        .await
        .expect("GET");
    assert_eq!(bad.status(), 422);
    assert!(
        bad.text()
            .await
            .unwrap_or_default()
            .contains("分页链接已失效")
    );

    // Only staff see it.
    let refused = investor
        .get(app.url(&format!("/rpc/portal/engagement?user={user}")))
        .send()
        .await
        .expect("GET");
    assert_eq!(refused.status(), 401);
}

async fn staff_view_the_portal_as_one_investor_read_only_and_audited(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let sponsor = fixtures::client(&app, rm_id, "西部风电开发有限公司", false, true).await;
    let (a_fund, a_project) = fund_in_project(
        &app,
        rm_id,
        sponsor,
        "长江绿色基础设施基金",
        "甘肃酒泉风电二期",
    )
    .await;
    let (b_fund, b_project) =
        fund_in_project(&app, rm_id, sponsor, "CANARY-B-基金", "CANARY-B-项目").await;
    let a_update = disclosure(&app, &rm, a_project, "二期风险评估").await;
    disclosure(&app, &rm, b_project, "CANARY-B-披露").await;
    let a_document = shared_document(&app, &rm, a_project, "第三季度运营报告").await;
    let (a_user, _, _) = portal::investor(&app, &rm, a_fund, "周敏", "zhou.min@a.example").await;
    let (b_user, _, b) = portal::investor(&app, &rm, b_fund, "吴昊", "wu.hao@b.example").await;
    let base = format!("/portal-users/{a_user}/preview");

    // What A sees, and nothing of B's.
    let overview = app.page(&rm, &base).await;
    assert!(overview.contains("id=\"preview-banner\""), "{overview}");
    assert!(
        overview.contains("甘肃酒泉风电二期") && overview.contains("二期风险评估"),
        "{overview}"
    );
    assert!(!overview.contains("CANARY"), "{overview}");
    assert!(
        overview.contains(&format!("href=\"{base}/updates/{a_update}\"")),
        "links stay in the preview"
    );
    let project = app.page(&rm, &format!("{base}/projects/{a_project}")).await;
    assert!(project.contains("第三季度运营报告"), "{project}");
    assert!(
        project.contains(&format!("/projects/{a_project}/documents/{a_document}"))
            && !project.contains("/portal/documents/"),
        "a document opens through the staff route, so no investor view is recorded"
    );

    // A's scope applies: B's project is not found in A's preview.
    let r = rm
        .get(app.url(&format!("{base}/projects/{b_project}")))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), 404);

    // Read-only: the disclosure shows no acknowledge button, and opening it records no read.
    let update = app.page(&rm, &format!("{base}/updates/{a_update}")).await;
    assert!(update.contains("id=\"preview-no-ack\""), "{update}");
    assert!(!update.contains("/acknowledge\""), "{update}");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM update_reads").await, 0);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM acknowledgements").await,
        0
    );

    // Every look is in the audit log, as the staff member, about A.
    let looks = scalar(
        &app,
        &format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'portal.preview'
             AND actor_kind = 'staff' AND actor_id = {rm_id} AND entity_id = {a_user}"
        ),
    )
    .await;
    assert!(looks >= 3, "{looks} audited looks");

    // An investor cannot preview anyone, themselves included.
    for who in [a_user, b_user] {
        let r = b
            .get(app.url(&format!("/rpc/portal/overview?preview={who}")))
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), 401);
    }

    // A deactivated portal user sees nothing, and the preview says so.
    let out = app
        .post_form(
            &rm,
            &format!("/clients/{a_fund}/portal-users/{a_user}/deactivate"),
            &[("x", "")],
        )
        .await;
    assert!(location(&out).contains("portal_done=deactivated"));
    let r = rm.get(app.url(&base)).send().await.expect("GET");
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .unwrap_or_default()
            .contains("该门户用户已停用")
    );
}

async fn the_preview_shows_questions_complaints_profile_and_track_record_with_forms_locked(
    engine: Engine,
) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let sponsor = fixtures::client(&app, rm_id, "西部风电开发有限公司", false, true).await;
    let (a_fund, _) = fund_in_project(
        &app,
        rm_id,
        sponsor,
        "长江绿色基础设施基金",
        "甘肃酒泉风电二期",
    )
    .await;
    let (b_fund, _) = fund_in_project(&app, rm_id, sponsor, "CANARY-B-基金", "CANARY-B-项目").await;
    let (a_user, _, a) = portal::investor(&app, &rm, a_fund, "周敏", "zhou.min@a.example").await;
    let (_, _, b) = portal::investor(&app, &rm, b_fund, "吴昊", "wu.hao@b.example").await;
    let a_complaint = portal::complaint(&app, &a, "季度报告晚了两周").await;
    portal::complaint(&app, &b, "CANARY-B-投诉").await;
    let asked = app.page(&a, "/portal/questions").await;
    let out = app
        .post_form(
            &a,
            "/portal/questions",
            &[
                ("form_key", form_key_in(&asked).as_str()),
                ("subject", "首次分配时间"),
                ("body", "请问首次分配预计在什么时候？"),
            ],
        )
        .await;
    let a_question = portal::id_in(&location(&out));
    let base = format!("/portal-users/{a_user}/preview");

    // Each section opens inside the preview, with A's records only and the portal's own
    // navigation pointing back into the preview.
    let questions = app.page(&rm, &format!("{base}/questions")).await;
    assert!(questions.contains("首次分配时间"), "{questions}");
    assert!(
        questions.contains(&format!("href=\"{base}/questions/{a_question}\""))
            && questions.contains(&format!("href=\"{base}/track-record\"")),
        "{questions}"
    );
    let thread = app
        .page(&rm, &format!("{base}/questions/{a_question}"))
        .await;
    assert!(thread.contains("请问首次分配预计在什么时候？"), "{thread}");
    let complaints = app.page(&rm, &format!("{base}/complaints")).await;
    assert!(
        complaints.contains(&format!("href=\"{base}/complaints/{a_complaint}\"")),
        "{complaints}"
    );
    let complaint = app
        .page(&rm, &format!("{base}/complaints/{a_complaint}"))
        .await;
    assert!(complaint.contains("季度报告晚了两周"), "{complaint}");
    let profile = app.page(&rm, &format!("{base}/profile")).await;
    assert!(
        profile.contains("zhou.min@a.example") && profile.contains("长江绿色基础设施基金"),
        "{profile}"
    );
    let track_record = app.page(&rm, &format!("{base}/track-record")).await;
    for page in [
        &questions,
        &thread,
        &complaints,
        &complaint,
        &profile,
        &track_record,
    ] {
        assert!(!page.contains("CANARY"), "{page}");
        assert!(page.contains("id=\"preview-banner\""), "{page}");
    }

    // The investor's forms are shown as they see them, but locked.
    for page in [&questions, &thread, &complaints, &profile] {
        assert!(
            page.contains("<fieldset disabled class=\"form-lock\">"),
            "{page}"
        );
    }
    let own = app.page(&a, "/portal/questions").await;
    assert!(
        own.contains("<fieldset class=\"form-lock\">"),
        "the investor's own form is open: {own}"
    );

    // Opening the complaint in the preview does not count as the investor seeing it.
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM complaints WHERE investor_seen_at IS NOT NULL AND description = '季度报告晚了两周'"
        )
        .await,
        0
    );
}
