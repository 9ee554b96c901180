//! Satisfaction surveys end to end: the CRM officer builds a survey and sends it to a
//! segment; each contact gets a link of their own by e-mail, in their language; a link
//! records one response however often it is submitted, and every link that cannot be
//! answered says why and records nothing; reminders go only to those who have not
//! answered, at most the survey's number of times; a recurring survey sends its next wave;
//! a poor answer opens one complaint; results and the export count what was answered.
use crate::helpers::*;
use covenant::core::roles::Role;
use covenant::server::{jobs, sqlx};
use covenant::with_db;

crate::on_both_engines!(
    a_crm_officer_builds_and_sends_a_survey_to_each_contact_in_their_language,
    a_link_records_one_response_and_each_other_state_has_its_own_page,
    a_poor_answer_opens_one_complaint_for_the_clients_owner,
    reminders_go_only_to_those_who_have_not_answered_and_at_most_m_times,
    a_recurring_survey_sends_its_next_wave_and_unsubscribed_contacts_are_left_out,
    results_score_the_answers_and_the_export_opens_safely_in_a_spreadsheet,
    resolving_a_survey_complaint_sends_one_follow_up_and_records_recovery,
    an_investor_answers_a_waiting_survey_from_the_portal,
    an_open_link_takes_anonymous_answers_until_it_is_replaced_or_turned_off,
    a_wave_to_clients_chosen_by_hand_reaches_only_their_contacts,
    many_answers_at_once_are_each_recorded_once_with_their_complaints,
    a_falling_score_is_measured_against_the_answer_before,
);

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    with_db!(&app.db, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).expect(sql)
}

async fn run_jobs(app: &TestApp) {
    jobs::schedule_periodic(&app.db, app.clock_now())
        .await
        .expect("schedule");
    jobs::run_due(&app.state, "test").await.expect("jobs");
}

/// A CRM officer, an RM who owns two investor funds (contacts in Chinese and English) and
/// a borrower (a contact too).
struct World {
    officer: reqwest::Client,
    rm: reqwest::Client,
    rm_id: i64,
    fund_a: i64,
}

const ZH: &str = "zhou.min@a.example";
const EN: &str = "anna.lee@b.example";
const BORROWER: &str = "wang.qiang@borrower.example";

async fn world(app: &TestApp) -> World {
    let (_, officer) = app
        .staff_browser("chen.jing@covenant.example", "陈静", Role::CrmOfficer)
        .await;
    let (rm_id, rm) = app
        .staff_browser("li.na@covenant.example", "李娜", Role::Rm)
        .await;
    let fund_a = fixtures::client(app, rm_id, "长江绿色基础设施基金", true, false).await;
    let fund_b = fixtures::client(app, rm_id, "Harbour Infrastructure Fund", true, false).await;
    let sponsor = fixtures::client(app, rm_id, "西部风电开发有限公司", false, true).await;
    fixtures::contact_with_email(app, fund_a, "周敏", ZH, "zh").await;
    fixtures::contact_with_email(app, fund_b, "Anna Lee", EN, "en").await;
    fixtures::contact_with_email(app, sponsor, "王强", BORROWER, "zh").await;
    World {
        officer,
        rm,
        rm_id,
        fund_a,
    }
}

/// Creates a survey with `settings` overriding the defaults, adds `questions` (kind, zh,
/// en, required) and opens it; returns its id.
async fn open_survey(
    app: &TestApp,
    officer: &reqwest::Client,
    settings: &[(&str, &str)],
    questions: &[(&str, &str, &str, bool)],
) -> i64 {
    let list = app.page(officer, "/surveys").await;
    let key = form_key_in(&list);
    let mut form = vec![
        ("form_key", key.as_str()),
        ("title_zh", "2026 年度投资者满意度调查"),
        ("title_en", "2026 investor satisfaction survey"),
        ("link_days", "30"),
        ("reminder_days", "7"),
        ("max_reminders", "2"),
    ];
    for (name, value) in settings {
        form.retain(|(n, _)| n != name);
        form.push((name, value));
    }
    let created = app.post_form(officer, "/surveys/new", &form).await;
    assert_eq!(created.status(), 303);
    let id = portal::id_in(location(&created).split('?').next().unwrap_or_default());
    for (kind, zh, en, required) in questions {
        let page = app.page(officer, &format!("/surveys/{id}")).await;
        let key = form_key_in(&page);
        let mut q = vec![
            ("form_key", key.as_str()),
            ("kind", *kind),
            ("prompt_zh", *zh),
            ("prompt_en", *en),
        ];
        if *required {
            q.push(("required", "on"));
        }
        let added = app
            .post_form(officer, &format!("/surveys/{id}/questions"), &q)
            .await;
        assert_eq!(added.status(), 303, "{kind}");
    }
    let opened = app
        .post_form(officer, &format!("/surveys/{id}/status"), &[("to", "open")])
        .await;
    assert_eq!(opened.status(), 303);
    id
}

const NPS: (&str, &str, &str, bool) = (
    "nps",
    "您向同行推荐我们的可能性有多大？",
    "How likely are you to recommend us to a colleague?",
    true,
);
const COMMENT: (&str, &str, &str, bool) = ("text", "您的意见", "Your comments", false);

