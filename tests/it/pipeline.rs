//! The deal board: column totals over every deal, moves through the pipeline's rules (a
//! commitment needs an amount and a valid KYC; declining needs a reason), one winner among
//! concurrent moves, and one move per request id.
use crate::helpers::fixtures;
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::server::sqlx;
use covenant::with_db;

crate::on_both_engines!(the_deal_board_sums_every_deal_and_moves_by_the_rules);

fn key(n: u32) -> String {
    format!("{n:032x}")
}

async fn move_deal(
    app: &TestApp,
    browser: &reqwest::Client,
    id: i64,
    to: &str,
    reason: &str,
    request: &str,
) -> reqwest::Response {
    let version = version_of(app, id).await;
    move_deal_at(app, browser, id, version, to, reason, request).await
}

async fn version_of(app: &TestApp, id: i64) -> i64 {
    with_db!(&app.db, c => sqlx::query_scalar("SELECT version FROM deals WHERE id = $1").bind(id).fetch_one(c).await)
        .expect("version")
}

/// Moves a deal from a version read earlier (two people looking at the same board).
async fn move_deal_at(
    app: &TestApp,
    browser: &reqwest::Client,
    id: i64,
    version: i64,
    to: &str,
    reason: &str,
    request: &str,
) -> reqwest::Response {
    let form = [
        ("id", id.to_string()),
        ("version", version.to_string()),
        ("to", to.to_string()),
        ("reason", reason.to_string()),
        ("request_id", request.to_string()),
        ("back", "?owner=all".to_string()),
    ];
    app.post_form(browser, "/pipeline/move", &form).await
}

