//! The authorisation matrix: every page route, form endpoint and server function, called
//! as a stranger, investor A, investor B, a deactivated investor and a member of staff,
//! with A's, B's and unrelated ids. B's records carry canary strings; the test fails if a
//! canary reaches anyone but staff, if a refused call changes a row, or if the app has a
//! route this matrix does not list.
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::pipeline::model::DealStage;
use covenant::server::sqlx;
use covenant::with_db;
use std::collections::BTreeSet;

crate::on_both_engines!(every_route_refuses_who_it_should_and_leaks_no_canary);

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Access {
    /// Anyone (sign-in pages, token links, health).
    Public,
    /// A signed-in staff member (the function or handler checks the permission further).
    Staff,
    /// A signed-in investor, and only for what their entities take part in.
    Portal,
    /// Ends the caller's session: called with a throwaway session only.
    SignOut,
}

use Access::*;

/// Every route of the app: method, path (axum syntax), who may call it.
const MATRIX: &[(&str, &str, Access)] = &[
    ("GET", "/healthz", Public),
    // Survey links: no account; the token is the only key.
    ("GET", "/s/{token}", Public),
    ("POST", "/s/{token}", Public),
    ("GET", "/s/{token}/unsubscribe", Public),
    ("POST", "/s/{token}/unsubscribe", Public),
    ("GET", "/survey/thanks", Public),
    ("GET", "/survey/unsubscribed", Public),
    ("POST", "/portal/surveys/{id}/answer", Portal),
    ("GET", "/surveys", Staff),
    ("POST", "/surveys/new", Staff),
    ("GET", "/surveys/{id}", Staff),
    ("POST", "/surveys/{id}/edit", Staff),
    ("POST", "/surveys/{id}/status", Staff),
    ("POST", "/surveys/{id}/send", Staff),
    ("POST", "/surveys/{id}/open-link", Staff),
    ("POST", "/surveys/{id}/picks", Staff),
    ("POST", "/surveys/{id}/picks/{client}/remove", Staff),
    ("POST", "/surveys/{id}/questions", Staff),
    ("GET", "/surveys/{id}/questions/{question}", Staff),
    ("POST", "/surveys/{id}/questions/{question}", Staff),
    ("POST", "/surveys/{id}/questions/{question}/remove", Staff),
    ("POST", "/surveys/{id}/questions/{question}/move", Staff),
    ("GET", "/surveys/{id}/preview", Staff),
    ("GET", "/surveys/{id}/results", Staff),
    ("GET", "/surveys/{id}/responses.csv", Staff),
    ("GET", "/rpc/surveys/list", Staff),
    ("GET", "/rpc/surveys/get", Staff),
    ("GET", "/rpc/surveys/picks", Staff),
    ("GET", "/rpc/surveys/preview", Staff),
    ("GET", "/rpc/surveys/results", Staff),
    ("GET", "/rpc/surveys/client_answers", Staff),
    ("GET", "/login", Public),
    ("POST", "/login", Public),
    ("POST", "/logout", SignOut),
    ("POST", "/lang", Public),
    ("GET", "/", Staff),
    ("GET", "/account", Staff),
    ("GET", "/admin/users", Staff),
    ("GET", "/admin/users/{id}", Staff),
    ("GET", "/clients", Staff),
    ("GET", "/clients/new", Staff),
    ("POST", "/clients/new", Staff),
    ("GET", "/clients/{id}", Staff),
    ("GET", "/clients/{id}/edit", Staff),
    ("POST", "/clients/{id}/edit", Staff),
    ("POST", "/clients/{id}/archive", Staff),
    ("POST", "/clients/{id}/contacts", Staff),
    ("GET", "/clients/{id}/contacts/{contact}", Staff),
    ("POST", "/clients/{id}/contacts/{contact}", Staff),
    ("POST", "/clients/{id}/contacts/{contact}/remove", Staff),
    (
        "POST",
        "/clients/{id}/contacts/{contact}/portal-invite",
        Staff,
    ),
    (
        "POST",
        "/clients/{id}/portal-users/{user}/deactivate",
        Staff,
    ),
    ("POST", "/clients/{id}/interactions", Staff),
    ("GET", "/projects", Staff),
    ("GET", "/projects/new", Staff),
    ("POST", "/projects/new", Staff),
    ("GET", "/projects/{id}", Staff),
    ("GET", "/projects/{id}/edit", Staff),
    ("POST", "/projects/{id}/edit", Staff),
    ("POST", "/projects/{id}/tranches", Staff),
    ("GET", "/projects/{id}/updates/new", Staff),
    ("POST", "/projects/{id}/updates/new", Staff),
    ("GET", "/projects/{id}/updates/{update}", Staff),
    ("POST", "/projects/{id}/updates/{update}/edit", Staff),
    ("POST", "/projects/{id}/updates/{update}/publish", Staff),
    ("POST", "/projects/{id}/updates/{update}/new-version", Staff),
    ("GET", "/lifecycle", Staff),
    ("GET", "/lifecycle/at-risk", Staff),
    ("POST", "/lifecycle/move", Staff),
    ("GET", "/pipeline", Staff),
    ("POST", "/pipeline/move", Staff),
    ("GET", "/deals", Staff),
    ("GET", "/deals/new", Staff),
    ("POST", "/deals/new", Staff),
    ("GET", "/deals/{id}", Staff),
    ("GET", "/deals/{id}/edit", Staff),
    ("POST", "/deals/{id}/edit", Staff),
    ("GET", "/portal/login", Public),
    ("POST", "/portal/login", Public),
    ("POST", "/portal/logout", SignOut),
    ("GET", "/portal/invite/{token}", Public),
    ("POST", "/portal/invite/{token}", Public),
    ("GET", "/portal/reset", Public),
    ("POST", "/portal/reset", Public),
    ("GET", "/portal/reset/{token}", Public),
    ("POST", "/portal/reset/{token}", Public),
    ("GET", "/portal", Portal),
    ("GET", "/portal/projects", Portal),
    ("GET", "/portal/projects/{id}", Portal),
    ("GET", "/portal/updates/{id}", Portal),
    ("POST", "/portal/updates/{id}/acknowledge", Portal),
    ("GET", "/portal/questions", Portal),
    ("POST", "/portal/questions", Portal),
    ("GET", "/portal/questions/{id}", Portal),
    ("POST", "/portal/questions/{id}/reply", Portal),
    ("GET", "/questions", Staff),
    ("POST", "/projects/{id}/documents", Staff),
    ("GET", "/projects/{id}/documents/{document}", Staff),
    ("GET", "/portal/documents/{id}", Portal),
    ("GET", "/portal/profile", Portal),
    ("GET", "/portal/track-record", Portal),
    ("GET", "/portal/complaints", Portal),
    ("POST", "/portal/complaints", Portal),
    ("GET", "/portal/complaints/{id}", Portal),
    ("GET", "/complaints", Staff),
    ("GET", "/complaints/{id}", Staff),
    ("GET", "/complaints/dashboard", Staff),
    ("GET", "/complaints/targets", Staff),
    ("POST", "/complaints/targets", Staff),
    ("POST", "/complaints/{id}/respond", Staff),
    ("POST", "/clients/{id}/complaints", Staff),
    ("POST", "/portal/profile", Portal),
    ("POST", "/portal/profile/requests", Portal),
    (
        "POST",
        "/clients/{id}/change-requests/{request}/handled",
        Staff,
    ),
    ("GET", "/questions/{id}", Staff),
    ("GET", "/portal-users/{user}", Staff),
    ("GET", "/portal-users/{user}/preview", Staff),
    ("GET", "/portal-users/{user}/preview/projects", Staff),
    ("GET", "/portal-users/{user}/preview/projects/{id}", Staff),
    ("GET", "/portal-users/{user}/preview/updates/{id}", Staff),
    ("GET", "/portal-users/{user}/preview/questions", Staff),
    ("GET", "/portal-users/{user}/preview/questions/{id}", Staff),
    ("GET", "/portal-users/{user}/preview/complaints", Staff),
    ("GET", "/portal-users/{user}/preview/complaints/{id}", Staff),
    ("GET", "/portal-users/{user}/preview/track-record", Staff),
    ("GET", "/portal-users/{user}/preview/profile", Staff),
    ("POST", "/questions/{id}/answer", Staff),
    // Server functions.
    ("POST", "/rpc/account/password", Staff),
    ("POST", "/rpc/account/preferences", Staff),
    ("POST", "/rpc/admin/users/add", Staff),
    ("POST", "/rpc/admin/users/deactivate", Staff),
    ("GET", "/rpc/admin/users/get", Staff),
    ("GET", "/rpc/admin/users/list", Staff),
    ("GET", "/rpc/admin/users/names", Staff),
    ("POST", "/rpc/admin/users/update", Staff),
    ("GET", "/rpc/clients/change_requests", Staff),
    ("GET", "/rpc/complaints/get", Staff),
    ("GET", "/rpc/complaints/queue", Staff),
    ("GET", "/rpc/complaints/dashboard", Staff),
    ("GET", "/rpc/complaints/targets", Staff),
    ("GET", "/rpc/complaints/log_options", Staff),
    ("GET", "/rpc/clients/contact", Staff),
    ("GET", "/rpc/clients/form_options", Staff),
    ("GET", "/rpc/clients/get", Staff),
    ("GET", "/rpc/clients/list", Staff),
    ("GET", "/rpc/clients/owners", Staff),
    ("GET", "/rpc/deals/get", Staff),
    ("GET", "/rpc/documents/list", Staff),
    ("GET", "/rpc/deals/list", Staff),
    ("GET", "/rpc/deals/new_context", Staff),
    ("GET", "/rpc/deals/summary", Staff),
    ("GET", "/rpc/form/key", Staff),
    ("GET", "/rpc/lifecycle/at_risk", Staff),
    ("GET", "/rpc/lifecycle/board", Staff),
    ("GET", "/rpc/lifecycle/history", Staff),
    ("POST", "/rpc/lifecycle/move", Staff),
    ("GET", "/rpc/lifecycle/risk", Staff),
    ("GET", "/rpc/pipeline/board", Staff),
    ("POST", "/rpc/pipeline/move", Staff),
    ("GET", "/rpc/portal/access", Staff),
    ("GET", "/rpc/portal/badges", Portal),
    ("GET", "/rpc/portal/complaint", Portal),
    ("GET", "/rpc/portal/complaints", Portal),
    ("GET", "/rpc/portal/profile", Portal),
    ("GET", "/rpc/portal/track_record", Portal),
    ("GET", "/rpc/portal/documents", Portal),
    ("GET", "/rpc/portal/engagement", Staff),
    ("GET", "/rpc/portal/overview", Portal),
    ("GET", "/rpc/portal/project", Portal),
    ("GET", "/rpc/portal/projects", Portal),
    ("POST", "/rpc/portal/token", Public),
    ("GET", "/rpc/portal/update", Portal),
    ("GET", "/rpc/portal/questions", Portal),
    ("GET", "/rpc/portal/question", Portal),
    ("GET", "/rpc/portal/ask_options", Portal),
    ("GET", "/rpc/questions/queue", Staff),
    ("GET", "/rpc/questions/get", Staff),
    ("GET", "/rpc/projects/get", Staff),
    ("GET", "/rpc/projects/list", Staff),
    ("GET", "/rpc/projects/new_context", Staff),
    ("GET", "/rpc/timeline/log_options", Staff),
    ("GET", "/rpc/timeline/page", Staff),
    ("GET", "/rpc/updates/get", Staff),
    ("GET", "/rpc/updates/list", Staff),
    ("GET", "/rpc/updates/new_info", Staff),
];