/// Sends a wave of `survey` to `group` and runs the mail jobs; returns where it went.
async fn send(
    app: &TestApp,
    officer: &reqwest::Client,
    survey: i64,
    group: &str,
) -> reqwest::Response {
    let page = app.page(officer, &format!("/surveys/{survey}")).await;
    let key = form_key_in(&page);
    let answer = app
        .post_form(
            officer,
            &format!("/surveys/{survey}/send"),
            &[("form_key", key.as_str()), ("group", group)],
        )
        .await;
    jobs::run_due(&app.state, "test").await.expect("jobs");
    answer
}

/// The survey links in the mail to `to` (first mails and reminders), as paths.
fn links_to(app: &TestApp, to: &str) -> Vec<String> {
    let mut mails = mails_to(app, to);
    mails.sort();
    let mut links: Vec<String> = Vec::new();
    for (_, text) in mails {
        for word in text.split_whitespace() {
            if let Some(path) = word.strip_prefix(&app.origin)
                && path.starts_with("/s/")
                && !path.ends_with("/unsubscribe")
                && !links.contains(&path.to_string())
            {
                links.push(path.to_string());
            }
        }
    }
    links
}

fn one_link(app: &TestApp, to: &str) -> String {
    let links = links_to(app, to);
    assert_eq!(links.len(), 1, "{links:?}");
    links[0].clone()
}

/// The field name of the first question on an answer page (`q12`).
fn first_field(page: &str) -> String {
    page.split("name=\"q")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|id| format!("q{id}"))
        .expect("a question field")
}

/// Posts an answer form without waiting for it, so that several arrive at once.
fn post_in_background(
    client: reqwest::Client,
    url: String,
    form: Vec<(String, String)>,
) -> tokio::task::JoinHandle<reqwest::Response> {
    tokio::spawn(async move { client.post(url).form(&form).send().await.expect("POST") })
}

/// Every posted answer ended on the thank-you page.
async fn all_thanked(posts: Vec<tokio::task::JoinHandle<reqwest::Response>>) {
    for post in posts {
        let answer = post.await.expect("task");
        assert_eq!(answer.status(), 303);
        assert!(location(&answer).starts_with("/survey/thanks"));
    }
}

/// The e-mails of fund A's investor contacts: the two of `world` and `partners` added.
async fn with_partners(app: &TestApp, w: &World, partners: usize) -> Vec<String> {
    let mut emails = vec![ZH.to_string(), EN.to_string()];
    for n in 0..partners {
        let email = format!("partner{n}@fund-a.example");
        fixtures::contact_with_email(app, w.fund_a, &format!("合伙人{n}"), &email, "zh").await;
        emails.push(email);
    }
    emails
}

/// Each of `links` links recorded one response with `answers` answers, and was marked
/// answered once.
async fn each_recorded_once(app: &TestApp, links: i64, answers: i64) {
    assert_eq!(responses(app).await, links);
    assert_eq!(
        scalar(app, "SELECT COUNT(*) FROM survey_answers").await,
        links * answers
    );
    assert_eq!(
        scalar(
            app,
            "SELECT COUNT(*) FROM survey_invitations WHERE answered_at IS NOT NULL"
        )
        .await,
        links
    );
}

async fn responses(app: &TestApp) -> i64 {
    scalar(app, "SELECT COUNT(*) FROM survey_responses").await
}

