//! Clients: creation through the real form endpoint, search over Chinese and Latin terms and
//! phone digits, filters, keyset paging under inserts, validation, stale edits, idempotent
//! creates, permissions and audit.
use crate::helpers::*;
use chrono::NaiveDate;
use covenant::clients::model::*;
use covenant::clients::repo;
use covenant::core::roles::Role;
use covenant::server::sqlx;
use covenant::with_db;

crate::on_both_engines!(
    a_client_created_through_the_form_shows_on_its_page_and_in_the_audit_log,
    search_finds_chinese_names_latin_prefixes_and_phone_digits,
    filters_return_exactly_the_matching_clients,
    keyset_paging_returns_every_client_once_while_others_are_added,
    invalid_input_is_shown_again_with_the_input_kept_and_changes_nothing,
    a_stale_edit_is_refused_and_the_first_edit_stands,
    one_form_key_creates_one_client,
    a_likely_duplicate_is_shown_before_creating,
    only_owners_and_officers_edit_and_analysts_never,
    contacts_are_added_with_validation_and_one_primary,
);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")
}

fn base_form(name: &str) -> ClientForm {
    ClientForm {
        display_name: name.into(),
        client_type: "fund".into(),
        country: "CN".into(),
        sector: "financial_services".into(),
        is_investor: true,
        risk_appetite: "balanced".into(),
        ticket_min: "1000万".into(),
        ticket_max: "1亿".into(),
        ticket_currency: "CNY".into(),
        esg_requirement: "basic".into(),
        kyc_status: "valid".into(),
        kyc_review_due: "2027-06-30".into(),
        ..ClientForm::default()
    }
}

/// Stores a client straight through the repository (for search, filter and paging tests).
async fn store(app: &TestApp, owner: i64, form: ClientForm) -> i64 {
    let valid = validate(&form, true).expect("valid test client");
    let mut tx = app.db.begin().await.expect("begin");
    let band = repo::band_of(&mut tx, &valid, today()).await.expect("band");
    let id = repo::insert(&mut tx, &valid, owner, band, chrono::Utc::now())
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    id
}

