//! Deals through their form endpoints: an rm starts deals for their investors, a doubled
//! post makes one deal, bad input changes nothing, stale edits are refused, stage changes
//! are recorded with the audit row, and list totals cover every matching deal.
use crate::helpers::fixtures;
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::server::sqlx;
use covenant::with_db;

crate::on_both_engines!(
    a_deal_is_created_once_and_shown_with_its_stage_history,
    deal_edits_check_owner_version_and_record_moves,
    list_totals_cover_every_matching_deal_per_currency_and_converted,
    deactivating_an_rm_hands_their_deals_to_the_successor
);

const KEY: &str = "00112233445566778899aabbccddeeff";
const KEY2: &str = "ffeeddccbbaa99887766554433221100";

fn deal(key: &str, client: i64, project: i64, tranche: i64) -> Vec<(&'static str, String)> {
    vec![
        ("form_key", key.to_string()),
        ("version", String::new()),
        ("client_id", client.to_string()),
        ("project_id", project.to_string()),
        ("tranche_id", tranche.to_string()),
        ("stage", "interested".to_string()),
        ("currency", "CNY".to_string()),
        ("indicated_amount", "5000万".to_string()),
        ("committed_amount", String::new()),
        ("probability", String::new()),
        ("expected_close", "2027-03-31".to_string()),
        ("terms", "按季付息".to_string()),
        ("reason", String::new()),
    ]
}

fn set(form: &mut [(&'static str, String)], name: &str, value: &str) {
    for (k, v) in form.iter_mut() {
        if *k == name {
            *v = value.to_string();
        }
    }
}

async fn deal_count(app: &TestApp) -> i64 {
    with_db!(&app.db, c => sqlx::query_scalar("SELECT COUNT(*) FROM deals").fetch_one(c).await)
        .expect("count")
}

async fn a_deal_is_created_once_and_shown_with_its_stage_history(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "员工", Role::Rm)
        .await;
    let investor = fixtures::client(&app, me, "长江基础设施投资基金", true, false).await;
    let borrower = fixtures::client(&app, me, "滨海风电开发有限公司", false, true).await;
    let sponsor = fixtures::client(&app, me, "湾区交通集团", false, true).await;
    let (project, tranche) = fixtures::project(&app, me, sponsor, "湾区轨道交通一期").await;

    // A borrower is not an investor: refused at the field, nothing written.
    let r = app
        .post_form(&rm, "/deals/new", &deal(KEY, borrower, project, tranche))
        .await;
    assert_eq!(r.status(), 422);
    // A commitment without an amount comes back with the typed input.
    let mut committed = deal(KEY, investor, project, tranche);
    set(&mut committed, "stage", "committed");
    set(&mut committed, "terms", "提前还款需提前三十天通知");
    let r = app.post_form(&rm, "/deals/new", &committed).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("已承诺或已完成的交易需填写承诺金额"));
    assert!(
        html.contains("提前还款需提前三十天通知"),
        "typed terms kept"
    );
    assert_eq!(deal_count(&app).await, 0);

    let ok = app
        .post_form(&rm, "/deals/new", &deal(KEY, investor, project, tranche))
        .await;
    assert_eq!(ok.status(), 303);
    let to = location(&ok);
    assert!(
        to.starts_with("/deals/") && to.ends_with("?created=1"),
        "{to}"
    );
    let again = app
        .post_form(&rm, "/deals/new", &deal(KEY, investor, project, tranche))
        .await;
    assert_eq!(location(&again), to, "one form key, one deal");
    assert_eq!(deal_count(&app).await, 1);

    // A second open deal of the same investor in the same tranche is refused.
    let twin = app
        .post_form(&rm, "/deals/new", &deal(KEY2, investor, project, tranche))
        .await;
    assert_eq!(twin.status(), 422);
    assert!(
        twin.text()
            .await
            .expect("body")
            .contains("已有进行中的交易")
    );
    assert_eq!(deal_count(&app).await, 1);

    let page = app.page(&rm, to.trim_end_matches("?created=1")).await;
    for text in [
        "长江基础设施投资基金",
        "湾区轨道交通一期",
        "A 档优先级",
        "有意向",
        "35%",
        "CNY 5,000万",
        "2027-03-31",
        "按季付息",
        "新建",
    ] {
        assert!(page.contains(text), "{text} missing on the deal page");
    }
    // The investor's and the project's pages list it.
    for path in [
        format!("/clients/{investor}"),
        format!("/projects/{project}"),
    ] {
        let html = app.page(&rm, &path).await;
        assert!(
            html.contains(&to.replace("?created=1", "")),
            "{path} links the deal"
        );
    }
}

