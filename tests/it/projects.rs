//! Projects and tranches through their form endpoints: sponsors must be borrowers, bad
//! input comes back with the input kept, stale edits are refused, tranches are added.
use crate::helpers::*;
use covenant::clients::model::ClientForm;
use covenant::core::roles::Role;
use covenant::server::sqlx;
use covenant::with_db;

crate::on_both_engines!(
    a_project_is_created_for_a_borrower_and_gets_tranches,
    project_edits_check_version_and_owner,
    the_project_list_filters_by_name_sector_and_sponsor_and_pages
);

async fn borrower(app: &TestApp, owner: i64, name: &str, is_borrower: bool) -> i64 {
    let form = ClientForm {
        display_name: name.into(),
        client_type: "corporate".into(),
        country: "CN".into(),
        sector: "renewables".into(),
        is_borrower,
        is_investor: !is_borrower,
        risk_appetite: "balanced".into(),
        ticket_min: "1000万".into(),
        ticket_max: "1亿".into(),
        ticket_currency: "CNY".into(),
        esg_requirement: "basic".into(),
        kyc_status: "valid".into(),
        ..ClientForm::default()
    };
    let valid = covenant::clients::model::validate(&form, true).expect("valid");
    let mut tx = app.db.begin().await.expect("begin");
    let id = covenant::clients::repo::insert(&mut tx, &valid, owner, None, chrono::Utc::now())
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    id
}

fn project(key: &str, sponsor: i64, name: &str, version: &str) -> Vec<(&'static str, String)> {
    vec![
        ("form_key", key.to_string()),
        ("version", version.to_string()),
        ("sponsor_id", sponsor.to_string()),
        ("name", name.to_string()),
        ("sector", "renewables".to_string()),
        ("country", "CN".to_string()),
        ("total_size", "45亿".to_string()),
        ("currency", "CNY".to_string()),
        ("stage", "structuring".to_string()),
        ("risk_rating", "medium".to_string()),
        ("expected_return", "7.2".to_string()),
        ("tenor_months", "180".to_string()),
        ("esg_category", "b".to_string()),
    ]
}

const KEY: &str = "0011223344556677889900aabbccddee";

async fn a_project_is_created_for_a_borrower_and_gets_tranches(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "员工", Role::Rm)
        .await;
    let sponsor = borrower(&app, me, "滨海风电开发有限公司", true).await;
    let investor = borrower(&app, me, "某投资基金", false).await;

    let not_a_borrower = rm
        .post(app.url("/projects/new"))
        .form(&project(KEY, investor, "滨海海上风电一期", ""))
        .send()
        .await
        .expect("POST");
    assert_eq!(not_a_borrower.status(), 422);
    assert!(
        not_a_borrower
            .text()
            .await
            .expect("body")
            .contains("发起人必须是在册的借款人客户")
    );

    let mut bad = project(KEY, sponsor, "滨海海上风电一期", "");
    bad[10] = ("expected_return", "很高".to_string());
    let r = rm
        .post(app.url("/projects/new"))
        .form(&bad)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("很高") && html.contains("滨海海上风电一期") && html.contains("请输入百分比")
    );

    let ok = rm
        .post(app.url("/projects/new"))
        .form(&project(KEY, sponsor, "滨海海上风电一期", ""))
        .send()
        .await
        .expect("POST");
    assert_eq!(ok.status(), 303);
    let to = location(&ok);
    let id: i64 = to
        .trim_start_matches("/projects/")
        .trim_end_matches("?created=1")
        .parse()
        .expect("id");
    let again = rm
        .post(app.url("/projects/new"))
        .form(&project(KEY, sponsor, "滨海海上风电一期", ""))
        .send()
        .await
        .expect("POST");
    assert_eq!(location(&again), to, "one form key, one project");

    let tranche = [
        ("form_key", KEY),
        ("tranche_name", "A 档优先级"),
        ("instrument", "senior_debt"),
        ("size", "30亿"),
        ("currency", "CNY"),
        ("pricing", "4.35"),
        ("tenor_months", "180"),
        ("risk_band", "conservative"),
    ];
    let t = rm
        .post(app.url(&format!("/projects/{id}/tranches")))
        .form(&tranche)
        .send()
        .await
        .expect("POST");
    assert_eq!(
        location(&t),
        format!("/projects/{id}?tranche_added=1#tranches")
    );
    let page = rm
        .get(app.url(&format!("/projects/{id}")))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    for text in [
        "滨海海上风电一期",
        "滨海风电开发有限公司",
        "A 档优先级",
        "4.35%",
        "CNY 30亿",
        "7.2%",
    ] {
        assert!(page.contains(text), "{text} missing");
    }
    let projects: i64 = with_db!(&app.db, c => sqlx::query_scalar("SELECT COUNT(*) FROM projects").fetch_one(c).await).expect("count");
    assert_eq!(projects, 1);
}