async fn a_crm_officer_builds_and_sends_a_survey_to_each_contact_in_their_language(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let w = world(&app).await;

    // Only those who may change every record build surveys.
    let refused = app
        .post_form(
            &w.rm,
            "/surveys/new",
            &[("form_key", "k"), ("title_zh", "x"), ("title_en", "x")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM surveys").await, 0);

    let survey = open_survey(&app, &w.officer, &[], &[NPS, COMMENT]).await;

    // A choice question needs its choices in both languages; the form comes back as typed.
    let page = app.page(&w.officer, &format!("/surveys/{survey}")).await;
    let bad = app
        .post_form(
            &w.officer,
            &format!("/surveys/{survey}/questions"),
            &[
                ("form_key", form_key_in(&page).as_str()),
                ("kind", "single"),
                ("prompt_zh", "您最看重什么？"),
                ("prompt_en", "What matters most?"),
                ("choices_zh", "收益\n风险"),
                ("choices_en", "Return"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let shown = bad.text().await.expect("page");
    assert!(
        shown.contains("您最看重什么？") && shown.contains("选择题需要 2–20 个选项"),
        "{shown}"
    );

    // The preview shows the questions exactly as a respondent gets them, locked.
    let preview = app
        .page(&w.officer, &format!("/surveys/{survey}/preview?lang=en"))
        .await;
    assert!(
        preview.contains("How likely are you to recommend us"),
        "{preview}"
    );
    assert!(preview.contains("Extremely likely"));

    // Investors only: the borrower's contact gets nothing; each mail in its language.
    let sent = send(&app, &w.officer, survey, "investors").await;
    assert_eq!(sent.status(), 303);
    assert!(
        location(&sent).contains("sent=2&capped=0"),
        "{}",
        location(&sent)
    );
    let (zh_subject, zh_text) = mails_to(&app, ZH).pop().expect("mail in Chinese");
    assert!(
        zh_subject.contains("2026 年度投资者满意度调查"),
        "{zh_subject}"
    );
    assert!(zh_text.contains("/unsubscribe"), "{zh_text}");
    let (en_subject, _) = mails_to(&app, EN).pop().expect("mail in English");
    assert!(
        en_subject.contains("2026 investor satisfaction survey"),
        "{en_subject}"
    );
    assert!(mails_to(&app, BORROWER).is_empty());
    let waves = app
        .page(&w.officer, &format!("/surveys/{survey}#waves"))
        .await;
    assert!(waves.contains("<td>1</td><td>"), "{waves}");

    // The English link opens in English whatever the browser says.
    let english = app.page(&app.browser(), &one_link(&app, EN)).await;
    assert!(english.contains("<html lang=\"en\""), "{english}");
    assert!(english.contains("How likely are you to recommend us"));

    // Another survey soon after reaches nobody: the cap on how often one contact is asked.
    let second = open_survey(&app, &w.officer, &[("title_zh", "第二份调查")], &[NPS]).await;
    let capped = send(&app, &w.officer, second, "investors").await;
    assert_eq!(capped.status(), 409);
    assert!(
        capped
            .text()
            .await
            .expect("page")
            .contains("没有可发送的联系人")
    );
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT COUNT(*) FROM survey_invitations WHERE survey_id = {second}")
        )
        .await,
        0
    );
}

async fn a_link_records_one_response_and_each_other_state_has_its_own_page(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let w = world(&app).await;
    let survey = open_survey(&app, &w.officer, &[("link_days", "10")], &[NPS, COMMENT]).await;
    send(&app, &w.officer, survey, "investors").await;
    let link = one_link(&app, ZH);
    let visitor = app.browser();

    // A missing required answer: the page again with its message, nothing recorded.
    let page = app.page(&visitor, &link).await;
    let nps = first_field(&page);
    let missing = app.post_form(&visitor, &link, &[("q0", "x")]).await;
    assert_eq!(missing.status(), 422);
    assert!(missing.text().await.expect("page").contains("请回答此问题"));
    assert_eq!(responses(&app).await, 0);

    // Five submissions at once (double clicks, retries): one response, all thanked.
    let mut posts = Vec::new();
    for _ in 0..5 {
        let client = app.browser();
        let url = app.url(&link);
        let nps = nps.clone();
        posts.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&[(nps.as_str(), "9")])
                .send()
                .await
                .expect("POST")
        }));
    }
    for post in posts {
        let answer = post.await.expect("task");
        assert_eq!(answer.status(), 303);
        assert!(location(&answer).starts_with("/survey/thanks"));
    }
    assert_eq!(responses(&app).await, 1);
    let thanks = app.page(&visitor, "/survey/thanks?lang=zh").await;
    assert!(thanks.contains("感谢您的反馈"));

    // Opened again: used.
    let used = visitor.get(app.url(&link)).send().await.expect("GET");
    assert_eq!(used.status(), 410);
    assert!(
        used.text()
            .await
            .expect("page")
            .contains("您已回答过此调查")
    );

    // A tampered token and a malformed one: not found, nothing recorded.
    let token = link.trim_start_matches("/s/");
    let flipped = if token.starts_with('0') { "1" } else { "0" };
    for bad in [
        format!("/s/{flipped}{}", &token[1..]),
        "/s/nonsense".to_string(),
    ] {
        let answer = app.post_form(&visitor, &bad, &[(nps.as_str(), "9")]).await;
        assert_eq!(answer.status(), 404, "{bad}");
        assert!(
            answer
                .text()
                .await
                .expect("page")
                .contains("找不到此调查链接")
        );
    }
    assert_eq!(responses(&app).await, 1);

    // Past its days: expired, and a submission records nothing.
    let english = one_link(&app, EN);
    app.clock.advance(chrono::Duration::days(11));
    let expired = app
        .post_form(&visitor, &english, &[(nps.as_str(), "9")])
        .await;
    assert_eq!(expired.status(), 410);
    assert!(
        expired
            .text()
            .await
            .expect("page")
            .contains("This link has expired")
    );
    assert_eq!(responses(&app).await, 1);

    // A closed survey's links say so.
    let closed = app
        .post_form(
            &w.officer,
            &format!("/surveys/{survey}/status"),
            &[("to", "closed")],
        )
        .await;
    assert_eq!(closed.status(), 303);
    let answer = visitor.get(app.url(&link)).send().await.expect("GET");
    assert_eq!(answer.status(), 410);
    assert!(answer.text().await.expect("page").contains("此调查已结束"));

    // The response kept the client's segment and stage as they were.
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM survey_responses WHERE risk_appetite = 'balanced' AND lifecycle_stage IS NOT NULL AND client_kind = 'investor'").await,
        1
    );
}

