//! The lifecycle board: column totals over all cards, keyset paging that survives moves,
//! the stage rules, and concurrent moves (one wins; a repeated request id is one move).
use crate::helpers::fixtures;
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::server::sqlx;
use covenant::with_db;

crate::on_both_engines!(
    columns_count_and_sum_every_card_and_page_once_while_cards_move,
    the_stage_rules_refuse_or_ask_for_a_reason,
    concurrent_moves_one_wins_and_a_repeated_request_is_one_move,
    a_quiet_client_is_flagged_explained_and_cleared_by_a_meeting
);

async fn set_stage(app: &TestApp, client: i64, stage: &str) {
    with_db!(&app.db, c => sqlx::query("UPDATE clients SET lifecycle_stage = $1 WHERE id = $2")
        .bind(stage)
        .bind(client)
        .execute(c)
        .await
        .map(|_| ()))
    .expect("stage");
}

async fn version_of(app: &TestApp, client: i64) -> i64 {
    with_db!(&app.db, c => sqlx::query_scalar("SELECT version FROM clients WHERE id = $1").bind(client).fetch_one(c).await)
        .expect("version")
}

/// Moves a card the way the board's script does; returns the JSON answer.
async fn move_card(
    app: &TestApp,
    browser: &reqwest::Client,
    id: i64,
    version: i64,
    to: &str,
    reason: &str,
    request_id: &str,
) -> (u16, String) {
    let r = app
        .rpc(
            browser,
            "lifecycle/move",
            &[
                ("id", &id.to_string()),
                ("version", &version.to_string()),
                ("to", to),
                ("reason", reason),
                ("request_id", request_id),
                ("back", "?owner=all"),
            ],
        )
        .await;
    (r.status().as_u16(), r.text().await.expect("body"))
}

fn key(n: u32) -> String {
    format!("{n:032x}")
}

async fn columns_count_and_sum_every_card_and_page_once_while_cards_move(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "王伟", Role::Rm)
        .await;
    let sponsor = fixtures::client(&app, me, "湾区交通集团", false, true).await;
    let (project, tranche) = fixtures::project(&app, me, sponsor, "湾区轨道交通一期").await;
    // 45 investors in development, each with a committed deal of 100万.
    let mut ids = Vec::new();
    for n in 0..45 {
        let id = fixtures::client(&app, me, &format!("发展期投资者{n:02}"), true, false).await;
        set_stage(&app, id, "development").await;
        let form = [
            ("form_key", key(n)),
            ("client_id", id.to_string()),
            ("project_id", project.to_string()),
            ("tranche_id", tranche.to_string()),
            ("stage", "committed".to_string()),
            ("currency", "CNY".to_string()),
            ("committed_amount", "100万".to_string()),
        ];
        assert_eq!(app.post_form(&rm, "/deals/new", &form).await.status(), 303);
        ids.push(id);
    }
    let board = app.page(&rm, "/lifecycle").await;
    assert!(
        board.contains("45 个客户"),
        "the count covers every card, not one page"
    );
    assert!(
        board.contains("CNY 4,500万"),
        "the value sums every card's commitment"
    );
    let page = covenant::pipeline::lifecycle::service::COLUMN_PAGE as usize;
    assert_eq!(
        board
            .replace("<!>", "")
            .matches("已承诺: CNY 100万")
            .count(),
        page,
        "each card of the first page shows its own commitment"
    );
    // A search reads its figures and first pages in one statement: the same totals, and
    // the first page of the column by name, with a link to the next.
    let searched = app
        .page(&rm, "/lifecycle?q=%E5%8F%91%E5%B1%95%E6%9C%9F")
        .await;
    assert!(searched.contains("45 个客户"), "searched count");
    assert!(searched.contains("CNY 4,500万"), "searched value");
    assert_eq!(
        searched
            .replace("<!>", "")
            .matches("已承诺: CNY 100万")
            .count(),
        page,
        "each searched card shows its own commitment"
    );
    let names: Vec<&str> = searched
        .split("发展期投资者")
        .skip(1)
        .filter_map(|s| s.get(..2))
        .collect();
    let mut first_names: Vec<&str> = names.clone();
    first_names.dedup();
    let expected: Vec<String> = (0..covenant::pipeline::lifecycle::service::COLUMN_PAGE)
        .map(|n| format!("{n:02}"))
        .collect();
    assert_eq!(first_names, expected, "the first page, by name");
    assert!(
        searched.contains("column=development") && searched.contains("after="),
        "a link to the column's next page"
    );

    // Page through the development column while cards move between page loads.
    let column = "/lifecycle?column=development";
    let first = app.page(&rm, column).await;
    let seen_ids = |html: &str| -> Vec<i64> {
        html.split("id=\"card-")
            .skip(1)
            .filter_map(|s| s.split('"').next()?.parse().ok())
            .collect()
    };
    let mut seen = seen_ids(&first);
    assert_eq!(
        seen.len(),
        covenant::pipeline::lifecycle::service::COLUMN_PAGE as usize
    );
    // One card already seen leaves the column, one not yet seen leaves it too.
    let gone_seen = seen[3];
    let gone_unseen = *ids
        .iter()
        .rev()
        .find(|id| !seen.contains(id))
        .expect("unseen");
    for (n, id) in [(100, gone_seen), (101, gone_unseen)] {
        let (status, body) = move_card(
            &app,
            &rm,
            id,
            version_of(&app, id).await,
            "maturity",
            "",
            &key(n),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("Moved"), "{body}");
        if n == 101 {
            // The answer carries the columns' figures after both moves, for the board to
            // show without a reload.
            let answer: serde_json::Value = serde_json::from_str(&body).expect("json");
            let figures = answer["figures"].as_array().expect("figures");
            let of = |stage: &str| {
                figures
                    .iter()
                    .find(|f| f["stage"] == stage)
                    .cloned()
                    .unwrap_or_default()
            };
            assert_eq!(of("development")["count_text"], "43 个客户");
            assert_eq!(of("maturity")["count_text"], "2 个客户");
            assert_eq!(of("maturity")["total"], "已承诺：CNY 200万");
        }
    }
    let mut next = first
        .split("href=\"/lifecycle?")
        .filter_map(|s| s.split('"').next())
        .find(|q| q.contains("after="))
        .map(|q| format!("/lifecycle?{}", q.replace("&amp;", "&")));
    while let Some(path) = next.take() {
        let html = app.page(&rm, &path).await;
        seen.extend(seen_ids(&html));
        next = html
            .split("href=\"/lifecycle?")
            .filter_map(|s| s.split('"').next())
            .find(|q| q.contains("after="))
            .map(|q| format!("/lifecycle?{}", q.replace("&amp;", "&")));
    }
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no card twice");
    assert!(
        !seen.contains(&gone_unseen),
        "a card that left is not shown"
    );
    assert_eq!(
        seen.len(),
        44,
        "every card that stayed, once (plus the one seen before it left)"
    );
}

