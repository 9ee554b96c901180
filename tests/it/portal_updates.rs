//! Updates and disclosures published to a project's investors: a draft reaches no one; a
//! published version is locked (the database refuses to change it) and its acknowledgement
//! is recorded once, immutably, with the version's content hash, address and browser; a
//! correction is a new version that asks again while the old one stays readable; investors
//! outside the project never see it; the feed pages newest first, each update once.
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::pipeline::model::DealStage;
use covenant::server::sqlx;
use covenant::with_db;

crate::on_both_engines!(
    a_disclosure_is_locked_once_published_and_each_version_asks_again,
    updates_reach_only_the_projects_investors_and_page_newest_first,
);

struct Setup {
    rm: reqwest::Client,
    project: i64,
    investor: reqwest::Client,
    outsider: reqwest::Client,
}

async fn setup(app: &TestApp) -> Setup {
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let sponsor = fixtures::client(app, rm_id, "西部风电开发有限公司", false, true).await;
    let project = fixtures::project(app, rm_id, sponsor, "甘肃酒泉风电二期").await;
    let fund = fixtures::client(app, rm_id, "长江绿色基础设施基金", true, false).await;
    fixtures::deal(
        app,
        rm_id,
        fund,
        project,
        DealStage::Committed,
        60_000_000,
        Some(60_000_000),
    )
    .await;
    let other = fixtures::client(app, rm_id, "其他投资者", true, false).await;
    let elsewhere = fixtures::project(app, rm_id, sponsor, "另一个项目").await;
    fixtures::deal(
        app,
        rm_id,
        other,
        elsewhere,
        DealStage::Committed,
        10_000_000,
        Some(10_000_000),
    )
    .await;
    let (_, _, investor) =
        portal::investor(app, &rm, fund, "周敏", "zhou.min@changjiang-fund.example").await;
    let (_, _, outsider) = portal::investor(app, &rm, other, "吴昊", "wu.hao@other.example").await;
    Setup {
        rm,
        project: project.0,
        investor,
        outsider,
    }
}

async fn draft(app: &TestApp, s: &Setup, kind: &str, title: &str, body: &str) -> i64 {
    portal::draft(app, &s.rm, s.project, kind, title, body).await
}

async fn publish(app: &TestApp, s: &Setup, id: i64) {
    portal::publish(app, &s.rm, s.project, id).await
}

async fn get(app: &TestApp, browser: &reqwest::Client, path: &str) -> (u16, String) {
    let r = browser.get(app.url(path)).send().await.expect("GET");
    (r.status().as_u16(), r.text().await.expect("body"))
}

async fn acknowledgements(
    app: &TestApp,
    update: i64,
) -> Vec<(i64, String, Option<String>, Option<String>)> {
    with_db!(&app.db, c => sqlx::query_as(
        "SELECT series_version, content_hash, ip, user_agent FROM acknowledgements WHERE update_id = $1",
    )
    .bind(update)
    .fetch_all(c)
    .await)
    .expect("acknowledgements")
}