async fn a_poor_answer_opens_one_complaint_for_the_clients_owner(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let w = world(&app).await;
    let csat = (
        "csat",
        "您对季度报告满意吗？",
        "Are you satisfied with our reports?",
        true,
    );
    let survey = open_survey(&app, &w.officer, &[], &[NPS, csat, COMMENT]).await;
    send(&app, &w.officer, survey, "investors").await;
    let visitor = app.browser();

    // A promoter opens nothing.
    let en = one_link(&app, EN);
    let page = app.page(&visitor, &en).await;
    let fields: Vec<String> = page
        .split("name=\"q")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(|id| format!("q{id}")))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(fields.len(), 3, "{fields:?}");
    let answer = app
        .post_form(
            &visitor,
            &en,
            &[(fields[0].as_str(), "10"), (fields[1].as_str(), "5")],
        )
        .await;
    assert_eq!(answer.status(), 303);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM complaints").await, 0);

    // A detractor with a poor CSAT: one complaint, however many poor answers.
    let zh = one_link(&app, ZH);
    let answer = app
        .post_form(
            &visitor,
            &zh,
            &[
                (fields[0].as_str(), "2"),
                (fields[1].as_str(), "1"),
                (fields[2].as_str(), "季度报告总是晚两周"),
            ],
        )
        .await;
    assert_eq!(answer.status(), 303);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM complaints").await, 1);
    let (client, assignee, linked) = with_db!(&app.db, c => sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT q.client_id, q.assignee_id, q.survey_response_id FROM complaints q
         WHERE q.source = 'survey' AND q.severity = 'high'",
    )
    .fetch_one(c)
    .await)
    .expect("the survey complaint");
    assert_eq!((client, assignee), (w.fund_a, w.rm_id));
    assert_eq!(
        scalar(
            &app,
            &format!(
                "SELECT COUNT(*) FROM survey_responses WHERE id = {linked} AND client_id = {}",
                w.fund_a
            )
        )
        .await,
        1
    );
    let queue = app.page(&w.rm, "/complaints").await;
    assert!(
        queue.contains("您向同行推荐我们的可能性有多大？: 2"),
        "{queue}"
    );
    let detail = app.page(&w.rm, "/complaints/1").await;
    assert!(detail.contains("季度报告总是晚两周"), "{detail}");

    // The client's page shows the answers; the detractor score raises its decline signal.
    let client_page = app.page(&w.rm, &format!("/clients/{}", w.fund_a)).await;
    let answers = client_page
        .split("id=\"survey-answers\"")
        .nth(1)
        .expect("the survey answers section")
        .to_string();
    assert!(
        answers.contains("季度报告总是晚两周") && answers.contains("<td>2</td>"),
        "{answers}"
    );
    assert!(
        client_page.contains("最近一次满意度调查中推荐意愿仅 2 分"),
        "{client_page}"
    );
}

async fn reminders_go_only_to_those_who_have_not_answered_and_at_most_m_times(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let w = world(&app).await;
    let survey = open_survey(
        &app,
        &w.officer,
        &[
            ("reminder_days", "7"),
            ("max_reminders", "2"),
            ("link_days", "60"),
        ],
        &[NPS],
    )
    .await;
    send(&app, &w.officer, survey, "investors").await;
    let visitor = app.browser();
    let zh = one_link(&app, ZH);
    let field = first_field(&app.page(&visitor, &zh).await);
    app.post_form(&visitor, &zh, &[(field.as_str(), "9")]).await;

    // Not yet due: nothing.
    app.clock.advance(chrono::Duration::days(6));
    run_jobs(&app).await;
    assert_eq!(links_to(&app, EN).len(), 1);

    // Due: the one who has not answered gets a reminder with a link of its own, which works.
    app.clock.advance(chrono::Duration::days(1));
    run_jobs(&app).await;
    run_jobs(&app).await;
    let links = links_to(&app, EN);
    assert_eq!(links.len(), 2, "{links:?}");
    assert_eq!(links_to(&app, ZH).len(), 1, "who answered is not reminded");
    for link in &links {
        let opened = visitor.get(app.url(link)).send().await.expect("GET");
        assert_eq!(
            opened.status(),
            200,
            "every link of the invitation opens it"
        );
    }

    // A second one a week later, then no more.
    for _ in 0..3 {
        app.clock.advance(chrono::Duration::days(7));
        run_jobs(&app).await;
    }
    assert_eq!(links_to(&app, EN).len(), 3);
    assert_eq!(
        scalar(&app, "SELECT MAX(reminders) FROM survey_invitations").await,
        2
    );
}

async fn a_recurring_survey_sends_its_next_wave_and_unsubscribed_contacts_are_left_out(
    engine: Engine,
) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let w = world(&app).await;
    let survey = open_survey(
        &app,
        &w.officer,
        &[("recur_months", "3"), ("reminder_days", "0")],
        &[NPS],
    )
    .await;
    send(&app, &w.officer, survey, "investors").await;

    // The English contact unsubscribes: a page to confirm (a link alone changes nothing).
    let link = one_link(&app, EN);
    let visitor = app.browser();
    let confirm = app.page(&visitor, &format!("{link}/unsubscribe")).await;
    assert!(confirm.contains("Send me no more surveys"), "{confirm}");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM survey_opt_outs").await,
        0
    );
    let done = app
        .post_form(&visitor, &format!("{link}/unsubscribe"), &[("x", "")])
        .await;
    assert_eq!(location(&done), "/survey/unsubscribed?lang=en");

    // Not due before three months.
    app.clock.advance(chrono::Duration::days(80));
    run_jobs(&app).await;
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM survey_waves").await, 1);

    // Three months on: wave 2, to the same audience less who unsubscribed.
    app.clock.advance(chrono::Duration::days(15));
    run_jobs(&app).await;
    run_jobs(&app).await;
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM survey_waves").await, 2);
    assert_eq!(links_to(&app, ZH).len(), 2);
    assert_eq!(links_to(&app, EN).len(), 1);
    let audited = scalar(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'survey.send' AND actor_kind = 'system'",
    )
    .await;
    assert_eq!(audited, 1);
}