async fn deal_edits_check_owner_version_and_record_moves(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "员工", Role::Rm)
        .await;
    let (_, other) = app
        .staff_browser("other@covenant.example", "员工", Role::Rm)
        .await;
    let (_, analyst) = app
        .staff_browser("analyst@covenant.example", "员工", Role::Analyst)
        .await;
    let investor = fixtures::client(&app, me, "长江基础设施投资基金", true, false).await;
    let sponsor = fixtures::client(&app, me, "湾区交通集团", false, true).await;
    let (project, tranche) = fixtures::project(&app, me, sponsor, "湾区轨道交通一期").await;

    // Another rm may not start deals for my investor; an analyst may not at all.
    for browser in [&other, &analyst] {
        let r = app
            .post_form(
                browser,
                "/deals/new",
                &deal(KEY, investor, project, tranche),
            )
            .await;
        assert_eq!(r.status(), 403);
    }
    let ok = app
        .post_form(&rm, "/deals/new", &deal(KEY, investor, project, tranche))
        .await;
    let id = location(&ok)
        .trim_start_matches("/deals/")
        .trim_end_matches("?created=1")
        .to_string();
    let path = format!("/deals/{id}/edit");

    let mut edit = deal("", investor, project, tranche);
    set(&mut edit, "version", "1");
    set(&mut edit, "stage", "term_sheet");
    set(&mut edit, "reason", "投委会已通过");
    for browser in [&other, &analyst] {
        let r = app.post_form(browser, &path, &edit).await;
        assert_eq!(r.status(), 403);
    }
    let saved = app.post_form(&rm, &path, &edit).await;
    assert_eq!(location(&saved), format!("/deals/{id}?saved=1"));

    // The same version again is stale: refused, with the current values shown.
    let mut stale = edit.clone();
    set(&mut stale, "indicated_amount", "9亿");
    let r = app.post_form(&rm, &path, &stale).await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.expect("body");
    assert!(html.contains("其他人已修改了此记录"));
    assert!(html.contains("term_sheet"), "current stage selected");

    let id: i64 = id.parse().expect("id");
    let moves: Vec<(Option<String>, String, Option<String>)> =
        with_db!(&app.db, c => sqlx::query_as(
        "SELECT from_stage, to_stage, reason FROM deal_moves WHERE deal_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(c)
    .await)
        .expect("moves");
    assert_eq!(
        moves,
        vec![
            (None, "interested".to_string(), None),
            (
                Some("interested".to_string()),
                "term_sheet".to_string(),
                Some("投委会已通过".to_string())
            ),
        ]
    );
    let (before, after): (Option<String>, Option<String>) = with_db!(&app.db, c => sqlx::query_as(
        "SELECT before_json, after_json FROM audit_log WHERE action = 'deal.update' AND entity_id = $1",
    )
    .bind(id)
    .fetch_one(c)
    .await)
    .expect("audit row");
    assert!(
        before
            .unwrap_or_default()
            .contains("\"stage\":\"interested\"")
    );
    assert!(
        after
            .unwrap_or_default()
            .contains("\"stage\":\"term_sheet\"")
    );
    // Declining needs a reason; a commitment needs a valid KYC.
    let mut decline = edit.clone();
    set(&mut decline, "version", "2");
    set(&mut decline, "stage", "declined");
    set(&mut decline, "reason", "");
    let r = app.post_form(&rm, &path, &decline).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("body").contains("放弃交易需填写原因"));
    with_db!(&app.db, c => sqlx::query("UPDATE investor_profiles SET kyc_status = 'expired' WHERE client_id = $1")
        .bind(investor)
        .execute(c)
        .await
        .map(|_| ()))
    .expect("expire KYC");
    let mut commit = edit.clone();
    set(&mut commit, "version", "2");
    set(&mut commit, "stage", "committed");
    set(&mut commit, "committed_amount", "3000万");
    let r = app.post_form(&rm, &path, &commit).await;
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("投资方 KYC 有效后才能承诺")
    );

    let (amount, version): (Option<i64>, i64) = with_db!(&app.db, c => sqlx::query_as(
        "SELECT indicated_amount, version FROM deals WHERE id = $1",
    )
    .bind(id)
    .fetch_one(c)
    .await)
    .expect("deal");
    assert_eq!(
        (amount, version),
        (Some(5_000_000_000), 2),
        "the stale edit changed nothing"
    );
}

