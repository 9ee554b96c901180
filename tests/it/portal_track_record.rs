//! The track record in the portal: completed projects staff marked as showcase, with the
//! capital committed to them, shown to every investor (also those not in them); a project
//! still under way or not marked is not shown, and nothing names another investor.
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::pipeline::model::DealStage;
use covenant::server::sqlx;
use covenant::with_db;

crate::on_both_engines!(the_track_record_shows_completed_showcase_projects_to_every_investor);

async fn set(app: &TestApp, project: i64, stage: &str, showcase: bool) {
    with_db!(&app.db, c => sqlx::query("UPDATE projects SET stage = $1, showcase = $2 WHERE id = $3")
        .bind(stage)
        .bind(showcase)
        .bind(project)
        .execute(c)
        .await
        .map(|_| ()))
    .expect("project");
}

async fn the_track_record_shows_completed_showcase_projects_to_every_investor(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let sponsor = fixtures::client(&app, rm_id, "西部风电开发有限公司", false, true).await;
    let done = fixtures::project(&app, rm_id, sponsor, "青海共和光伏一期").await;
    let hidden = fixtures::project(&app, rm_id, sponsor, "未展示的完工项目").await;
    let running = fixtures::project(&app, rm_id, sponsor, "在建的展示项目").await;
    set(&app, done.0, "completed", true).await;
    set(&app, hidden.0, "completed", false).await;
    set(&app, running.0, "construction", true).await;
    let in_it = fixtures::client(&app, rm_id, "SECRET-基金甲", true, false).await;
    let also = fixtures::client(&app, rm_id, "SECRET-基金乙", true, false).await;
    let outsider = fixtures::client(&app, rm_id, "其他投资者", true, false).await;
    for (fund, amount) in [(in_it, 300_000_000), (also, 200_000_000)] {
        fixtures::deal(
            &app,
            rm_id,
            fund,
            done,
            DealStage::Closed,
            amount,
            Some(amount),
        )
        .await;
    }
    fixtures::deal(
        &app,
        rm_id,
        outsider,
        running,
        DealStage::Interested,
        1_000_000,
        None,
    )
    .await;
    let (_, _, investor) = portal::investor(&app, &rm, outsider, "吴昊", "wu.hao@o.example").await;

    let page = app.page(&investor, "/portal/track-record").await;
    assert!(page.contains("青海共和光伏一期"), "{page}");
    // CNY 500,000,000 committed in all, by two investors.
    assert!(
        page.contains("CNY 5亿") || page.contains("CNY 500,000,000"),
        "{page}"
    );
    assert!(!page.contains("未展示的完工项目") && !page.contains("在建的展示项目"));
    assert!(!page.contains("SECRET"), "no investor is named: {page}");
    // Not a project the investor takes part in: its own page stays closed to them.
    let own_page = investor
        .get(app.url(&format!("/portal/projects/{}", done.0)))
        .send()
        .await
        .expect("GET");
    assert_eq!(own_page.status(), 404);
}