async fn results_score_the_answers_and_the_export_opens_safely_in_a_spreadsheet(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let w = world(&app).await;
    let extra = fixtures::client(&app, w.rm_id, "深蓝资本", true, false).await;
    fixtures::contact_with_email(&app, extra, "刘洋", "liu.yang@c.example", "zh").await;
    let survey = open_survey(&app, &w.officer, &[], &[NPS, COMMENT]).await;
    send(&app, &w.officer, survey, "investors").await;
    let visitor = app.browser();
    let scores = [
        (ZH, "10", "=HYPERLINK(\"http://x\")"),
        (EN, "8", "Fine"),
        ("liu.yang@c.example", "2", "太慢"),
    ];
    for (to, score, comment) in scores {
        let link = one_link(&app, to);
        let page = app.page(&visitor, &link).await;
        let nps = first_field(&page);
        let text = page
            .split("<textarea id=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("the comment box")
            .to_string();
        let answer = app
            .post_form(
                &visitor,
                &link,
                &[(nps.as_str(), score), (text.as_str(), comment)],
            )
            .await;
        assert_eq!(answer.status(), 303);
    }

    // One promoter, one passive, one detractor: NPS 0; three of three answered.
    let results = app
        .page(&w.officer, &format!("/surveys/{survey}/results"))
        .await;
    assert!(
        results.contains("NPS 0（推荐者 1，中立者 1，贬损者 1）"),
        "{results}"
    );
    assert!(results.contains("100%"), "response rate: {results}");
    assert!(
        results.contains("<svg") && results.contains("第 1 轮"),
        "trend chart"
    );
    assert!(results.contains("太慢"));

    // The export: a BOM, one row per response, formulas made plain text.
    let csv = w
        .officer
        .get(app.url(&format!("/surveys/{survey}/responses.csv")))
        .send()
        .await
        .expect("GET");
    assert_eq!(csv.status(), 200);
    let bytes = csv.bytes().await.expect("body");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{text}");
    assert!(
        text.contains("长江绿色基础设施基金") && text.contains("太慢"),
        "{text}"
    );

    // An RM may not export.
    let refused =
        w.rm.get(app.url(&format!("/surveys/{survey}/responses.csv")))
            .send()
            .await
            .expect("GET");
    assert_eq!(refused.status(), 403);
}

/// Resolves complaint `id` as `staff`, with a response to the client.
async fn resolve(app: &TestApp, staff: &reqwest::Client, id: i64) -> reqwest::Response {
    let version = scalar(
        app,
        &format!("SELECT version FROM complaints WHERE id = {id}"),
    )
    .await
    .to_string();
    app.post_form(
        staff,
        &format!("/complaints/{id}/respond"),
        &[
            ("kind", "response"),
            ("body", "报告流程已调整，今后在季度结束后十个工作日内发送。"),
            ("status", "resolved"),
            ("version", version.as_str()),
        ],
    )
    .await
}

async fn resolving_a_survey_complaint_sends_one_follow_up_and_records_recovery(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let w = world(&app).await;
    let survey = open_survey(&app, &w.officer, &[], &[NPS]).await;
    send(&app, &w.officer, survey, "investors").await;
    let visitor = app.browser();
    for to in [ZH, EN] {
        let link = one_link(&app, to);
        let field = first_field(&app.page(&visitor, &link).await);
        let answer = app
            .post_form(&visitor, &link, &[(field.as_str(), "3")])
            .await;
        assert_eq!(answer.status(), 303);
    }
    let complaint_of = |email: &'static str| {
        let app = &app;
        async move {
            scalar(
                app,
                &format!(
                    "SELECT q.id FROM complaints q JOIN contacts k ON k.id = q.contact_id
                     WHERE k.email = '{email}'"
                ),
            )
            .await
        }
    };
    let (zh_complaint, en_complaint) = (complaint_of(ZH).await, complaint_of(EN).await);

    // Resolving sends one short follow-up to the same contact, in their language.
    let resolved = resolve(&app, &w.rm, zh_complaint).await;
    assert_eq!(resolved.status(), 303);
    jobs::run_due(&app.state, "test").await.expect("jobs");
    let follow_ups: Vec<(String, String)> = mails_to(&app, ZH)
        .into_iter()
        .filter(|(subject, _)| subject.contains("您的问题已处理"))
        .collect();
    assert_eq!(follow_ups.len(), 1, "{follow_ups:?}");
    let links = links_to(&app, ZH);
    assert_eq!(links.len(), 2, "{links:?}");
    let follow_up = links
        .iter()
        .find(|l| follow_ups[0].1.contains(l.as_str()))
        .expect("the follow-up link")
        .clone();
    let page = app.page(&visitor, &follow_up).await;
    assert!(
        page.contains("经过这次处理，您向同行推荐我们的可能性有多大？"),
        "{page}"
    );

    // Reopened and resolved again: still one follow-up.
    let version = scalar(
        &app,
        &format!("SELECT version FROM complaints WHERE id = {zh_complaint}"),
    )
    .await
    .to_string();
    let reopened = app
        .post_form(
            &w.rm,
            &format!("/complaints/{zh_complaint}/respond"),
            &[("status", "reopened"), ("version", version.as_str())],
        )
        .await;
    assert_eq!(reopened.status(), 303);
    assert_eq!(resolve(&app, &w.rm, zh_complaint).await.status(), 303);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM survey_invitations WHERE complaint_id IS NOT NULL"
        )
        .await,
        1
    );

    // A passive follow-up answer: recovered, and no new complaint.
    let field = first_field(&page);
    let answered = app
        .post_form(&visitor, &follow_up, &[(field.as_str(), "8")])
        .await;
    assert_eq!(answered.status(), 303);
    assert_eq!(
        scalar(&app, &format!("SELECT COUNT(*) FROM complaints WHERE id = {zh_complaint} AND recovered = TRUE AND follow_up_response_id IS NOT NULL")).await,
        1
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM complaints").await, 2);

    // The other one's follow-up answer is still poor: not recovered. The dashboard: two
    // followed up, both answered, one recovered.
    assert_eq!(resolve(&app, &w.rm, en_complaint).await.status(), 303);
    jobs::run_due(&app.state, "test").await.expect("jobs");
    let en_follow_up = links_to(&app, EN)
        .into_iter()
        .find(|l| {
            mails_to(&app, EN).iter().any(|(subject, text)| {
                subject.contains("Your concern is resolved") && text.contains(l.as_str())
            })
        })
        .expect("the English follow-up");
    let field = first_field(&app.page(&visitor, &en_follow_up).await);
    app.post_form(&visitor, &en_follow_up, &[(field.as_str(), "4")])
        .await;
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM complaints").await, 2);
    let dashboard = app.page(&w.officer, "/complaints/dashboard").await;
    let recovery = dashboard
        .split("id=\"recovery\"")
        .nth(1)
        .and_then(|rest| rest.split("</dl>").next())
        .expect("the recovery figures")
        .to_string();
    assert!(
        recovery.contains("<dd>2</dd>")
            && recovery.contains("<dd>1</dd>")
            && recovery.contains("<dd>50%</dd>"),
        "{recovery}"
    );
}