async fn the_deal_board_sums_every_deal_and_moves_by_the_rules(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "王伟", Role::Rm)
        .await;
    let sponsor = fixtures::client(&app, me, "湾区交通集团", false, true).await;
    let (project, tranche) = fixtures::project(&app, me, sponsor, "湾区轨道交通一期").await;
    let mut deals = Vec::new();
    for n in 0..25u32 {
        let investor = fixtures::client(&app, me, &format!("投资者{n:02}"), true, false).await;
        let form = [
            ("form_key", key(n)),
            ("client_id", investor.to_string()),
            ("project_id", project.to_string()),
            ("tranche_id", tranche.to_string()),
            ("stage", "interested".to_string()),
            ("currency", "CNY".to_string()),
            ("indicated_amount", "100万".to_string()),
        ];
        let r = app.post_form(&rm, "/deals/new", &form).await;
        let id: i64 = location(&r)
            .trim_start_matches("/deals/")
            .trim_end_matches("?created=1")
            .parse()
            .expect("deal id");
        deals.push((id, investor));
    }
    let project_page = app.page(&rm, &format!("/projects/{project}")).await;
    assert!(
        project_page.contains(&format!("/pipeline?project={project}&amp;owner=all")),
        "the project's own board"
    );
    let other_project = app
        .page(&rm, &format!("/pipeline?project={}", project + 1000))
        .await;
    assert!(
        !other_project.contains("共 25 笔交易"),
        "the board narrows to one project"
    );
    let board = app.page(&rm, "/pipeline").await;
    assert!(
        board.contains("共 25 笔交易"),
        "count over all cards, not one page of 20"
    );
    assert!(
        board.contains("CNY 2,500万") && board.contains("CNY 875万"),
        "sum and 35% weighted"
    );
    assert_eq!(
        board.matches("id=\"card-").count(),
        covenant::pipeline::board::service::COLUMN_PAGE as usize,
        "one page of the column"
    );
    assert!(
        board.contains("column=interested&amp;after="),
        "and a link to the rest"
    );

    let (deal, investor) = deals[0];
    // A commitment needs a committed amount first.
    let r = move_deal(&app, &rm, deal, "committed", "", &key(100)).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("已承诺或已完成的交易需填写承诺金额")
    );
    with_db!(&app.db, c => sqlx::query("UPDATE deals SET committed_amount = 80000000 WHERE id = $1").bind(deal).execute(c).await.map(|_| ()))
        .expect("amount");
    // ... and a valid KYC.
    with_db!(&app.db, c => sqlx::query("UPDATE investor_profiles SET kyc_status = 'expired' WHERE client_id = $1").bind(investor).execute(c).await.map(|_| ()))
        .expect("kyc");
    let r = move_deal(&app, &rm, deal, "committed", "", &key(101)).await;
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("投资方 KYC 有效后才能承诺")
    );
    with_db!(&app.db, c => sqlx::query("UPDATE investor_profiles SET kyc_status = 'valid' WHERE client_id = $1").bind(investor).execute(c).await.map(|_| ()))
        .expect("kyc");
    let r = move_deal(&app, &rm, deal, "committed", "", &key(102)).await;
    assert_eq!(
        location(&r),
        format!("/pipeline?owner=all&moved={deal}#card-{deal}")
    );
    let again = move_deal(&app, &rm, deal, "committed", "", &key(102)).await;
    assert_eq!(
        location(&again),
        location(&r),
        "a repeated request is the same move"
    );
    let project_page = app.page(&rm, &format!("/projects/{project}")).await;
    assert!(
        project_page.contains("已承诺 CNY 80万（0%）"),
        "the tranche's coverage in words"
    );
    let lifecycle = app.page(&rm, "/lifecycle?owner=all").await;
    assert!(
        lifecycle.contains("CNY 80万"),
        "the investor's committed capital follows"
    );

    // Declining needs a reason.
    let (other, _) = deals[1];
    let r = move_deal(&app, &rm, other, "declined", "", &key(103)).await;
    assert!(r.text().await.expect("body").contains("放弃交易需填写原因"));
    let r = move_deal(&app, &rm, other, "declined", "预算调整", &key(104)).await;
    assert_eq!(r.status(), 303);

    // Two people, one version: one wins.
    let (third, _) = deals[2];
    let (_, crm) = app
        .staff_browser("crm@covenant.example", "数据官", Role::CrmOfficer)
        .await;
    let (k1, k2) = (key(105), key(106));
    let seen = version_of(&app, third).await;
    let (a, b) = tokio::join!(
        move_deal_at(&app, &rm, third, seen, "due_diligence", "", &k1),
        move_deal_at(&app, &crm, third, seen, "term_sheet", "", &k2),
    );
    let statuses = [a.status().as_u16(), b.status().as_u16()];
    assert!(
        statuses.contains(&303) && statuses.contains(&409),
        "{statuses:?}"
    );

    // The board's script moves a card in place: the answer carries the new column figures
    // under the board's filters and a fresh request id for the card's next move.
    let (fourth, _) = deals[3];
    let version = version_of(&app, fourth).await;
    let answer: serde_json::Value = app
        .rpc(
            &rm,
            "pipeline/move",
            &[
                ("id", &fourth.to_string()),
                ("version", &version.to_string()),
                ("to", "contacted"),
                ("reason", ""),
                ("request_id", &key(107)),
                ("back", &format!("?project={project}&owner=all")),
            ],
        )
        .await
        .json()
        .await
        .expect("answer");
    assert_eq!(answer["outcome"]["Moved"]["stage"], "contacted", "{answer}");
    let contacted = answer["figures"]
        .as_array()
        .and_then(|f| f.iter().find(|c| c["stage"] == "contacted"))
        .expect("contacted column");
    assert_eq!(contacted["count_text"], "共 1 笔交易");
    assert_eq!(contacted["total"], "合计 CNY 100万");
    assert_ne!(answer["next_request_id"], key(107), "a fresh request id");

    let moves: Vec<(String, i64)> = with_db!(&app.db, c => sqlx::query_as(
        "SELECT m.to_stage, (SELECT COUNT(*) FROM audit_log a WHERE a.action = 'deal.move' AND a.entity_id = m.deal_id)
         FROM deal_moves m WHERE m.deal_id = $1 ORDER BY m.id",
    )
    .bind(deal)
    .fetch_all(c)
    .await)
    .expect("moves");
    assert_eq!(
        moves,
        vec![("interested".into(), 1), ("committed".into(), 1)],
        "one move and its audit row"
    );

    // A commitment withdrawn shows on the investor's decline signal at once; moves that
    // leave commitments alone do not refresh it.
    let quiet = app.page(&rm, &format!("/clients/{investor}")).await;
    assert!(!quiet.contains("的已承诺资金"), "no withdrawal yet");
    let r = move_deal(&app, &rm, deal, "declined", "改投他处", &key(108)).await;
    assert_eq!(r.status(), 303);
    let page = app.page(&rm, &format!("/clients/{investor}")).await;
    assert!(
        page.contains("近 180 天撤回了 100% 的已承诺资金"),
        "the withdrawal explained on the client page"
    );
}