async fn ids(app: &TestApp, filter: ClientFilter) -> Vec<i64> {
    let page = repo::list(&app.db, &filter, today(), 500)
        .await
        .expect("list");
    let mut ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

fn search(q: &str) -> ClientFilter {
    ClientFilter {
        q: q.into(),
        ..ClientFilter::default()
    }
}

async fn client_count(app: &TestApp) -> i64 {
    with_db!(&app.db, c => sqlx::query_scalar("SELECT COUNT(*) FROM clients").fetch_one(c).await)
        .expect("count")
}

fn form_pairs(form: &ClientForm) -> Vec<(String, String)> {
    let mut pairs = vec![
        ("form_key", form.form_key.clone()),
        ("version", form.version.clone()),
        ("display_name", form.display_name.clone()),
        ("latin_name", form.latin_name.clone()),
        ("registration_id", form.registration_id.clone()),
        ("client_type", form.client_type.clone()),
        ("country", form.country.clone()),
        ("sector", form.sector.clone()),
        ("owner_id", form.owner_id.clone()),
        ("risk_appetite", form.risk_appetite.clone()),
        ("ticket_min", form.ticket_min.clone()),
        ("ticket_max", form.ticket_max.clone()),
        ("ticket_currency", form.ticket_currency.clone()),
        ("esg_requirement", form.esg_requirement.clone()),
        ("kyc_status", form.kyc_status.clone()),
        ("kyc_review_due", form.kyc_review_due.clone()),
        ("contact_name", form.contact_name.clone()),
        ("contact_email", form.contact_email.clone()),
        ("contact_phone", form.contact_phone.clone()),
        ("contact_language", "zh".to_string()),
    ];
    if form.is_investor {
        pairs.push(("is_investor", "on".into()));
    }
    if form.is_borrower {
        pairs.push(("is_borrower", "on".into()));
    }
    if form.confirm_duplicate {
        pairs.push(("confirm_duplicate", "on".into()));
    }
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &ClientForm,
) -> reqwest::Response {
    client
        .post(app.url(path))
        .form(&form_pairs(form))
        .send()
        .await
        .expect("POST")
}

async fn signed_in(app: &TestApp, email: &str, role: Role) -> (i64, reqwest::Client) {
    let id = app.add_staff(email, "员工", role, STAFF_PASSWORD).await;
    let client = app.browser();
    assert_eq!(
        location(&app.sign_in(&client, email, STAFF_PASSWORD).await),
        "/"
    );
    (id, client)
}

const KEY: &str = "fedcba9876543210fedcba9876543210";

async fn a_client_created_through_the_form_shows_on_its_page_and_in_the_audit_log(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (_, rm) = signed_in(&app, "rm@covenant.example", Role::Rm).await;
    let form = ClientForm {
        form_key: KEY.into(),
        latin_name: "Yangtze Infrastructure Fund".into(),
        registration_id: "91310000MA1K4XYZ2B".into(),
        contact_name: "王伟".into(),
        contact_email: "wang.wei@yangtze.example".into(),
        contact_phone: "+86 138 0013 8888".into(),
        ..base_form("长江基础设施投资基金")
    };
    let r = post(&app, &rm, "/clients/new", &form).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let to = location(&r);
    assert!(
        to.starts_with("/clients/") && to.ends_with("?created=1"),
        "{to}"
    );
    let page = rm
        .get(app.url(&to))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    for text in [
        "长江基础设施投资基金",
        "Yangtze Infrastructure Fund",
        "王伟",
        "wang.wei@yangtze.example",
        "稳健型",
        "客户已创建",
        "创建了客户",
    ] {
        assert!(page.contains(text), "{text} missing");
    }
    let id: i64 = to
        .trim_start_matches("/clients/")
        .trim_end_matches("?created=1")
        .parse()
        .expect("id");
    let after: Option<String> = with_db!(&app.db, c => sqlx::query_scalar(
        "SELECT after_json FROM audit_log WHERE action = 'client.create' AND entity_id = $1").bind(id).fetch_one(c).await).expect("audit");
    assert!(
        after.is_some_and(|a| a.contains("91310000MA1K4XYZ2B")),
        "the audit row holds the new record"
    );
}

async fn search_finds_chinese_names_latin_prefixes_and_phone_digits(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let owner = app
        .add_staff("rm@covenant.example", "某人", Role::Rm, STAFF_PASSWORD)
        .await;
    let yangtze = store(
        &app,
        owner,
        ClientForm {
            latin_name: "Yangtze Infrastructure Fund".into(),
            contact_name: "王伟".into(),
            contact_phone: "+86 138 0013 8888".into(),
            ..base_form("长江基础设施投资基金")
        },
    )
    .await;
    let pearl = store(
        &app,
        owner,
        ClientForm {
            latin_name: "Pearl River Capital".into(),
            contact_name: "王芳".into(),
            contact_email: "fang.wang@pearl.example".into(),
            contact_phone: "+86 139 2222 7777".into(),
            ..base_form("珠江资本")
        },
    )
    .await;
    let harbour = store(
        &app,
        owner,
        ClientForm {
            latin_name: "Harbour Yangon Partners".into(),
            ..base_form("港湾伙伴")
        },
    )
    .await;

    assert_eq!(
        ids(&app, search("王伟")).await,
        vec![yangtze],
        "a two-character Chinese name"
    );
    assert_eq!(
        ids(&app, search("王")).await,
        vec![yangtze, pearl],
        "one character"
    );
    assert_eq!(ids(&app, search("基础设施")).await, vec![yangtze]);
    assert_eq!(
        ids(&app, search("yang")).await,
        vec![yangtze, harbour],
        "a Latin prefix, any word"
    );
    assert_eq!(ids(&app, search("YANGTZE fund")).await, vec![yangtze]);
    assert_eq!(
        ids(&app, search("8888")).await,
        vec![yangtze],
        "phone digits"
    );
    assert_eq!(ids(&app, search("139-2222-7777")).await, vec![pearl]);
    assert_eq!(ids(&app, search("fang.wang")).await, vec![pearl], "e-mail");
    assert!(ids(&app, search("芳伟")).await.is_empty());
    assert!(
        ids(&app, search("x")).await.is_empty(),
        "too short to search finds nothing, not everything"
    );
}

async fn filters_return_exactly_the_matching_clients(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let owner = app
        .add_staff("rm@covenant.example", "某人", Role::Rm, STAFF_PASSWORD)
        .await;
    let other = app
        .add_staff("rm2@covenant.example", "另一人", Role::Rm, STAFF_PASSWORD)
        .await;
    let growth = store(
        &app,
        owner,
        ClientForm {
            risk_appetite: "growth".into(),
            ..base_form("成长基金")
        },
    )
    .await;
    let both = store(
        &app,
        other,
        ClientForm {
            is_borrower: true,
            country: "SG".into(),
            ..base_form("双重客户")
        },
    )
    .await;
    let expired = store(
        &app,
        owner,
        ClientForm {
            kyc_review_due: "2026-01-31".into(),
            ticket_max: "20亿".into(),
            ..base_form("过期客户")
        },
    )
    .await;
    let borrower = store(
        &app,
        other,
        ClientForm {
            is_investor: false,
            is_borrower: true,
            sector: "energy".into(),
            ..base_form("能源借款人")
        },
    )
    .await;

    let f = ClientFilter::default;
    assert_eq!(
        ids(
            &app,
            ClientFilter {
                kind: Some(ClientKind::Both),
                ..f()
            }
        )
        .await,
        vec![both]
    );
    assert_eq!(
        ids(
            &app,
            ClientFilter {
                kind: Some(ClientKind::Borrower),
                ..f()
            }
        )
        .await,
        vec![both, borrower]
    );
    assert_eq!(
        ids(
            &app,
            ClientFilter {
                risk: Some(RiskAppetite::Growth),
                ..f()
            }
        )
        .await,
        vec![growth]
    );
    assert_eq!(
        ids(
            &app,
            ClientFilter {
                kyc: Some(KycStatus::Expired),
                ..f()
            }
        )
        .await,
        vec![expired]
    );
    assert_eq!(
        ids(
            &app,
            ClientFilter {
                band: Some(TicketBand::Jumbo),
                ..f()
            }
        )
        .await,
        vec![expired]
    );
    assert_eq!(
        ids(
            &app,
            ClientFilter {
                owner: Some(other),
                ..f()
            }
        )
        .await,
        vec![both, borrower]
    );
    assert_eq!(
        ids(
            &app,
            ClientFilter {
                country: "SG".into(),
                ..f()
            }
        )
        .await,
        vec![both]
    );
    assert_eq!(
        ids(
            &app,
            ClientFilter {
                sector: Some(Sector::Energy),
                ..f()
            }
        )
        .await,
        vec![borrower]
    );
    assert_eq!(
        ids(
            &app,
            ClientFilter {
                stage: Some(LifecycleStage::Acquisition),
                owner: Some(owner),
                ..f()
            }
        )
        .await,
        vec![growth, expired]
    );
    let page = repo::list(
        &app.db,
        &ClientFilter {
            kind: Some(ClientKind::Borrower),
            ..f()
        },
        today(),
        1,
    )
    .await
    .expect("list");
    assert_eq!(page.total, 2, "the count covers every page");
}

async fn keyset_paging_returns_every_client_once_while_others_are_added(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let owner = app
        .add_staff("rm@covenant.example", "某人", Role::Rm, STAFF_PASSWORD)
        .await;
    let mut expected = Vec::new();
    for i in 0..25 {
        expected.push(store(&app, owner, base_form(&format!("客户{i:02}"))).await);
    }
    for sort in [ClientSort::Name, ClientSort::Updated] {
        let mut seen = Vec::new();
        let mut after = None;
        let mut extra = 0;
        loop {
            let filter = ClientFilter {
                sort: Some(sort),
                after: after.clone(),
                ..ClientFilter::default()
            };
            let page = repo::list(&app.db, &filter, today(), 7)
                .await
                .expect("page");
            seen.extend(page.rows.iter().map(|r| r.id));
            // Someone adds a client between page loads; it sorts before the cursor.
            store(&app, owner, base_form(&format!("AAA新客户{sort:?}{extra}"))).await;
            extra += 1;
            match page.next {
                Some(cursor) => after = Some(cursor),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "{sort:?}: no client twice");
        for id in &expected {
            assert!(seen.contains(id), "{sort:?}: client {id} missing");
        }
    }
}

async fn invalid_input_is_shown_again_with_the_input_kept_and_changes_nothing(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (_, rm) = signed_in(&app, "rm@covenant.example", Role::Rm).await;
    let form = ClientForm {
        form_key: KEY.into(),
        country: "China".into(),
        ticket_min: "5亿".into(),
        ticket_max: "1亿".into(),
        contact_name: "李娜".into(),
        contact_email: "li.na@bad".into(),
        ..base_form("输入有误的客户")
    };
    let r = post(&app, &rm, "/clients/new", &form).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("body");
    for kept in ["输入有误的客户", "China", "5亿", "li.na@bad", "李娜"] {
        assert!(html.contains(kept), "{kept} is kept");
    }
    for message in [
        "请输入两位国家/地区代码",
        "最高投资额不能低于最低投资额",
        "请输入有效的电子邮箱地址",
    ] {
        assert!(html.contains(message), "{message} is shown");
    }
    assert_eq!(client_count(&app).await, 0);
}

async fn a_stale_edit_is_refused_and_the_first_edit_stands(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = signed_in(&app, "rm@covenant.example", Role::Rm).await;
    let id = store(&app, me, base_form("原名称")).await;
    let edit = |name: &str| ClientForm {
        version: "1".into(),
        ..base_form(name)
    };
    let first = post(
        &app,
        &rm,
        &format!("/clients/{id}/edit"),
        &edit("第一次修改"),
    )
    .await;
    assert_eq!(location(&first), format!("/clients/{id}?saved=1"));
    let second = post(
        &app,
        &rm,
        &format!("/clients/{id}/edit"),
        &edit("第二次修改"),
    )
    .await;
    assert_eq!(second.status(), 409);
    let html = second.text().await.expect("body");
    assert!(
        html.contains("其他人已修改了此记录"),
        "the conflict is explained"
    );
    assert!(html.contains("第一次修改"), "with the current values");
    let name: String = with_db!(&app.db, c => sqlx::query_scalar("SELECT display_name FROM clients WHERE id = $1").bind(id).fetch_one(c).await).expect("name");
    assert_eq!(name, "第一次修改");
    let audited: (Option<String>, Option<String>) = with_db!(&app.db, c => sqlx::query_as(
        "SELECT before_json, after_json FROM audit_log WHERE action = 'client.update' AND entity_id = $1").bind(id).fetch_one(c).await).expect("audit");
    assert!(
        audited.0.is_some_and(|b| b.contains("原名称"))
            && audited.1.is_some_and(|a| a.contains("第一次修改"))
    );
}

async fn one_form_key_creates_one_client(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (_, rm) = signed_in(&app, "rm@covenant.example", Role::Rm).await;
    let form = ClientForm {
        form_key: KEY.into(),
        ..base_form("重复提交的客户")
    };
    let first = post(&app, &rm, "/clients/new", &form).await;
    let again = post(&app, &rm, "/clients/new", &form).await;
    assert_eq!(first.status(), 303);
    assert_eq!(
        location(&first),
        location(&again),
        "the retry lands on the same client"
    );
    assert_eq!(client_count(&app).await, 1);
}

async fn a_likely_duplicate_is_shown_before_creating(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = signed_in(&app, "rm@covenant.example", Role::Rm).await;
    let existing = store(
        &app,
        me,
        ClientForm {
            registration_id: "91310000MA1K4XYZ2B".into(),
            ..base_form("长江基础设施投资基金")
        },
    )
    .await;
    let again = ClientForm {
        form_key: KEY.into(),
        ..base_form("长江基础设施投资基金有限公司")
    };
    let r = post(&app, &rm, "/clients/new", &again).await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.expect("body");
    assert!(
        html.contains(&format!("/clients/{existing}")),
        "links to the existing record"
    );
    assert!(html.contains("可能已有相同客户"));
    assert_eq!(client_count(&app).await, 1);

    let confirmed = ClientForm {
        confirm_duplicate: true,
        ..again
    };
    assert_eq!(
        post(&app, &rm, "/clients/new", &confirmed).await.status(),
        303
    );
    assert_eq!(client_count(&app).await, 2);

    let same_id = ClientForm {
        form_key: "aaaabbbbccccdddd0000111122223333".into(),
        registration_id: "91310000ma1k4xyz2b".into(),
        confirm_duplicate: true,
        ..base_form("另一个名字")
    };
    let r = post(&app, &rm, "/clients/new", &same_id).await;
    assert_eq!(r.status(), 422, "a registration id belongs to one client");
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("已有客户使用此证照号")
    );
}

async fn only_owners_and_officers_edit_and_analysts_never(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (owner, _) = signed_in(&app, "owner@covenant.example", Role::Rm).await;
    let (_, other_rm) = signed_in(&app, "other@covenant.example", Role::Rm).await;
    let (_, analyst) = signed_in(&app, "analyst@covenant.example", Role::Analyst).await;
    let (_, officer) = signed_in(&app, "crm@covenant.example", Role::CrmOfficer).await;
    let id = store(&app, owner, base_form("某客户")).await;
    let edit = ClientForm {
        version: "1".into(),
        ..base_form("被他人修改")
    };

    assert_eq!(
        post(&app, &other_rm, &format!("/clients/{id}/edit"), &edit)
            .await
            .status(),
        403
    );
    assert_eq!(
        post(&app, &analyst, &format!("/clients/{id}/edit"), &edit)
            .await
            .status(),
        403
    );
    let create = ClientForm {
        form_key: KEY.into(),
        ..base_form("分析师新建")
    };
    assert_eq!(
        post(&app, &analyst, "/clients/new", &create).await.status(),
        403
    );
    assert_eq!(client_count(&app).await, 1);
    let name: String = with_db!(&app.db, c => sqlx::query_scalar("SELECT display_name FROM clients WHERE id = $1").bind(id).fetch_one(c).await).expect("name");
    assert_eq!(name, "某客户");

    let r = post(&app, &officer, &format!("/clients/{id}/edit"), &edit).await;
    assert_eq!(r.status(), 303, "a CRM officer edits any client");
    let page = other_rm
        .get(app.url(&format!("/clients/{id}")))
        .send()
        .await
        .expect("GET");
    assert_eq!(page.status(), 200, "every staff member reads every client");
}

async fn contacts_are_added_with_validation_and_one_primary(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (me, rm) = signed_in(&app, "rm@covenant.example", Role::Rm).await;
    let (_, other_rm) = signed_in(&app, "other@covenant.example", Role::Rm).await;
    let id = store(
        &app,
        me,
        ClientForm {
            contact_name: "王伟".into(),
            ..base_form("长江基金")
        },
    )
    .await;
    let path = format!("/clients/{id}/contacts");
    let contact = |key: &str, email: &str, primary: bool| {
        let mut form = vec![
            ("form_key", key.to_string()),
            ("contact_name", "陈晓东".to_string()),
            ("contact_email", email.to_string()),
            ("contact_phone", "+86 137 5555 0199".to_string()),
            ("contact_language", "zh".to_string()),
        ];
        if primary {
            form.push(("is_primary", "on".to_string()));
        }
        form
    };
    let contacts = || async {
        with_db!(&app.db, c => sqlx::query_as::<_, (String, bool)>("SELECT name, is_primary FROM contacts WHERE client_id = $1 ORDER BY id").bind(id).fetch_all(c).await).expect("contacts")
    };

    let bad = rm
        .post(app.url(&path))
        .form(&contact(KEY, "chen@bad", true))
        .send()
        .await
        .expect("POST");
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.expect("body");
    assert!(
        html.contains("chen@bad") && html.contains("陈晓东"),
        "the input is kept"
    );
    assert!(html.contains("请输入有效的电子邮箱地址"));
    assert_eq!(contacts().await.len(), 1);

    let refused = other_rm
        .post(app.url(&path))
        .form(&contact(KEY, "chen@changjiang.example", true))
        .send()
        .await
        .expect("POST");
    assert_eq!(
        refused.status(),
        403,
        "only the owner (or an officer) adds contacts"
    );

    let ok = rm
        .post(app.url(&path))
        .form(&contact(KEY, "chen@changjiang.example", true))
        .send()
        .await
        .expect("POST");
    assert_eq!(
        location(&ok),
        format!("/clients/{id}?contact_added=1#contacts")
    );
    let again = rm
        .post(app.url(&path))
        .form(&contact(KEY, "chen@changjiang.example", true))
        .send()
        .await
        .expect("POST");
    assert_eq!(
        again.status(),
        303,
        "a repeated form key is answered, not repeated"
    );
    assert_eq!(
        contacts().await,
        vec![("王伟".to_string(), false), ("陈晓东".to_string(), true)],
        "one primary contact, the new one"
    );
    assert_eq!(
        ids(&app, search("5555 0199")).await,
        vec![id],
        "found by the new contact's phone"
    );
}