async fn an_investor_answers_a_waiting_survey_from_the_portal(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let w = world(&app).await;
    let (_, _, a) = portal::investor(&app, &w.rm, w.fund_a, "孙丽", "sun.li@a.example").await;
    let other = fixtures::client(&app, w.rm_id, "CANARY 资本", true, false).await;
    let (_, _, b) = portal::investor(&app, &w.rm, other, "赵军", "zhao.jun@canary.example").await;
    let survey = open_survey(&app, &w.officer, &[], &[NPS]).await;
    send(&app, &w.officer, survey, "investors").await;

    // The survey waits on the overview, with a button to answer it.
    let overview = app.page(&a, "/portal").await;
    let invitation = overview
        .split("action=\"/portal/surveys/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("a waiting survey")
        .to_string();
    assert!(overview.contains("2026 年度投资者满意度调查"), "{overview}");

    // Someone else's invitation is not found, and mints no link.
    let tokens = || scalar(&app, "SELECT COUNT(*) FROM survey_link_tokens");
    let before = tokens().await;
    let refused = app
        .post_form(
            &b,
            &format!("/portal/surveys/{invitation}/answer"),
            &[("x", "")],
        )
        .await;
    assert_eq!(refused.status(), 404);
    assert_eq!(tokens().await, before);

    // The investor's own: the same answer page, through a link of its own.
    let opened = app
        .post_form(
            &a,
            &format!("/portal/surveys/{invitation}/answer"),
            &[("x", "")],
        )
        .await;
    assert_eq!(opened.status(), 303);
    let link = location(&opened);
    assert!(link.starts_with("/s/"), "{link}");
    let page = app.page(&a, &link).await;
    let field = first_field(&page);
    let answered = app.post_form(&a, &link, &[(field.as_str(), "10")]).await;
    assert_eq!(answered.status(), 303);
    let overview = app.page(&a, "/portal").await;
    assert!(
        !overview.contains("/portal/surveys/"),
        "answered, no longer waiting"
    );
    assert_eq!(responses(&app).await, 1);
}

/// The open link's address on the page its making rendered, as a path.
fn open_link_in(app: &TestApp, page: &str) -> String {
    let start = page
        .find(&format!("value=\"{}/s/", app.origin))
        .expect("the open link's address")
        + "value=\"".len()
        + app.origin.len();
    page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

async fn an_open_link_takes_anonymous_answers_until_it_is_replaced_or_turned_off(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let w = world(&app).await;
    let survey = open_survey(&app, &w.officer, &[], &[NPS, COMMENT]).await;
    let path = format!("/surveys/{survey}/open-link");

    // Only those who build surveys make one.
    let refused = app.post_form(&w.rm, &path, &[("turn", "on")]).await;
    assert_eq!(refused.status(), 403);
    let made = app.post_form(&w.officer, &path, &[("turn", "on")]).await;
    assert_eq!(made.status(), 200);
    let made = made.text().await.expect("page");
    let link = open_link_in(&app, &made);
    assert_eq!(link.len(), "/s/".len() + 64, "{link}");
    assert!(made.contains("公开链接已开启。"), "{made}");

    // Two people answer through it: two responses, neither tied to a client; the poor one
    // opens a complaint without a client, in the unassigned queue.
    let (first, second) = (app.browser(), app.browser());
    let page = app.page(&first, &link).await;
    assert!(!page.contains("/unsubscribe"), "{page}");
    let field = first_field(&page);
    for (who, score) in [(&first, "10"), (&second, "3")] {
        let answered = app.post_form(who, &link, &[(field.as_str(), score)]).await;
        assert_eq!(answered.status(), 303, "{score}");
    }
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM survey_responses WHERE invitation_id IS NULL AND client_id IS NULL").await,
        2
    );
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM complaints WHERE source = 'survey' AND client_id IS NULL AND assignee_id IS NULL").await,
        1
    );

    // A new link replaces the old one, whose address then opens nothing.
    let replaced = app.post_form(&w.officer, &path, &[("turn", "on")]).await;
    let replacement = open_link_in(&app, &replaced.text().await.expect("page"));
    assert_ne!(replacement, link);
    let old = app
        .browser()
        .get(format!("{}{link}", app.origin))
        .send()
        .await
        .expect("get");
    assert_eq!(old.status(), 404);
    assert_eq!(
        app.browser()
            .get(format!("{}{replacement}", app.origin))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );

    // Turned off, no address opens it, and the page says there is none.
    let off = app.post_form(&w.officer, &path, &[("turn", "off")]).await;
    assert_eq!(off.status(), 303);
    assert_eq!(
        location(&off),
        format!("/surveys/{survey}?open_link_off=1#open-link")
    );
    let late = app
        .post_form(&app.browser(), &replacement, &[(field.as_str(), "9")])
        .await;
    assert_eq!(late.status(), 404);
    assert_eq!(responses(&app).await, 2);
    let page = app
        .page(&w.officer, &format!("/surveys/{survey}?open_link_off=1"))
        .await;
    assert!(
        page.contains("此调查没有公开链接。") && page.contains("公开链接已关闭"),
        "{page}"
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'survey.open_link%'"
        )
        .await,
        3
    );
}

