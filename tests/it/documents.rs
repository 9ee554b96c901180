//! Documents shared with a project's investors: an investor opens only what is shared with
//! the project or with an entity they act for (a staff-only document, another investor's
//! letter and other projects' files answer "not found"); the bytes come back whole through
//! the chunks they were stored in; every view and download is recorded and counted for
//! staff; an upload that does not check out leaves nothing behind.
use crate::helpers::documents::{Upload, bytes, post, upload};
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::pipeline::model::DealStage;
use covenant::server::sqlx;
use covenant::with_db;

crate::on_both_engines!(
    documents_reach_only_those_they_are_shared_with_and_every_opening_is_recorded,
    an_upload_that_does_not_check_out_keeps_nothing,
);

async fn count(app: &TestApp, sql: &str) -> i64 {
    with_db!(&app.db, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).expect(sql)
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> reqwest::Response {
    client.get(app.url(path)).send().await.expect("GET")
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

struct Project {
    rm_id: i64,
    rm: reqwest::Client,
    project: i64,
    fund_a: i64,
    fund_c: i64,
    outsider_fund: i64,
}

/// A project with two investor funds (A and C) and a fund (O) in another project only.
async fn project_with_investors(app: &TestApp) -> Project {
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let sponsor = fixtures::client(app, rm_id, "西部风电开发有限公司", false, true).await;
    let project = fixtures::project(app, rm_id, sponsor, "甘肃酒泉风电二期").await;
    let elsewhere = fixtures::project(app, rm_id, sponsor, "另一个项目").await;
    let fund_a = fixtures::client(app, rm_id, "长江绿色基础设施基金", true, false).await;
    let fund_c = fixtures::client(app, rm_id, "华南养老金", true, false).await;
    let outsider_fund = fixtures::client(app, rm_id, "其他投资者", true, false).await;
    for (fund, p) in [
        (fund_a, project),
        (fund_c, project),
        (outsider_fund, elsewhere),
    ] {
        fixtures::deal(
            app,
            rm_id,
            fund,
            p,
            DealStage::Committed,
            50_000_000,
            Some(50_000_000),
        )
        .await;
    }
    Project {
        rm_id,
        rm,
        project: project.0,
        fund_a,
        fund_c,
        outsider_fund,
    }
}

async fn documents_reach_only_those_they_are_shared_with_and_every_opening_is_recorded(
    engine: Engine,
) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let p = project_with_investors(&app).await;
    let (_, _, a) = portal::investor(&app, &p.rm, p.fund_a, "周敏", "zhou.min@a.example").await;
    let (_, _, c) = portal::investor(&app, &p.rm, p.fund_c, "陈静", "chen.jing@c.example").await;
    let (_, _, o) =
        portal::investor(&app, &p.rm, p.outsider_fund, "吴昊", "wu.hao@o.example").await;

    // 2.5 MiB: three chunks.
    let report_bytes = bytes(2 * 1_048_576 + 524_288);
    let report = upload(
        &app,
        &p.rm,
        p.project,
        &Upload::new(
            "2026年第三季度运营报告",
            "project",
            "运营报告 Q3.pdf",
            report_bytes.clone(),
        ),
    )
    .await;
    let mut letter = Upload::new(
        "给长江基金的侧函",
        "investor",
        "side-letter.txt",
        b"side letter".to_vec(),
    );
    letter.client = Some(p.fund_a);
    letter.mime = "text/plain";
    let letter = upload(&app, &p.rm, p.project, &letter).await;
    let memo = upload(
        &app,
        &p.rm,
        p.project,
        &Upload::new(
            "内部尽调备忘",
            "internal",
            "memo.pdf",
            b"internal only".to_vec(),
        ),
    )
    .await;
    let mut page = Upload::new(
        "互动图表",
        "project",
        "chart.html",
        b"<script>alert(1)</script>".to_vec(),
    );
    page.mime = "text/html";
    let page = upload(&app, &p.rm, p.project, &page).await;
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM document_chunks WHERE document_id = {report}")
        )
        .await,
        3
    );

    // The portal project page lists what each investor may open.
    let path = format!("/portal/projects/{}", p.project);
    let seen_by_a = app.page(&a, &path).await;
    assert!(seen_by_a.contains("2026年第三季度运营报告"), "{seen_by_a}");
    assert!(seen_by_a.contains("给长江基金的侧函"));
    assert!(!seen_by_a.contains("内部尽调备忘"));
    let seen_by_c = app.page(&c, &path).await;
    assert!(seen_by_c.contains("2026年第三季度运营报告"));
    assert!(!seen_by_c.contains("给长江基金的侧函"));
    assert!(!seen_by_c.contains("内部尽调备忘"));

    // The report comes back whole, saved under its Chinese name or shown in place.
    let saved = get(&a, &app, &format!("/portal/documents/{report}")).await;
    assert_eq!(saved.status().as_u16(), 200);
    assert_eq!(header(&saved, "content-type"), "application/pdf");
    assert!(
        header(&saved, "content-disposition").starts_with("attachment;")
            && header(&saved, "content-disposition").contains("UTF-8''%E8%BF%90%E8%90%A5"),
        "{}",
        header(&saved, "content-disposition")
    );
    assert!(saved.bytes().await.expect("body").as_ref() == report_bytes.as_slice());
    let shown = get(&a, &app, &format!("/portal/documents/{report}?view=1")).await;
    assert!(header(&shown, "content-disposition").starts_with("inline;"));
    let letter_text = get(&a, &app, &format!("/portal/documents/{letter}?view=1")).await;
    assert_eq!(letter_text.text().await.expect("text"), "side letter");
    // An uploaded web page never runs as a page of the site: it can only be saved.
    let html = get(&a, &app, &format!("/portal/documents/{page}?view=1")).await;
    assert_eq!(header(&html, "content-type"), "application/octet-stream");
    assert!(header(&html, "content-disposition").starts_with("attachment;"));

    // What is not theirs is "not found", as for an id that does not exist.
    let views_before = count(&app, "SELECT COUNT(*) FROM document_views").await;
    for (who, doc) in [
        (&c, letter),
        (&a, memo),
        (&c, memo),
        (&o, report),
        (&o, letter),
        (&a, 999_999),
    ] {
        let refused = get(who, &app, &format!("/portal/documents/{doc}")).await;
        assert_eq!(refused.status().as_u16(), 404, "document {doc}");
        assert!(
            !refused
                .text()
                .await
                .unwrap_or_default()
                .contains("side letter")
        );
    }
    assert_eq!(
        get(&app.browser(), &app, &format!("/portal/documents/{report}"))
            .await
            .status()
            .as_u16(),
        303,
        "a stranger is sent to sign in"
    );
    assert_eq!(
        get(&o, &app, &format!("/portal/projects/{}", p.project))
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM document_views").await,
        views_before
    );

    // Every opening is on record, as what the investor was sent.
    let recorded = |kind: &str, doc: i64| {
        format!("SELECT COUNT(*) FROM document_views WHERE document_id = {doc} AND kind = '{kind}'")
    };
    assert_eq!(count(&app, &recorded("download", report)).await, 1);
    assert_eq!(count(&app, &recorded("view", report)).await, 1);
    assert_eq!(count(&app, &recorded("view", letter)).await, 1);
    assert_eq!(count(&app, &recorded("download", page)).await, 1);
    assert_eq!(count(&app, &recorded("view", page)).await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM document_views WHERE ip IS NULL").await,
        0
    );

    // Staff see the counts on the project page, and read every document themselves.
    let staff_page = app.page(&p.rm, &format!("/projects/{}", p.project)).await;
    assert!(
        staff_page.contains("查看 1 次 · 下载 1 次")
            || staff_page.contains("1 views · 1 downloads"),
        "{staff_page}"
    );
    assert!(staff_page.contains("内部尽调备忘"));
    let memo_bytes = get(
        &p.rm,
        &app,
        &format!("/projects/{}/documents/{memo}", p.project),
    )
    .await;
    assert_eq!(
        memo_bytes.bytes().await.expect("memo").as_ref(),
        b"internal only"
    );
    let wrong_project = get(
        &p.rm,
        &app,
        &format!("/projects/{}/documents/{memo}", p.project + 1),
    )
    .await;
    assert_eq!(wrong_project.status().as_u16(), 404);
    // A portal session is not a staff one.
    let as_investor = get(
        &a,
        &app,
        &format!("/projects/{}/documents/{report}", p.project),
    )
    .await;
    assert_eq!(as_investor.status().as_u16(), 303);
    let _ = p.rm_id;
}