async fn the_stage_rules_refuse_or_ask_for_a_reason(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "王伟", Role::Rm)
        .await;
    let (_, other) = app
        .staff_browser("other@covenant.example", "别人", Role::Rm)
        .await;
    let client = fixtures::client(&app, me, "长江基础设施投资基金", true, false).await;
    set_stage(&app, client, "lost").await;

    let (_, body) = move_card(
        &app,
        &rm,
        client,
        version_of(&app, client).await,
        "maturity",
        "",
        &key(1),
    )
    .await;
    assert!(body.contains("move.lost_reenters_at_acquisition"), "{body}");
    let (_, body) = move_card(
        &app,
        &rm,
        client,
        version_of(&app, client).await,
        "acquisition",
        "",
        &key(2),
    )
    .await;
    assert!(body.contains("move.reason_reactivation"), "{body}");
    let (status, _) = move_card(
        &app,
        &other,
        client,
        version_of(&app, client).await,
        "acquisition",
        "重新接触",
        &key(3),
    )
    .await;
    assert_eq!(status, 403, "another rm's client");
    let (_, body) = move_card(
        &app,
        &rm,
        client,
        version_of(&app, client).await,
        "acquisition",
        "重新接触",
        &key(4),
    )
    .await;
    assert!(body.contains("Moved"), "{body}");
    let (_, body) = move_card(
        &app,
        &rm,
        client,
        version_of(&app, client).await,
        "maturity",
        "",
        &key(5),
    )
    .await;
    assert!(
        body.contains("move.warn_maturity_no_commitment"),
        "moves, with a warning: {body}"
    );

    // Without JavaScript: the plain form asks for the reason and keeps the board.
    let form = [
        ("id", client.to_string()),
        ("version", version_of(&app, client).await.to_string()),
        ("to", "decline".to_string()),
        ("reason", String::new()),
        ("request_id", key(6)),
        ("back", "?owner=all".to_string()),
    ];
    let r = app.post_form(&rm, "/lifecycle/move", &form).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("移至衰退或流失需填写原因")
    );
    let mut with_reason = form.clone();
    with_reason[3].1 = "连续两季未追加投资".into();
    let r = app.post_form(&rm, "/lifecycle/move", &with_reason).await;
    assert_eq!(
        location(&r),
        format!("/lifecycle?owner=all&moved={client}#card-{client}")
    );

    // Every move is in the history with its audit row, and on the client's page.
    let moves: Vec<(Option<String>, String, Option<String>)> =
        with_db!(&app.db, c => sqlx::query_as(
        "SELECT from_stage, to_stage, reason FROM lifecycle_moves WHERE client_id = $1 ORDER BY id",
    )
    .bind(client)
    .fetch_all(c)
    .await)
        .expect("moves");
    assert_eq!(
        moves,
        vec![
            (
                Some("lost".into()),
                "acquisition".into(),
                Some("重新接触".into())
            ),
            (Some("acquisition".into()), "maturity".into(), None),
            (
                Some("maturity".into()),
                "decline".into(),
                Some("连续两季未追加投资".into())
            ),
        ]
    );
    let audits: i64 = with_db!(&app.db, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'client.move' AND entity_id = $1",
    )
    .bind(client)
    .fetch_one(c)
    .await)
    .expect("audit");
    assert_eq!(audits, 3);
    let page = app.page(&rm, &format!("/clients/{client}")).await;
    assert!(
        page.contains("连续两季未追加投资"),
        "history on the client page"
    );
}