async fn client_named(app: &TestApp, name: &str) -> i64 {
    with_db!(&app.db, c => sqlx::query_scalar::<_, i64>("SELECT id FROM clients WHERE display_name = $1")
        .bind(name)
        .fetch_one(c)
        .await)
    .expect(name)
}

async fn a_wave_to_clients_chosen_by_hand_reaches_only_their_contacts(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let w = world(&app).await;
    let survey = open_survey(&app, &w.officer, &[], &[NPS]).await;
    let sponsor = client_named(&app, "西部风电开发有限公司").await;
    let picks = format!("/surveys/{survey}/picks");

    // The search finds a client to add, by a Chinese term as the client list does.
    let page = app
        .page(
            &w.officer,
            &format!("/surveys/{survey}?pick_q=%E9%95%BF%E6%B1%9F"),
        )
        .await;
    let matches = page
        .split("id=\"pick-matches\"")
        .nth(1)
        .expect("matches")
        .to_string();
    assert!(
        matches.contains("长江绿色基础设施基金") && !matches.contains("Harbour"),
        "{matches}"
    );

    // A manager may not change the list; a CRM officer adds, and adding twice adds once.
    let client = w.fund_a.to_string();
    let refused = app
        .post_form(&w.rm, &picks, &[("client", client.as_str())])
        .await;
    assert_eq!(refused.status(), 403);
    for id in [client.clone(), client.clone(), sponsor.to_string()] {
        let added = app
            .post_form(
                &w.officer,
                &picks,
                &[("client", id.as_str()), ("pick_q", "长江")],
            )
            .await;
        assert_eq!(added.status(), 303);
        assert!(
            location(&added).contains("picked=1&pick_q=%E9%95%BF%E6%B1%9F"),
            "{}",
            location(&added)
        );
    }
    for bad in ["abc", "999999"] {
        let refused = app.post_form(&w.officer, &picks, &[("client", bad)]).await;
        assert_eq!(refused.status(), 422, "{bad}");
        let text = refused.text().await.expect("page");
        assert!(text.contains("请选择存在且未归档的客户。"), "{text}");
    }
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM survey_picks").await, 2);
    let page = app.page(&w.officer, &format!("/surveys/{survey}")).await;
    assert!(page.contains("已选择 2 个客户。"), "{page}");

    // Taken off again, the sponsor gets nothing: the wave reaches the fund's contact alone.
    let removed = app
        .post_form(
            &w.officer,
            &format!("{picks}/{sponsor}/remove"),
            &[("x", "")],
        )
        .await;
    assert_eq!(removed.status(), 303);
    let sent = send(&app, &w.officer, survey, "chosen").await;
    assert_eq!(sent.status(), 303);
    assert!(location(&sent).contains("sent=1"), "{}", location(&sent));
    assert_eq!(links_to(&app, ZH).len(), 1);
    assert!(links_to(&app, EN).is_empty() && links_to(&app, BORROWER).is_empty());
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('survey.pick', 'survey.unpick')"
        )
        .await,
        3
    );
}