async fn list_totals_cover_every_matching_deal_per_currency_and_converted(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "员工", Role::Rm)
        .await;
    let sponsor = fixtures::client(&app, me, "湾区交通集团", false, true).await;
    let (project, tranche) = fixtures::project(&app, me, sponsor, "湾区轨道交通一期").await;
    // 55 CNY deals of 100万 each (more than one page of 50) and one USD deal.
    for n in 0..56 {
        let investor = fixtures::client(&app, me, &format!("投资者{n:02}"), true, false).await;
        let mut form = deal(&format!("{n:032x}"), investor, project, tranche);
        set(&mut form, "indicated_amount", "100万");
        set(&mut form, "probability", "50");
        if n == 55 {
            set(&mut form, "currency", "USD");
        }
        let r = app.post_form(&rm, "/deals/new", &form).await;
        assert_eq!(r.status(), 303);
    }
    let rate_day = app.clock_now().date_naive() - chrono::Duration::days(3);
    let mut tx = app.db.begin().await.expect("begin");
    covenant::clients::repo::set_fx_rate(&mut tx, "USD", rate_day, 7_200_000)
        .await
        .expect("rate");
    tx.commit().await.expect("commit");

    let html = app.page(&rm, "/deals").await;
    assert!(html.contains("共 56 笔交易"), "count over all pages");
    // 55 × 100万 = 5,500万 indicated, 2,750万 weighted; USD 1,000,000 at 7.2 = 720万.
    assert!(
        html.contains("CNY 5,500万") && html.contains("CNY 2,750万"),
        "CNY totals"
    );
    assert!(html.contains("USD 100万"), "USD total");
    assert!(
        html.contains(&format!("按 {rate_day} 汇率折合 CNY")),
        "converted, labelled with the rate date"
    );
    assert!(html.contains("CNY 6,220万"), "converted indicated total");
    assert!(html.contains("after="), "a next page");
    let usd_only = app.page(&rm, "/deals?currency=USD").await;
    assert!(usd_only.contains("共 1 笔交易"));

    // Paging: every deal exactly once over the pages.
    let mut seen = std::collections::BTreeSet::new();
    let mut next = Some("/deals".to_string());
    while let Some(path) = next.take() {
        let html = app.page(&rm, &path).await;
        for part in html.split("href=\"/deals/").skip(1) {
            let id: String = part.chars().take_while(|c| c.is_ascii_digit()).collect();
            if !id.is_empty() {
                assert!(seen.insert(id.clone()), "deal {id} shown twice");
            }
        }
        next = html
            .split("href=\"/deals?")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .filter(|q| q.contains("after="))
            .map(|q| format!("/deals?{}", q.replace("&amp;", "&")));
    }
    assert_eq!(seen.len(), 56);
}

async fn deactivating_an_rm_hands_their_deals_to_the_successor(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "员工", Role::Rm)
        .await;
    let heir = app
        .add_staff("heir@covenant.example", "接任者", Role::Rm, STAFF_PASSWORD)
        .await;
    app.add_staff(
        "admin@covenant.example",
        "管理员",
        Role::Admin,
        ADMIN_PASSWORD,
    )
    .await;
    let admin = app.browser();
    app.sign_in(&admin, "admin@covenant.example", ADMIN_PASSWORD)
        .await;
    let investor = fixtures::client(&app, me, "长江基础设施投资基金", true, false).await;
    let sponsor = fixtures::client(&app, me, "湾区交通集团", false, true).await;
    let (project, tranche) = fixtures::project(&app, me, sponsor, "湾区轨道交通一期").await;
    let r = app
        .post_form(&rm, "/deals/new", &deal(KEY, investor, project, tranche))
        .await;
    assert_eq!(r.status(), 303);

    let version: i64 = with_db!(&app.db, c => sqlx::query_scalar("SELECT version FROM users WHERE id = $1").bind(me).fetch_one(c).await)
        .expect("version");
    let r = app
        .rpc(
            &admin,
            "admin/users/deactivate",
            &[
                ("id", &me.to_string()),
                ("version", &version.to_string()),
                ("successor", &heir.to_string()),
            ],
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let owners: Vec<i64> = with_db!(&app.db, c => sqlx::query_scalar(
        "SELECT owner_id FROM deals UNION ALL SELECT owner_id FROM projects UNION ALL SELECT owner_id FROM clients",
    )
    .fetch_all(c)
    .await)
    .expect("owners");
    assert!(
        owners.len() == 4 && owners.iter().all(|o| *o == heir),
        "{owners:?}"
    );
}