async fn a_disclosure_is_locked_once_published_and_each_version_asks_again(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let s = setup(&app).await;
    let first = draft(
        &app,
        &s,
        "covenant_report",
        "2026 年三季度契约报告",
        "偿债覆盖率 1.42 倍，高于 1.20 倍的契约要求。",
    )
    .await;

    let (status, _) = get(&app, &s.investor, &format!("/portal/updates/{first}")).await;
    assert_eq!(status, 404, "a draft reaches no investor");
    publish(&app, &s, first).await;

    let overview = app.page(&s.investor, "/portal").await;
    assert!(
        overview.contains("id=\"attention\"") && overview.contains("2026 年三季度契约报告"),
        "{overview}"
    );
    assert!(
        overview.contains("1 条新动态"),
        "the unread badge: {overview}"
    );
    let (status, page) = get(&app, &s.investor, &format!("/portal/updates/{first}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("偿债覆盖率 1.42 倍") && page.contains("我已阅读并理解"),
        "{page}"
    );
    assert!(
        !app.page(&s.investor, "/portal").await.contains("条新动态"),
        "read: no badge"
    );

    let ack_path = format!("/portal/updates/{first}/acknowledge");
    for _ in 0..2 {
        let r = s
            .investor
            .post(app.url(&ack_path))
            .header("user-agent", "Mozilla/5.0 (iPhone) Covenant-test")
            .form(&[("x", "")])
            .send()
            .await
            .expect("acknowledge");
        assert_eq!(
            location(&r),
            format!("/portal/updates/{first}?acknowledged=1")
        );
    }
    let hash: String =
        with_db!(&app.db, c => sqlx::query_scalar("SELECT content_hash FROM updates WHERE id = $1")
        .bind(first)
        .fetch_one(c)
        .await)
        .expect("hash");
    let acks = acknowledgements(&app, first).await;
    assert_eq!(acks.len(), 1, "acknowledged once");
    assert_eq!(acks[0].0, 1);
    assert_eq!(acks[0].1, hash);
    assert_eq!(acks[0].2.as_deref(), Some("127.0.0.1"));
    assert!(
        acks[0]
            .3
            .as_deref()
            .is_some_and(|ua| ua.contains("Covenant-test"))
    );
    assert!(
        !app.page(&s.investor, "/portal")
            .await
            .contains("id=\"attention\"")
    );

    // Locked: the database itself refuses to change the published version or the
    // acknowledgement, and the edit form answers with a conflict.
    let changed = with_db!(&app.db, c => sqlx::query("UPDATE updates SET title = 'changed' WHERE id = $1")
        .bind(first)
        .execute(c)
        .await
        .map(|r| r.rows_affected()));
    assert!(changed.is_err(), "a published version is locked");
    let erased = with_db!(&app.db, c => sqlx::query("DELETE FROM acknowledgements WHERE update_id = $1")
        .bind(first)
        .execute(c)
        .await
        .map(|r| r.rows_affected()));
    assert!(erased.is_err(), "an acknowledgement is immutable");
    let version = portal::row_version(&app, first).await.to_string();
    let edit = app
        .post_form(
            &s.rm,
            &format!("/projects/{}/updates/{first}/edit", s.project),
            &[
                ("version", version.as_str()),
                ("kind", "covenant_report"),
                ("title", "改"),
                ("body", "改"),
            ],
        )
        .await;
    assert_eq!(edit.status(), 409);
    assert!(
        edit.text()
            .await
            .expect("body")
            .contains("已发布的版本不可修改")
    );

    // A correction is a new version: it asks again; the first stays readable.
    let corrected = app
        .post_form(
            &s.rm,
            &format!("/projects/{}/updates/{first}/new-version", s.project),
            &[("x", "")],
        )
        .await;
    let second = portal::id_in(&location(&corrected));
    assert_ne!(second, first);
    let version = portal::row_version(&app, second).await.to_string();
    let saved = app
        .post_form(
            &s.rm,
            &format!("/projects/{}/updates/{second}/edit", s.project),
            &[
                ("version", version.as_str()),
                ("kind", "covenant_report"),
                ("title", "2026 年三季度契约报告（更正）"),
                (
                    "body",
                    "偿债覆盖率更正为 1.38 倍，仍高于 1.20 倍的契约要求。",
                ),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    publish(&app, &s, second).await;

    let overview = app.page(&s.investor, "/portal").await;
    assert!(
        overview.contains("（更正）") && overview.contains("id=\"attention\""),
        "asks again: {overview}"
    );
    let (_, old) = get(&app, &s.investor, &format!("/portal/updates/{first}")).await;
    assert!(
        old.contains("1.42 倍") && old.contains(&format!("/portal/updates/{second}")),
        "{old}"
    );
    let staff_view = app
        .page(&s.rm, &format!("/projects/{}/updates/{second}", s.project))
        .await;
    assert!(
        staff_view.contains("zhou.min@changjiang-fund.example"),
        "pending: {staff_view}"
    );
}

async fn updates_reach_only_the_projects_investors_and_page_newest_first(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let s = setup(&app).await;
    let secret = draft(&app, &s, "financial", "CANARY-财务报告", "CANARY 正文").await;
    publish(&app, &s, secret).await;

    let (status, page) = get(&app, &s.outsider, &format!("/portal/updates/{secret}")).await;
    assert_eq!(status, 404);
    let ack = s
        .outsider
        .post(app.url(&format!("/portal/updates/{secret}/acknowledge")))
        .form(&[("x", "")])
        .send()
        .await
        .expect("acknowledge");
    assert_eq!(ack.status(), 404, "not found, as the update's page says");
    assert!(
        acknowledgements(&app, secret).await.is_empty(),
        "not theirs to acknowledge"
    );
    let (_, rpc) = get(
        &app,
        &s.outsider,
        &format!("/rpc/portal/update?id={secret}"),
    )
    .await;
    for answer in [page, rpc, app.page(&s.outsider, "/portal").await] {
        assert!(!answer.contains("CANARY"), "{answer}");
    }
    let reads: i64 = with_db!(&app.db, c => sqlx::query_scalar("SELECT COUNT(*) FROM update_reads")
        .fetch_one(c)
        .await)
    .expect("reads");
    assert_eq!(reads, 0, "an outsider's visit records nothing");

    // Twelve progress updates, published one after another: two pages of ten, newest first.
    let mut ids = Vec::new();
    for n in 1..=12 {
        app.clock.advance(chrono::Duration::minutes(5));
        let id = draft(
            &app,
            &s,
            "progress",
            &format!("进展第 {n:02} 期"),
            "风机吊装进度正常。",
        )
        .await;
        publish(&app, &s, id).await;
        ids.push(id);
    }
    let first = app
        .page(&s.investor, &format!("/portal/projects/{}", s.project))
        .await;
    let next = first
        .split(&format!("/portal/projects/{}?before=", s.project))
        .nth(1)
        .and_then(|rest| rest.split('#').next())
        .expect("a next-page link")
        .to_string();
    let second = app
        .page(
            &s.investor,
            &format!("/portal/projects/{}?before={next}", s.project),
        )
        .await;
    let titles = |html: &str| -> Vec<String> {
        html.match_indices("进展第 ")
            .map(|(at, _)| html[at..at + "进展第 00".len()].to_string())
            .collect()
    };
    let mut seen = titles(&first);
    assert_eq!(seen.len(), 10, "{first}");
    assert_eq!(seen[0], "进展第 12", "newest first");
    seen.extend(titles(&second));
    let expected: Vec<String> = (1..=12).rev().map(|n| format!("进展第 {n:02}")).collect();
    assert_eq!(seen, expected, "each update once, newest first");
    assert!(
        second.contains("CANARY-财务报告"),
        "the older financial report is on page two"
    );
}