/// Answers arriving together (on SQLite they are written in batches): each link records
/// one response with its answers, each poor one opens its own complaint linked to it, a link
/// posted twice at once still records once, and every row carries the submission's time.
async fn many_answers_at_once_are_each_recorded_once_with_their_complaints(engine: Engine) {
    let (app, _db) =
        TestApp::spawn_with(&engine, &["--survey-requests-per-ip-per-minute", "1000"]).await;
    let w = world(&app).await;
    let emails = with_partners(&app, &w, 10).await;
    let survey = open_survey(&app, &w.officer, &[], &[NPS, COMMENT]).await;
    send(&app, &w.officer, survey, "investors").await;
    let visitor = app.browser();
    let first = one_link(&app, ZH);
    let nps = first_field(&app.page(&visitor, &first).await);
    let comment = format!(
        "q{}",
        nps.trim_start_matches('q').parse::<i64>().expect("id") + 1
    );

    // Scores 0, 1, 2, … : those of 6 or less are poor. The first three links are posted
    // twice at the same moment.
    let mut posts = Vec::new();
    let mut poor = 0;
    for (n, email) in emails.iter().enumerate() {
        let link = one_link(&app, email);
        let score = (n % 11).to_string();
        if n % 11 <= 6 {
            poor += 1;
        }
        let times = if n < 3 { 2 } else { 1 };
        for _ in 0..times {
            let client = app.browser();
            let url = app.url(&link);
            let form = vec![
                (nps.clone(), score.clone()),
                (comment.clone(), format!("第 {n} 位的意见")),
            ];
            posts.push(post_in_background(client, url, form));
        }
    }
    all_thanked(posts).await;
    let contacts = emails.len() as i64;
    each_recorded_once(&app, contacts, 2).await;
    // Each poor response has one complaint, about its own contact, with its own comment,
    // due times and a first timeline entry.
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM complaints").await, poor);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM complaints q
             JOIN survey_responses r ON r.id = q.survey_response_id AND r.contact_id = q.contact_id
             JOIN survey_answers a ON a.response_id = r.id AND a.body IS NOT NULL
             WHERE q.source = 'survey' AND q.status = 'new' AND q.assignee_id IS NOT NULL
               AND q.first_response_due_at IS NOT NULL AND q.description LIKE '%' || a.body || '%'"
        )
        .await,
        poor
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM complaint_events e JOIN complaints q ON q.id = e.complaint_id
             WHERE e.kind = 'raised' AND e.to_status = 'new'"
        )
        .await,
        poor
    );
    // The rows carry the submission's time as the server binds times everywhere else.
    let now = app.clock_now();
    let at_now: i64 = with_db!(&app.db, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM survey_responses r
         JOIN survey_invitations i ON i.id = r.invitation_id AND i.answered_at = $1
         WHERE r.submitted_at = $1",
    )
    .bind(now)
    .fetch_one(c)
    .await)
    .expect("times");
    assert_eq!(at_now, contacts);
    // A link answered in a batch is used from then on.
    let used = visitor.get(app.url(&first)).send().await.expect("GET");
    assert_eq!(used.status(), 410);
    // Fund B's one contact gave a 1: its decline signal says so.
    let fund_b = client_named(&app, "Harbour Infrastructure Fund").await;
    let client_page = app.page(&w.rm, &format!("/clients/{fund_b}")).await;
    assert!(client_page.contains("推荐意愿仅 1 分"), "{client_page}");
}

/// Sends `survey` to the investors and answers its first question in the new link to the
/// Chinese contact (fund A's) with `answer`.
async fn answer_new_wave(app: &TestApp, w: &World, survey: i64, answer: &str) {
    let before = links_to(app, ZH);
    send(app, &w.officer, survey, "investors").await;
    let link = links_to(app, ZH)
        .into_iter()
        .find(|l| !before.contains(l))
        .expect("a new link");
    let visitor = app.browser();
    let field = first_field(&app.page(&visitor, &link).await);
    let posted = app
        .post_form(&visitor, &link, &[(field.as_str(), answer)])
        .await;
    assert_eq!(posted.status(), 303);
}

async fn a_falling_score_is_measured_against_the_answer_before(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let w = world(&app).await;
    let csat = ("csat", "您满意吗？", "Are you satisfied?", true);
    let nps_survey = open_survey(&app, &w.officer, &[], &[NPS]).await;
    let csat_survey = open_survey(&app, &w.officer, &[], &[csat]).await;
    let second_nps_survey = open_survey(&app, &w.officer, &[], &[NPS]).await;
    // A promoter, then a survey without an NPS question, then a 7: no detractor, but three
    // points below the NPS answer before (the CSAT answer in between does not count).
    answer_new_wave(&app, &w, nps_survey, "10").await;
    app.clock.advance(chrono::Duration::days(31));
    answer_new_wave(&app, &w, csat_survey, "5").await;
    app.clock.advance(chrono::Duration::days(31));
    answer_new_wave(&app, &w, second_nps_survey, "7").await;
    let client_page = app.page(&w.rm, &format!("/clients/{}", w.fund_a)).await;
    assert!(
        client_page.contains("推荐意愿降至 7 分（上一次 10 分"),
        "{client_page}"
    );
}

/// Two app servers on one PostgreSQL database each write answers in batches of their own:
/// a link posted to both at the same moment records one response, and both respondents
/// see the thank-you page (the batch that loses the race is written again one by one, and
/// the link's second answer then counts as already given).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_posted_to_two_servers_at_once_records_one_response() {
    let Some(engine) = postgres() else { return };
    let flags = ["--survey-requests-per-ip-per-minute", "1000"];
    let (a, _db) = TestApp::spawn_with(&engine, &flags).await;
    let b = TestApp::spawn_on(&a.database_url, &flags).await;
    let w = world(&a).await;
    let emails = with_partners(&a, &w, 6).await;
    let survey = open_survey(&a, &w.officer, &[], &[NPS]).await;
    send(&a, &w.officer, survey, "investors").await;
    let nps = first_field(&a.page(&a.browser(), &one_link(&a, ZH)).await);

    // Every link at once, each to both servers; scores of 6 or less open a complaint.
    let mut posts = Vec::new();
    for (n, email) in emails.iter().enumerate() {
        let link = one_link(&a, email);
        for server in [&a, &b] {
            let (client, url) = (server.browser(), server.url(&link));
            let form = vec![(nps.clone(), (n % 11).to_string())];
            posts.push(post_in_background(client, url, form));
        }
    }
    all_thanked(posts).await;
    each_recorded_once(&a, emails.len() as i64, 1).await;
    // One complaint per poor response, not one per server that took it.
    assert_eq!(scalar(&a, "SELECT COUNT(*) FROM complaints").await, 7);
}