async fn project_edits_check_version_and_owner(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "员工", Role::Rm)
        .await;
    let (_, other) = app
        .staff_browser("other@covenant.example", "员工", Role::Rm)
        .await;
    let sponsor = borrower(&app, me, "湾区交通集团", true).await;
    let ok = rm
        .post(app.url("/projects/new"))
        .form(&project(KEY, sponsor, "湾区轨道交通", ""))
        .send()
        .await
        .expect("POST");
    let id: i64 = location(&ok)
        .trim_start_matches("/projects/")
        .trim_end_matches("?created=1")
        .parse()
        .expect("id");
    let path = format!("/projects/{id}/edit");

    assert_eq!(
        other
            .post(app.url(&path))
            .form(&project(KEY, sponsor, "被别人改", "1"))
            .send()
            .await
            .expect("POST")
            .status(),
        403
    );
    assert_eq!(
        location(
            &rm.post(app.url(&path))
                .form(&project(KEY, sponsor, "湾区轨道交通二期", "1"))
                .send()
                .await
                .expect("POST")
        ),
        format!("/projects/{id}?saved=1")
    );
    let stale = rm
        .post(app.url(&path))
        .form(&project(KEY, sponsor, "过时的修改", "1"))
        .send()
        .await
        .expect("POST");
    assert_eq!(stale.status(), 409);
    let html = stale.text().await.expect("body");
    assert!(html.contains("其他人已修改了此记录") && html.contains("湾区轨道交通二期"));
}

async fn the_project_list_filters_by_name_sector_and_sponsor_and_pages(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = app
        .staff_browser("rm@covenant.example", "员工", Role::Rm)
        .await;
    let sponsor =
        crate::helpers::fixtures::client(&app, me, "滨海风电开发有限公司", false, true).await;
    let other = crate::helpers::fixtures::client(&app, me, "湾区交通集团", false, true).await;
    // 52 wind projects of one sponsor (more than a page), one rail project of another.
    for n in 0..52 {
        crate::helpers::fixtures::project(&app, me, sponsor, &format!("滨海海上风电{n:02}期"))
            .await;
    }
    crate::helpers::fixtures::project(&app, me, other, "湾区城际铁路_100%").await;

    let text = |path: String| {
        let rm = rm.clone();
        let url = app.url(&path);
        async move {
            rm.get(url)
                .send()
                .await
                .expect("GET")
                .text()
                .await
                .expect("body")
        }
    };
    let wind = text("/projects?q=%E9%A3%8E%E7%94%B5".into()).await; // q=风电
    assert!(wind.contains("共 52 个项目") && !wind.contains("湾区城际铁路"));
    // LIKE wildcards in the search text are plain characters.
    let literal = text("/projects?q=_100%25".into()).await;
    assert!(literal.contains("共 1 个项目") && literal.contains("湾区城际铁路_100%"));
    let none = text("/projects?q=%25%25%25x".into()).await;
    assert!(none.contains("暂无项目"));
    let by_sponsor = text(format!("/projects?sponsor={other}")).await;
    assert!(by_sponsor.contains("共 1 个项目"));
    let wrong_sector = text("/projects?sector=water".into()).await;
    assert!(!wrong_sector.contains("滨海海上风电"));

    // Every wind project exactly once over the pages.
    let mut seen = std::collections::BTreeSet::new();
    let mut next = Some("/projects?q=%E9%A3%8E%E7%94%B5".to_string());
    while let Some(path) = next.take() {
        let html = text(path).await;
        for part in html.split("滨海海上风电").skip(1) {
            let n: String = part.chars().take(2).collect();
            assert!(seen.insert(n.clone()), "project {n} shown twice");
        }
        next = html
            .split("href=\"/projects?")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .filter(|q| q.contains("after="))
            .map(|q| format!("/projects?{}", q.replace("&amp;", "&")));
    }
    assert_eq!(seen.len(), 52);
}