/// The portal's server functions that take a `preview` (staff looking as an investor).
const PREVIEWABLE: &[&str] = &[
    "/rpc/portal/overview",
    "/rpc/portal/projects",
    "/rpc/portal/project",
    "/rpc/portal/update",
    "/rpc/portal/documents",
    "/rpc/portal/questions",
    "/rpc/portal/question",
    "/rpc/portal/ask_options",
    "/rpc/portal/complaints",
    "/rpc/portal/complaint",
    "/rpc/portal/profile",
    "/rpc/portal/track_record",
];

/// The ids one round of calls uses.
#[derive(Clone, Copy, Debug)]
struct Ids {
    client: i64,
    contact: i64,
    project: i64,
    update: i64,
    portal_user: i64,
    deal: i64,
    document: i64,
    complaint: i64,
}

const UNRELATED: Ids = Ids {
    client: 987_654,
    contact: 987_655,
    project: 987_656,
    update: 987_657,
    portal_user: 987_658,
    deal: 987_659,
    document: 987_660,
    complaint: 987_661,
};

/// The route with its parameters filled from `ids`; `{id}` by what the route is about.
fn fill(path: &str, ids: &Ids, staff_id: i64) -> String {
    let id = if path.contains("/updates/{id}") {
        ids.update
    } else if path.starts_with("/portal/documents/") {
        ids.document
    } else if path.contains("complaints/") {
        ids.complaint
    } else if path.contains("projects/") {
        ids.project
    } else if path.starts_with("/deals/") {
        ids.deal
    } else if path.starts_with("/admin/users/") {
        staff_id
    } else {
        ids.client
    };
    path.replace("{id}", &id.to_string())
        .replace("{contact}", &ids.contact.to_string())
        .replace("{user}", &ids.portal_user.to_string())
        .replace("{update}", &ids.update.to_string())
        .replace("{document}", &ids.document.to_string())
        .replace("{request}", "1")
        .replace("{question}", "1")
        .replace("{token}", &"ab".repeat(32))
}