async fn concurrent_moves_one_wins_and_a_repeated_request_is_one_move(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "王伟", Role::Rm)
        .await;
    app.add_staff(
        "crm@covenant.example",
        "数据官",
        Role::CrmOfficer,
        STAFF_PASSWORD,
    )
    .await;
    let crm = app.browser();
    app.sign_in(&crm, "crm@covenant.example", STAFF_PASSWORD)
        .await;
    let client = fixtures::client(&app, me, "长江基础设施投资基金", true, false).await;
    let version = version_of(&app, client).await;

    // Two people move the same card from the same version at once: one wins.
    let (k1, k2) = (key(1), key(2));
    let (a, b) = tokio::join!(
        move_card(&app, &rm, client, version, "development", "", &k1),
        move_card(&app, &crm, client, version, "maturity", "", &k2),
    );
    let answers = [a.1.clone(), b.1.clone()];
    assert_eq!(
        answers.iter().filter(|a| a.contains("Moved")).count(),
        1,
        "{answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|a| a.contains("Conflict")).count(),
        1,
        "{answers:?}"
    );

    // A double click: the same request twice at once, then once more later.
    let version = version_of(&app, client).await;
    let k3 = key(3);
    let (a, b) = tokio::join!(
        move_card(&app, &rm, client, version, "acquisition", "", &k3),
        move_card(&app, &rm, client, version, "acquisition", "", &k3),
    );
    let (_, c) = move_card(&app, &rm, client, version, "acquisition", "", &key(3)).await;
    for answer in [&a.1, &b.1, &c] {
        assert!(
            answer.contains("Moved") && answer.contains("acquisition"),
            "no false conflict: {answer}"
        );
    }
    let moves: i64 = with_db!(&app.db, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM lifecycle_moves WHERE client_id = $1",
    )
    .bind(client)
    .fetch_one(c)
    .await)
    .expect("moves");
    assert_eq!(moves, 2, "one move per request");
}

async fn a_quiet_client_is_flagged_explained_and_cleared_by_a_meeting(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "王伟", Role::Rm)
        .await;
    let quiet = fixtures::client(&app, me, "沉寂的投资基金", true, false).await;
    let busy = fixtures::client(&app, me, "活跃的投资基金", true, false).await;
    let now = app.clock_now();
    // Both known for a year; the quiet one last heard from 200 days ago, the busy one last week.
    for (id, days) in [(quiet, 200), (busy, 7)] {
        with_db!(&app.db, c => sqlx::query("UPDATE clients SET created_at = $1, last_interaction_at = $2 WHERE id = $3")
            .bind(now - chrono::Duration::days(365))
            .bind(now - chrono::Duration::days(days))
            .bind(id)
            .execute(c)
            .await
            .map(|_| ()))
        .expect("facts");
    }
    let changed = covenant::pipeline::lifecycle::warning::refresh(&app.db, now, None)
        .await
        .expect("refresh");
    assert_eq!(changed, 1, "only the quiet client has a signal");

    let page = app.page(&rm, &format!("/clients/{quiet}")).await;
    assert!(
        page.contains("流失早期预警") && page.contains("已 200 天无互动"),
        "explained in words"
    );
    let list = app.page(&rm, "/lifecycle/at-risk").await;
    assert!(list.contains("沉寂的投资基金") && !list.contains("活跃的投资基金"));
    let board = app.page(&rm, "/lifecycle").await;
    assert!(board.contains("flag-risk"), "the card is marked");

    // A meeting logged today clears it at once.
    let day = (now + chrono::Duration::hours(8)).date_naive();
    let form = [
        ("form_key", key(9)),
        ("kind", "call".to_string()),
        ("occurred_at", format!("{day}T00:05")),
        ("summary", "电话回访".to_string()),
    ];
    let r = app
        .post_form(&rm, &format!("/clients/{quiet}/interactions"), &form)
        .await;
    assert_eq!(r.status(), 303);
    let page = app.page(&rm, &format!("/clients/{quiet}")).await;
    assert!(
        !page.contains("流失早期预警"),
        "cleared by the new interaction"
    );
}
