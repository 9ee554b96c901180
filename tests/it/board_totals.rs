//! The boards' kept totals (migration 0009): whichever path changes clients, committed
//! capital and deals (moves in opposite directions at once, a commitment changing while its
//! client moves, reassignment on deactivation), the totals equal the rows they summarise,
//! and the everyone board shows them; filtered and searched boards count, sum and show the
//! matching clients alone.
use crate::helpers::fixtures;
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::server::sqlx;
use covenant::with_db;

crate::on_both_engines!(kept_totals_follow_every_write_even_under_concurrent_moves);

fn key(n: u32) -> String {
    format!("{n:032x}")
}

/// Rows where a kept total and the aggregate over its rows disagree (both directions).
async fn drift(app: &TestApp) -> i64 {
    const CHECKS: [&str; 3] = [
        "SELECT stage, owner_id, cards FROM lifecycle_counts WHERE cards <> 0",
        "SELECT stage, owner_id, currency, amount FROM lifecycle_values WHERE amount <> 0",
        "SELECT stage, owner_id, currency, cards, amount, weighted FROM deal_totals WHERE cards <> 0",
    ];
    const TRUTH: [&str; 3] = [
        "SELECT lifecycle_stage, owner_id, COUNT(*) FROM clients WHERE archived_at IS NULL
         GROUP BY lifecycle_stage, owner_id",
        "SELECT c.lifecycle_stage, c.owner_id, cc.currency, SUM(cc.amount)
         FROM client_commitments cc JOIN clients c ON c.id = cc.client_id
         WHERE c.archived_at IS NULL GROUP BY c.lifecycle_stage, c.owner_id, cc.currency",
        "SELECT stage, owner_id, currency, COUNT(*), SUM(COALESCE(committed_amount, indicated_amount, 0)),
           SUM(COALESCE(committed_amount, indicated_amount, 0) * probability / 100)
         FROM deals WHERE archived_at IS NULL GROUP BY stage, owner_id, currency",
    ];
    let mut differing = 0;
    for (kept, truth) in CHECKS.iter().zip(TRUTH) {
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT * FROM ({kept} EXCEPT {truth}) a
             UNION ALL SELECT * FROM ({truth} EXCEPT {kept}) b) d"
        );
        let n: i64 = with_db!(&app.db, c => sqlx::query_scalar(&sql).fetch_one(c).await)
            .expect("compare kept totals");
        differing += n;
    }
    differing
}

async fn version_of(app: &TestApp, table: &str, id: i64) -> i64 {
    let sql = format!("SELECT version FROM {table} WHERE id = $1");
    with_db!(&app.db, c => sqlx::query_scalar(&sql).bind(id).fetch_one(c).await).expect("version")
}