/// The query (GET) or form (POST) a server function gets: every argument a function of
/// this app takes, filled from `ids`.
fn arguments(ids: &Ids) -> Vec<(&'static str, String)> {
    vec![
        ("id", ids.update.max(ids.project).to_string()),
        ("client", ids.client.to_string()),
        ("project", ids.project.to_string()),
        ("user", ids.portal_user.to_string()),
        ("token", "ab".repeat(32)),
        ("purpose", "Invitation".into()),
        ("lang", "zh".into()),
    ]
}

const COUNTED: &[&str] = &[
    "surveys",
    "survey_questions",
    "survey_responses",
    "survey_opt_outs",
    "clients",
    "contacts",
    "projects",
    "tranches",
    "deals",
    "users",
    "portal_users",
    "portal_user_clients",
    "portal_tokens",
    "updates",
    "acknowledgements",
    "update_reads",
    "documents",
    "document_chunks",
    "document_views",
    "profile_change_requests",
    "complaints",
    "complaint_events",
    "outbox",
    "interactions",
    "lifecycle_moves",
    "deal_moves",
];

/// The row count of every table in `COUNTED`, in its order. One statement: the test takes
/// two counts per refused call, over 500 calls, and one round trip per table made it the
/// slowest test by far (72 s on PostgreSQL, near nextest's limit on a loaded machine).
async fn row_counts(app: &TestApp) -> Vec<i64> {
    let sql = COUNTED
        .iter()
        .enumerate()
        .map(|(i, table)| format!("SELECT CAST({i} AS BIGINT) AS i, COUNT(*) AS n FROM {table}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let mut rows: Vec<(i64, i64)> =
        with_db!(&app.db, c => sqlx::query_as(&sql).fetch_all(c).await).expect("count");
    rows.sort_unstable();
    assert_eq!(rows.len(), COUNTED.len(), "one count per table");
    rows.into_iter().map(|(_, n)| n).collect()
}

struct Answer {
    status: u16,
    location: String,
    body: String,
}

impl Answer {
    /// Refused: not signed in (401, or a redirect to a sign-in page), forbidden, not
    /// found, or a request the function could not even read.
    fn refused(&self) -> bool {
        matches!(self.status, 400 | 401 | 403 | 404 | 405 | 422)
            || (self.status == 303 && self.location.contains("login"))
    }
}

async fn call(
    app: &TestApp,
    who: &reqwest::Client,
    method: &str,
    path: &str,
    form: &[(&str, String)],
) -> Answer {
    let url = app.url(path);
    let request = match method {
        "GET" => who.get(&url).query(form),
        _ => who.post(&url).form(form),
    };
    let r = request.send().await.expect("call");
    Answer {
        status: r.status().as_u16(),
        location: location(&r),
        body: r.text().await.unwrap_or_default(),
    }
}

/// A published risk assessment of `project` titled `title`.
async fn published(app: &TestApp, rm: &reqwest::Client, project: i64, title: &str) -> i64 {
    let id = portal::draft(app, rm, project, "risk_assessment", title, title).await;
    portal::publish(app, rm, project, id).await;
    id
}

/// A document of `project` titled `title` holding `text`, shared as `visibility`.
async fn document(
    app: &TestApp,
    rm: &reqwest::Client,
    project: i64,
    title: &str,
    visibility: &str,
    text: &str,
) -> i64 {
    let mut upload =
        documents::Upload::new(title, visibility, "file.txt", text.as_bytes().to_vec());
    upload.mime = "text/plain";
    documents::upload(app, rm, project, &upload).await
}

async fn every_route_refuses_who_it_should_and_leaks_no_canary(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let (staff_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;

    // Every route the app has is in the matrix, and the matrix lists nothing it lacks.
    let listed: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let actual: BTreeSet<(String, String)> = covenant::server::startup::route_inventory()
        .into_iter()
        .collect();
    let unlisted: Vec<_> = actual.difference(&listed).collect();
    let gone: Vec<_> = listed.difference(&actual).collect();
    assert!(
        unlisted.is_empty(),
        "routes the matrix does not list: {unlisted:?}"
    );
    assert!(
        gone.is_empty(),
        "listed routes the app does not have: {gone:?}"
    );

    // A and B, each with a fund, a project and a disclosure; B's carry canaries.
    let sponsor = fixtures::client(&app, staff_id, "西部风电开发有限公司", false, true).await;
    let a_fund = fixtures::client(&app, staff_id, "长江绿色基础设施基金", true, false).await;
    let b_fund = fixtures::client(&app, staff_id, "CANARY-B-基金", true, false).await;
    let a_project = fixtures::project(&app, staff_id, sponsor, "甘肃酒泉风电二期").await;
    let b_project = fixtures::project(&app, staff_id, sponsor, "CANARY-B-项目").await;
    let a_deal = fixtures::deal(
        &app,
        staff_id,
        a_fund,
        a_project,
        DealStage::Committed,
        5_000_000,
        Some(5_000_000),
    )
    .await;
    let b_deal = fixtures::deal(
        &app,
        staff_id,
        b_fund,
        b_project,
        DealStage::Committed,
        7_000_000,
        Some(7_000_000),
    )
    .await;
    let a_update = published(&app, &rm, a_project.0, "甘肃酒泉风电二期风险评估").await;
    let b_update = published(&app, &rm, b_project.0, "CANARY-B-风险评估").await;
    // A's project also has a staff-only document: no investor may ever see it.
    let a_document = document(
        &app,
        &rm,
        a_project.0,
        "甘肃酒泉风电二期季报",
        "project",
        "Q3 report",
    )
    .await;
    document(
        &app,
        &rm,
        a_project.0,
        "CANARY-内部备忘",
        "internal",
        "CANARY-internal",
    )
    .await;
    let b_document = document(
        &app,
        &rm,
        b_project.0,
        "CANARY-B-文件",
        "project",
        "CANARY-B-content",
    )
    .await;
    let (a_user, a_contact, a) =
        portal::investor(&app, &rm, a_fund, "周敏", "zhou.min@a.example").await;
    let (b_user, b_contact, b) =
        portal::investor(&app, &rm, b_fund, "CANARY-B-联系人", "canary@b.example").await;
    let d_fund = fixtures::client(&app, staff_id, "已停用投资者", true, false).await;
    let (d_user, _, deactivated) =
        portal::investor(&app, &rm, d_fund, "吴昊", "wu.hao@d.example").await;
    let out = app
        .post_form(
            &rm,
            &format!("/clients/{d_fund}/portal-users/{d_user}/deactivate"),
            &[("x", "")],
        )
        .await;
    assert!(location(&out).contains("portal_done=deactivated"));

    let a_ids = Ids {
        client: a_fund,
        contact: a_contact,
        project: a_project.0,
        update: a_update,
        portal_user: a_user,
        deal: a_deal,
        document: a_document,
        complaint: portal::complaint(&app, &a, "报告延迟").await,
    };
    let b_ids = Ids {
        client: b_fund,
        contact: b_contact,
        project: b_project.0,
        update: b_update,
        portal_user: b_user,
        deal: b_deal,
        document: b_document,
        complaint: portal::complaint(&app, &b, "CANARY-B-投诉").await,
    };
    let stranger = app.browser();
    let callers: [(&str, &reqwest::Client); 4] = [
        ("stranger", &stranger),
        ("investor A", &a),
        ("investor B", &b),
        ("deactivated investor", &deactivated),
    ];

    let mut calls = 0;
    for ids in [a_ids, b_ids, UNRELATED] {
        for (method, template, access) in MATRIX {
            if *access == SignOut {
                continue;
            }
            let path = fill(template, &ids, staff_id);
            let args = if path.starts_with("/rpc/") {
                arguments(&ids)
            } else {
                Vec::new()
            };
            // Routes that take no id show the caller's own records, whatever is passed.
            let id_free = !template.contains('{')
                && !matches!(
                    *template,
                    "/rpc/portal/project"
                        | "/rpc/portal/update"
                        | "/rpc/portal/documents"
                        | "/rpc/portal/complaint"
                );
            for (who, client) in callers {
                let own = (who == "investor A" && ids.client == a_fund)
                    || (who == "investor B" && ids.client == b_fund);
                let must_refuse = match access {
                    Staff => true,
                    Portal => {
                        who == "stranger" || who == "deactivated investor" || (!own && !id_free)
                    }
                    Public | SignOut => false,
                };
                let before = row_counts(&app).await;
                let answer = call(&app, client, method, &path, &args).await;
                calls += 1;
                let context = format!(
                    "{who} {method} {path} → {} {}",
                    answer.status, answer.location
                );
                assert!(answer.status < 500, "{context}: {}", answer.body);
                if who != "investor B" {
                    assert!(
                        !answer.body.contains("CANARY") && !answer.location.contains("CANARY"),
                        "a canary of B reached {context}: {}",
                        answer.body
                    );
                }
                if must_refuse {
                    assert!(
                        answer.refused(),
                        "should be refused: {context}: {}",
                        answer.body
                    );
                }
                if answer.refused() {
                    assert_eq!(
                        row_counts(&app).await,
                        before,
                        "a refused call changed rows: {context}"
                    );
                }
            }
        }
    }
    assert!(calls > 500, "{calls} calls");

    // The portal functions staff use to preview an investor refuse every investor who asks
    // for a preview, of anyone: only a staff session may name the portal user.
    for path in PREVIEWABLE {
        let mut args = arguments(&a_ids);
        args.push(("preview", b_ids.portal_user.to_string()));
        for (who, client) in callers {
            let before = row_counts(&app).await;
            let answer = call(&app, client, "GET", path, &args).await;
            let context = format!("{who} GET {path} as a preview → {}", answer.status);
            assert!(answer.refused(), "{context}: {}", answer.body);
            assert!(
                who == "investor B" || !answer.body.contains("CANARY"),
                "{context}"
            );
            assert_eq!(row_counts(&app).await, before, "{context}");
        }
    }

    // Staff open staff routes, and no portal route.
    for (method, path, access) in MATRIX {
        if *access == SignOut {
            continue;
        }
        let path = fill(path, &a_ids, staff_id);
        let answer = call(&app, &rm, method, &path, &[]).await;
        assert!(
            answer.status < 500,
            "staff {method} {path}: {}",
            answer.body
        );
        if *access == Portal {
            assert!(answer.refused(), "staff opened the portal route {path}");
        }
    }
}