async fn an_upload_that_does_not_check_out_keeps_nothing(engine: Engine) {
    let (app, _db) = TestApp::spawn_with(&engine, &["--upload-limit-mb", "1"]).await;
    let p = project_with_investors(&app).await;
    let nothing_stored = || async {
        (
            count(&app, "SELECT COUNT(*) FROM documents").await,
            count(&app, "SELECT COUNT(*) FROM document_chunks").await,
        )
    };

    let empty = post(
        &app,
        &p.rm,
        p.project,
        &Upload::new("空文件", "project", "empty.pdf", Vec::new()),
    )
    .await;
    assert_eq!(empty.status().as_u16(), 422);
    let body = empty.text().await.expect("page");
    assert!(
        body.contains("请选择一个非空文件") || body.contains("Choose a file that is not empty")
    );
    assert!(body.contains("空文件"), "the title typed is kept");

    let big = post(
        &app,
        &p.rm,
        p.project,
        &Upload::new("太大", "project", "big.pdf", bytes(1_572_864)),
    )
    .await;
    assert_eq!(big.status().as_u16(), 422);
    let body = big.text().await.expect("page");
    assert!(body.contains("文件超过上传大小上限") || body.contains("larger than the upload limit"));

    let no_investor = post(
        &app,
        &p.rm,
        p.project,
        &Upload::new("侧函", "investor", "a.pdf", b"x".to_vec()),
    )
    .await;
    assert_eq!(no_investor.status().as_u16(), 422);
    let mut outsider = Upload::new("侧函", "investor", "a.pdf", b"x".to_vec());
    outsider.client = Some(p.outsider_fund);
    let outsider = post(&app, &p.rm, p.project, &outsider).await;
    assert_eq!(outsider.status().as_u16(), 422);
    let body = outsider.text().await.expect("page");
    assert!(body.contains("未参与本项目") || body.contains("does not take part"));

    let (_, viewer) = app
        .staff_browser("zhao.lei@covenant.example", "赵磊", Role::Viewer)
        .await;
    let refused = post(
        &app,
        &viewer,
        p.project,
        &Upload::new("x", "project", "a.pdf", b"x".to_vec()),
    )
    .await;
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(nothing_stored().await, (0, 0));

    // A second post of the same form (a double click, a retry) keeps one document.
    let once = Upload::new(
        "2026年第三季度运营报告",
        "project",
        "q3.pdf",
        bytes(1_000_000),
    );
    let first = upload(&app, &p.rm, p.project, &once).await;
    let again = upload(&app, &p.rm, p.project, &once).await;
    assert_eq!(first, again);
    assert_eq!(nothing_stored().await, (1, 1));

    // An upload a stopped server left half-way is removed by the hourly clean-up a day on.
    let started = app.clock_now();
    let stale: i64 = with_db!(&app.db, c => sqlx::query_scalar(
        "INSERT INTO documents (project_id, title, file_name, content_type, size_bytes,
                                chunk_count, visibility, status, uploaded_by, uploaded_at)
         VALUES ($1, 'x', 'x', 'application/pdf', 0, 0, 'internal', 'uploading', $2, $3)
         RETURNING id",
    )
    .bind(p.project)
    .bind(p.rm_id)
    .bind(started)
    .fetch_one(c)
    .await)
    .expect("half upload");
    with_db!(&app.db, c => sqlx::query("INSERT INTO document_chunks (document_id, seq, bytes) VALUES ($1, 0, $2)")
        .bind(stale)
        .bind(vec![1u8; 10])
        .execute(c)
        .await
        .map(|_| ()))
    .expect("chunk");
    let service = covenant::projects::documents::service::discard_stale_uploads;
    assert_eq!(
        service(&app.state).await.expect("clean-up"),
        0,
        "too recent"
    );
    app.clock.advance(chrono::Duration::hours(25));
    assert_eq!(service(&app.state).await.expect("clean-up"), 1);
    assert_eq!(nothing_stored().await, (1, 1));
}