/// A script move of a client or a deal from its current version; the outcome's text.
async fn move_card(
    app: &TestApp,
    browser: &reqwest::Client,
    board: &str,
    id: i64,
    to: &str,
    reason: &str,
    request: u32,
) -> String {
    let table = if board == "lifecycle" {
        "clients"
    } else {
        "deals"
    };
    let version = version_of(app, table, id).await.to_string();
    let id = id.to_string();
    let request = key(request);
    let r = app
        .rpc(
            browser,
            &format!("{board}/move"),
            &[
                ("id", id.as_str()),
                ("version", version.as_str()),
                ("to", to),
                ("reason", reason),
                ("request_id", request.as_str()),
                ("back", "?owner=all"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    r.text().await.expect("answer")
}

async fn kept_totals_follow_every_write_even_under_concurrent_moves(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "王伟", Role::Rm)
        .await;
    let heir = app
        .add_staff("heir@covenant.example", "接任者", Role::Rm, STAFF_PASSWORD)
        .await;
    let (_, admin) = app
        .staff_browser("admin@covenant.example", "管理员", Role::Admin)
        .await;
    let sponsor = fixtures::client(&app, me, "湾区交通集团", false, true).await;
    let (project, tranche) = fixtures::project(&app, me, sponsor, "湾区轨道交通一期").await;

    // Six investors with a committed deal each (two in USD) and six deals in prospect.
    let mut investors = Vec::new();
    let mut committed = Vec::new();
    for n in 0..6u32 {
        let investor = fixtures::client(&app, me, &format!("投资者{n}"), true, false).await;
        let currency = if n < 2 { "USD" } else { "CNY" };
        let form = [
            ("form_key", key(n)),
            ("client_id", investor.to_string()),
            ("project_id", project.to_string()),
            ("tranche_id", tranche.to_string()),
            ("stage", "committed".to_string()),
            ("currency", currency.to_string()),
            ("committed_amount", format!("{}00万", n + 1)),
        ];
        assert_eq!(app.post_form(&rm, "/deals/new", &form).await.status(), 303);
        investors.push(investor);
        committed.push(*deal_ids_of(&app, investor).await.last().expect("deal"));
    }
    assert_eq!(drift(&app).await, 0, "in step after creating");

    // Half the investors start in development, so the moves below go both ways at once.
    for (n, investor) in (100..).zip(&investors[3..]) {
        let answer = move_card(&app, &rm, "lifecycle", *investor, "development", "", n).await;
        assert!(answer.contains("Moved"), "{answer}");
    }
    let (a, b, c, d, e, f) = tokio::join!(
        move_card(&app, &rm, "lifecycle", investors[0], "development", "", 10),
        move_card(&app, &rm, "lifecycle", investors[3], "acquisition", "", 11),
        move_card(&app, &rm, "lifecycle", investors[1], "development", "", 12),
        move_card(&app, &rm, "lifecycle", investors[4], "acquisition", "", 13),
        // A commitment withdrawn while its client moves.
        move_card(&app, &rm, "lifecycle", investors[2], "development", "", 14),
        move_card(
            &app,
            &admin,
            "pipeline",
            committed[2],
            "declined",
            "改投他处",
            15
        ),
    );
    for answer in [a, b, c, d, e, f] {
        assert!(answer.contains("Moved"), "{answer}");
    }
    assert_eq!(drift(&app).await, 0, "in step after concurrent moves");

    // Deactivation hands every client and deal to the successor.
    let version = version_of(&app, "users", me).await.to_string();
    let me_text = me.to_string();
    let heir_text = heir.to_string();
    let r = app
        .rpc(
            &admin,
            "admin/users/deactivate",
            &[
                ("id", me_text.as_str()),
                ("version", version.as_str()),
                ("successor", heir_text.as_str()),
            ],
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(drift(&app).await, 0, "in step after reassignment");

    // The everyone board reads them: the sponsor and two investors in acquisition (CNY
    // 400万 + 500万), four in development (USD 100万 + 200万, CNY 600万: the declined
    // deal's 300万 no longer counts).
    let board = app.page(&admin, "/lifecycle?owner=all").await;
    for expected in [
        "3 个客户",
        "4 个客户",
        "CNY 900万",
        "USD 300万",
        "CNY 600万",
    ] {
        assert!(board.contains(expected), "{expected} on the board");
    }
    // Filtered boards count and sum the matching clients themselves: the investors alone
    // (by kind, by a search for their names, or both) leave the sponsor out of acquisition.
    // A search alone reads SQLite's covering index of matches; with a kind it reads the
    // clients table.
    for filtered in [
        "/lifecycle?owner=all&kind=investor",
        "/lifecycle?owner=all&q=%E6%8A%95%E8%B5%84%E8%80%85",
        "/lifecycle?owner=all&kind=investor&q=%E6%8A%95%E8%B5%84%E8%80%85",
    ] {
        let board = app.page(&admin, filtered).await;
        for expected in [
            "2 个客户",
            "4 个客户",
            "CNY 900万",
            "USD 300万",
            "CNY 600万",
        ] {
            assert!(board.contains(expected), "{expected} on {filtered}");
        }
        assert!(!board.contains("3 个客户"), "{filtered}");
        for investor in &investors {
            assert!(
                board.contains(&format!("id=\"card-{investor}\"")),
                "{filtered}"
            );
        }
        assert!(
            !board.contains(&format!("id=\"card-{sponsor}\"")),
            "{filtered}"
        );
    }

    let kept: i64 = with_db!(&app.db, c => sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(cards), 0) AS BIGINT) FROM lifecycle_counts WHERE owner_id = $1",
    )
    .bind(heir)
    .fetch_one(c)
    .await)
    .expect("heir's cards");
    assert_eq!(kept, 7, "the successor's cards");
}

async fn deal_ids_of(app: &TestApp, client: i64) -> Vec<i64> {
    with_db!(&app.db, c => sqlx::query_scalar("SELECT id FROM deals WHERE client_id = $1 ORDER BY id")
        .bind(client)
        .fetch_all(c)
        .await)
    .expect("deals")
}
