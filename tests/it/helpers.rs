//! Starting the app for a test and talking to it like a browser would.
use chrono::Utc;
use covenant::auth::{password, repo};
use covenant::core::i18n::Lang;
use covenant::core::roles::Role;
use covenant::server::clock::{Clock, ManualClock, SystemClock};
use covenant::server::config::Config;
use covenant::server::db::Db;
use covenant::server::sqlx;
use covenant::server::startup;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::redirect::Policy;
use reqwest::{Client, Response};
use std::sync::Arc;
use tokio::sync::OnceCell;

#[derive(Clone, Debug)]
pub enum Engine {
    Sqlite,
    /// The server URL of a PostgreSQL database used to create per-test databases.
    Postgres(String),
}

/// The PostgreSQL engine, if `TEST_DATABASE_URL` is set. Under `CI=true` its absence fails
/// the test, so a CI run can never pass without the PostgreSQL half.
pub fn postgres() -> Option<Engine> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(Engine::Postgres(url)),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests must run")
        }
        _ => {
            eprintln!("TEST_DATABASE_URL not set: skipping the PostgreSQL variant");
            None
        }
    }
}

/// Runs each named `async fn(Engine)` as two tests, `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Engine::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(engine) = $crate::helpers::postgres() {
                        super::$name(engine).await
                    }
                }
            )*
        }
    };
}

/// A fresh, empty database: a temporary SQLite file, or a new PostgreSQL database.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

static OLD_DATABASES_DROPPED: OnceCell<()> = OnceCell::const_new();

fn admin_url(server_url: &str) -> String {
    server_url.to_string()
}

fn database_url(server_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(server_url).expect("TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

async fn pg_admin(server_url: &str) -> sqlx::PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(&admin_url(server_url))
        .await
        .expect("connect to TEST_DATABASE_URL")
}

/// Drops databases left behind by earlier, interrupted runs (once per test process).
async fn drop_old_databases(server_url: &str) {
    OLD_DATABASES_DROPPED
        .get_or_init(|| async {
            let admin = pg_admin(server_url).await;
            let cutoff = (Utc::now() - chrono::Duration::hours(2)).timestamp();
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT datname FROM pg_database WHERE datname LIKE 'covenant_t_%'",
            )
            .fetch_all(&admin)
            .await
            .unwrap_or_default();
            for name in names {
                let started: i64 = name
                    .split('_')
                    .nth(2)
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0);
                if started < cutoff {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .execute(&admin)
                            .await;
                }
            }
            admin.close().await;
        })
        .await;
}

impl TestDb {
    pub async fn new(engine: &Engine) -> TestDb {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}/covenant.db", dir.path().display());
                TestDb {
                    url,
                    _dir: Some(dir),
                }
            }
            Engine::Postgres(server) => {
                drop_old_databases(server).await;
                let name = format!(
                    "covenant_t_{}_{}",
                    Utc::now().timestamp(),
                    covenant::server::idempotency::new_key()[..12].to_lowercase()
                );
                let admin = pg_admin(server).await;
                sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&admin)
                    .await
                    .expect("create test database");
                admin.close().await;
                TestDb {
                    url: database_url(server, &name),
                    _dir: None,
                }
            }
        }
    }

    pub fn pg_name(&self) -> Option<String> {
        self.url.starts_with("postgres").then(|| {
            url::Url::parse(&self.url)
                .expect("url")
                .path()
                .trim_start_matches('/')
                .to_string()
        })
    }
}

pub struct TestApp {
    pub origin: String,
    pub db: Db,
    pub clock: ManualClock,
    pub database_url: String,
    /// The app's own state, for running its jobs in a test.
    pub state: covenant::server::state::AppState,
    /// Where this app writes e-mail (one `.eml` file per message).
    pub mail_dir: std::path::PathBuf,
    _mail: tempfile::TempDir,
}

impl TestApp {
    /// A new app on a fresh database of `engine`.
    pub async fn spawn(engine: &Engine) -> (TestApp, TestDb) {
        Self::spawn_with(engine, &[]).await
    }

    pub async fn spawn_with(engine: &Engine, flags: &[&str]) -> (TestApp, TestDb) {
        let test_db = TestDb::new(engine).await;
        let app = Self::spawn_on(&test_db.url, flags).await;
        (app, test_db)
    }

    /// A new app on an existing database (several apps may share one PostgreSQL database).
    pub async fn spawn_on(database_url: &str, flags: &[&str]) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        let origin = format!("http://{addr}");
        let mail = tempfile::tempdir().expect("mail directory");
        let mail_dir = mail.path().to_path_buf();
        let mail_dir_text = mail_dir.display().to_string();
        let mut all = vec![
            "--database-url",
            database_url,
            "--public-url",
            &origin,
            "--log",
            "warn",
            "--mail-dir",
            &mail_dir_text,
        ];
        all.extend_from_slice(flags);
        let config = Config::from_flags(&all).expect("test configuration");
        // Microseconds, as the system clock gives and PostgreSQL keeps, so a time read back
        // equals the one written on both engines.
        let clock = ManualClock::new(SystemClock.now());
        let state = startup::prepare(config, Arc::new(clock.clone()))
            .await
            .expect("app starts");
        let db = state.db.clone();
        let router = startup::router(state.clone()).expect("router");
        tokio::spawn(async move {
            let _ = startup::serve_on(listener, router).await;
        });
        TestApp {
            origin,
            db,
            clock,
            database_url: database_url.to_string(),
            state,
            mail_dir,
            _mail: mail,
        }
    }

    pub fn clock_now(&self) -> chrono::DateTime<Utc> {
        use covenant::server::clock::Clock;
        self.clock.now()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them),
    /// and sends this app's Origin like a same-site form would.
    pub fn browser(&self) -> Client {
        let mut headers = HeaderMap::new();
        headers.insert(
            "origin",
            HeaderValue::from_str(&self.origin).expect("origin header"),
        );
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .default_headers(headers)
            .build()
            .expect("client")
    }

    /// Adds an active staff member directly in the database; returns their id.
    pub async fn add_staff(&self, email: &str, name: &str, role: Role, password_text: &str) -> i64 {
        let hash = password::hash(password_text.to_string())
            .await
            .expect("hash");
        let mut tx = self.db.begin().await.expect("begin");
        let id = repo::insert(
            &mut tx,
            &repo::NewUser {
                email,
                name,
                role,
                department: None,
                reports_to: None,
                locale: Lang::Zh,
                time_zone: "Asia/Shanghai",
                password_hash: &hash.0,
            },
            Utc::now(),
        )
        .await
        .expect("insert user");
        tx.commit().await.expect("commit");
        id
    }

    pub async fn sign_in(&self, client: &Client, email: &str, password_text: &str) -> Response {
        client
            .post(self.url("/login"))
            .form(&[("email", email), ("password", password_text)])
            .send()
            .await
            .expect("POST /login")
    }

    /// A staff member added and signed in: their id and their browser.
    pub async fn staff_browser(&self, email: &str, name: &str, role: Role) -> (i64, Client) {
        let id = self.add_staff(email, name, role, STAFF_PASSWORD).await;
        let browser = self.browser();
        let answer = self.sign_in(&browser, email, STAFF_PASSWORD).await;
        assert_eq!(location(&answer), "/", "{email} signs in");
        (id, browser)
    }

    /// The HTML of a page as `client` sees it.
    pub async fn page(&self, client: &Client, path: &str) -> String {
        client
            .get(self.url(path))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("page body")
    }

    /// Posts a plain HTML form the way the browser does.
    pub async fn post_form<T: serde::Serialize + ?Sized>(
        &self,
        client: &Client,
        path: &str,
        form: &T,
    ) -> Response {
        client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("form POST")
    }

    /// Calls a server function the way the browser does (form-encoded POST).
    pub async fn rpc(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(&format!("/rpc/{endpoint}")))
            .form(form)
            .send()
            .await
            .expect("server function call")
    }

    pub async fn user_count(&self) -> i64 {
        covenant::with_db!(&self.db, c => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(c).await)
            .expect("count users")
    }
}

/// Where a redirect points.
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The value of the session cookie a response sets, if any.
pub fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("covenant.sid="))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
}

pub const ADMIN_PASSWORD: &str = "Harbour-Bridge-2031";
pub const STAFF_PASSWORD: &str = "Yangtze-Delta-4417";

/// Records written straight through the repositories, for tests about something else.
pub mod fixtures {
    use super::TestApp;
    use covenant::clients::model::{ClientForm, NewContact, validate};
    use covenant::projects::model::{
        EsgCategory, ProjectStage, RiskRating, ValidProject, ValidTranche,
    };

    /// A client owned by `owner`: an investor (valid KYC), a borrower, or both.
    pub async fn client(
        app: &TestApp,
        owner: i64,
        name: &str,
        investor: bool,
        borrower: bool,
    ) -> i64 {
        let form = ClientForm {
            display_name: name.into(),
            client_type: "corporate".into(),
            country: "CN".into(),
            sector: "renewables".into(),
            is_borrower: borrower,
            is_investor: investor,
            risk_appetite: "balanced".into(),
            ticket_min: "1000万".into(),
            ticket_max: "1亿".into(),
            ticket_currency: "CNY".into(),
            esg_requirement: "basic".into(),
            kyc_status: "valid".into(),
            kyc_review_due: (chrono::Utc::now().date_naive() + chrono::Duration::days(365))
                .to_string(),
            ..ClientForm::default()
        };
        let valid = validate(&form, true).expect("valid client");
        let mut tx = app.db.begin().await.expect("begin");
        let id = covenant::clients::repo::insert(&mut tx, &valid, owner, None, chrono::Utc::now())
            .await
            .expect("insert client");
        tx.commit().await.expect("commit");
        id
    }

    pub async fn contact(app: &TestApp, client_id: i64, name: &str) -> i64 {
        insert_contact(app, client_id, name, None, "zh").await
    }

    /// A contact with an e-mail address, writing in `language`.
    pub async fn contact_with_email(
        app: &TestApp,
        client_id: i64,
        name: &str,
        email: &str,
        language: &str,
    ) -> i64 {
        insert_contact(app, client_id, name, Some(email), language).await
    }

    async fn insert_contact(
        app: &TestApp,
        client_id: i64,
        name: &str,
        email: Option<&str>,
        language: &str,
    ) -> i64 {
        let contact = NewContact {
            name: name.into(),
            title: None,
            email: email.map(Into::into),
            phone: None,
            language: language.into(),
        };
        let mut tx = app.db.begin().await.expect("begin");
        let id = covenant::clients::repo::insert_contact(
            &mut tx,
            client_id,
            &contact,
            false,
            chrono::Utc::now(),
        )
        .await
        .expect("insert contact");
        tx.commit().await.expect("commit");
        id
    }

    /// A CNY deal of `client` in `project`'s tranche at `stage`, with amounts in yuan.
    pub async fn deal(
        app: &TestApp,
        owner: i64,
        client: i64,
        (project, tranche): (i64, i64),
        stage: covenant::pipeline::model::DealStage,
        indicated_yuan: i64,
        committed_yuan: Option<i64>,
    ) -> i64 {
        let deal = covenant::pipeline::model::ValidDeal {
            client_id: client,
            project_id: project,
            tranche_id: Some(tranche),
            owner_id: Some(owner),
            stage,
            currency: "CNY".into(),
            indicated_amount: Some(indicated_yuan * 100),
            committed_amount: committed_yuan.map(|y| y * 100),
            probability: stage.default_probability(),
            expected_close: None,
            terms: None,
            reason: None,
        };
        let mut tx = app.db.begin().await.expect("begin");
        let id = covenant::pipeline::repo::insert(&mut tx, &deal, owner, chrono::Utc::now())
            .await
            .expect("insert deal");
        tx.commit().await.expect("commit");
        id
    }

    /// A CNY project of `sponsor` with one senior tranche; returns (project, tranche).
    pub async fn project(app: &TestApp, owner: i64, sponsor: i64, name: &str) -> (i64, i64) {
        let project = ValidProject {
            sponsor_id: sponsor,
            name: name.into(),
            latin_name: None,
            sector: covenant::clients::model::Sector::Renewables,
            country: "CN".into(),
            total_size: 450_000_000_000,
            currency: "CNY".into(),
            stage: ProjectStage::Marketing,
            risk_rating: RiskRating::Medium,
            expected_return_bps: Some(720),
            tenor_months: Some(180),
            esg_category: EsgCategory::B,
            showcase: false,
            description: None,
        };
        let tranche = ValidTranche {
            name: "A 档优先级".into(),
            instrument: covenant::clients::model::Instrument::SeniorDebt,
            size: 300_000_000_000,
            currency: "CNY".into(),
            pricing_bps: Some(435),
            tenor_months: Some(180),
            risk_band: covenant::clients::model::RiskAppetite::Conservative,
        };
        let now = chrono::Utc::now();
        let mut tx = app.db.begin().await.expect("begin");
        let id = covenant::projects::repo::insert(&mut tx, &project, owner, now)
            .await
            .expect("insert project");
        let tranche_id = covenant::projects::repo::insert_tranche(&mut tx, id, &tranche, now)
            .await
            .expect("insert tranche");
        tx.commit().await.expect("commit");
        (id, tranche_id)
    }
}

/// Portal set-ups shared by the portal tests: investors who accepted an e-mailed invitation,
/// and updates written and published through the staff forms.
pub mod portal {
    use super::{TestApp, fixtures, location};
    use covenant::server::{jobs, sqlx};
    use covenant::with_db;

    pub const INVESTOR_PASSWORD: &str = "Jade-Harbour-2031-xy";

    /// The path of the invitation link in the mail to `to`, decoded from its MIME file,
    /// which is removed so the next call sees only newer mail.
    pub fn invitation_link(app: &TestApp, to: &str) -> String {
        for entry in std::fs::read_dir(&app.mail_dir).expect("mail directory") {
            let path = entry.expect("entry").path();
            let raw = std::fs::read(&path).expect("mail file");
            let Some(message) = mail_parser::MessageParser::default().parse(&raw) else {
                continue;
            };
            let addressed = message
                .to()
                .and_then(|t| t.first())
                .and_then(|a| a.address.as_deref())
                == Some(to);
            if addressed {
                let text = message.body_text(0).unwrap_or_default().to_string();
                std::fs::remove_file(&path).expect("remove mail file");
                return text
                    .split_whitespace()
                    .find(|w| w.contains("/portal/invite/"))
                    .and_then(|url| url.strip_prefix(&app.origin))
                    .map(str::to_string)
                    .unwrap_or_else(|| panic!("an invitation link in {text}"));
            }
        }
        panic!("no mail to {to}");
    }

    /// A new contact of `client`, invited by `rm`, who set a password from the e-mailed link:
    /// (portal user id, contact id, their signed-in browser).
    pub async fn investor(
        app: &TestApp,
        rm: &reqwest::Client,
        client: i64,
        name: &str,
        email: &str,
    ) -> (i64, i64, reqwest::Client) {
        let contact = fixtures::contact_with_email(app, client, name, email, "zh").await;
        let invited = app
            .post_form(
                rm,
                &format!("/clients/{client}/contacts/{contact}/portal-invite"),
                &[("x", "")],
            )
            .await;
        assert_eq!(invited.status(), 303);
        jobs::run_due(&app.state, "test").await.expect("jobs");
        let link = invitation_link(app, email);
        let browser = app.browser();
        let accepted = app
            .post_form(
                &browser,
                &link,
                &[
                    ("new_password", INVESTOR_PASSWORD),
                    ("confirm", INVESTOR_PASSWORD),
                ],
            )
            .await;
        assert_eq!(location(&accepted), "/portal?notice=welcome");
        let id: i64 = with_db!(&app.db, c => sqlx::query_scalar(
            "SELECT id FROM portal_users WHERE email = $1",
        )
        .bind(email)
        .fetch_one(c)
        .await)
        .expect("portal user");
        (id, contact, browser)
    }

    /// A complaint about reporting raised by `investor` in the portal; returns its id.
    pub async fn complaint(app: &TestApp, investor: &reqwest::Client, description: &str) -> i64 {
        let page = app.page(investor, "/portal/complaints").await;
        let raised = app
            .post_form(
                investor,
                "/portal/complaints",
                &[
                    ("form_key", super::form_key_in(&page).as_str()),
                    ("category", "reporting"),
                    ("description", description),
                ],
            )
            .await;
        id_in(&location(&raised))
    }

    /// The id at the end of a redirect such as `/projects/3/updates/9?created=1`.
    pub fn id_in(to: &str) -> i64 {
        to.rsplit('/')
            .next()
            .and_then(|tail| tail.split('?').next())
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("an id in {to}"))
    }

    /// A draft written through the new-update form; returns its id.
    pub async fn draft(
        app: &TestApp,
        rm: &reqwest::Client,
        project: i64,
        kind: &str,
        title: &str,
        body: &str,
    ) -> i64 {
        let page = app
            .page(rm, &format!("/projects/{project}/updates/new"))
            .await;
        let key = page
            .split("name=\"form_key\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a form key")
            .to_string();
        let created = app
            .post_form(
                rm,
                &format!("/projects/{project}/updates/new"),
                &[
                    ("form_key", key.as_str()),
                    ("kind", kind),
                    ("title", title),
                    ("body", body),
                ],
            )
            .await;
        assert_eq!(created.status(), 303, "{title}");
        id_in(&location(&created))
    }

    pub async fn row_version(app: &TestApp, id: i64) -> i64 {
        with_db!(&app.db, c => sqlx::query_scalar("SELECT version FROM updates WHERE id = $1")
            .bind(id)
            .fetch_one(c)
            .await)
        .expect("update row")
    }

    /// Publishes draft `id` through its publish button.
    pub async fn publish(app: &TestApp, rm: &reqwest::Client, project: i64, id: i64) {
        let version = row_version(app, id).await.to_string();
        let published = app
            .post_form(
                rm,
                &format!("/projects/{project}/updates/{id}/publish"),
                &[("version", version.as_str())],
            )
            .await;
        assert_eq!(
            location(&published),
            format!("/projects/{project}/updates/{id}?published=1")
        );
    }
}

/// Documents: uploads as the project page's form sends them.
pub mod documents {
    use super::TestApp;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A fresh well-formed form key.
    pub fn form_key() -> String {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        format!(
            "documents-test-key-{:020}",
            NEXT.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// What one upload sends.
    pub struct Upload<'a> {
        pub title: &'a str,
        pub visibility: &'a str,
        pub client: Option<i64>,
        pub file_name: &'a str,
        pub mime: &'a str,
        pub bytes: Vec<u8>,
        pub form_key: String,
    }

    impl<'a> Upload<'a> {
        pub fn new(
            title: &'a str,
            visibility: &'a str,
            file_name: &'a str,
            bytes: Vec<u8>,
        ) -> Self {
            Upload {
                title,
                visibility,
                client: None,
                file_name,
                mime: "application/pdf",
                bytes,
                form_key: form_key(),
            }
        }
    }

    /// Posts the upload form of `project` (fields first, then the file, as the page orders
    /// them).
    pub async fn post(
        app: &TestApp,
        staff: &reqwest::Client,
        project: i64,
        upload: &Upload<'_>,
    ) -> reqwest::Response {
        let file = reqwest::multipart::Part::bytes(upload.bytes.clone())
            .file_name(upload.file_name.to_string())
            .mime_str(upload.mime)
            .expect("mime type");
        let form = reqwest::multipart::Form::new()
            .text("form_key", upload.form_key.clone())
            .text("title", upload.title.to_string())
            .text("visibility", upload.visibility.to_string())
            .text(
                "client",
                upload.client.map(|c| c.to_string()).unwrap_or_default(),
            )
            .part("file", file);
        staff
            .post(app.url(&format!("/projects/{project}/documents")))
            .multipart(form)
            .send()
            .await
            .expect("upload")
    }

    /// Uploads and returns the new document's id (from the page it redirects to).
    pub async fn upload(
        app: &TestApp,
        staff: &reqwest::Client,
        project: i64,
        upload: &Upload<'_>,
    ) -> i64 {
        let response = post(app, staff, project, upload).await;
        let location = super::location(&response);
        assert_eq!(
            response.status().as_u16(),
            303,
            "upload refused: {location}"
        );
        location
            .split("uploaded=")
            .nth(1)
            .and_then(|rest| rest.split('#').next())
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("no document id in {location}"))
    }

    /// `n` bytes that differ from chunk to chunk, so a chunk served twice or out of order
    /// would show.
    pub fn bytes(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| ((i / 7 + i / 1_048_576) % 251) as u8)
            .collect()
    }
}

/// The mail this app wrote, decoded as a mail client would: (subject, text) of each
/// message to `to`, left in place.
pub fn mails_to(app: &TestApp, to: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&app.mail_dir).expect("mail directory") {
        let raw = std::fs::read(entry.expect("entry").path()).expect("mail file");
        let Some(message) = mail_parser::MessageParser::default().parse(&raw) else {
            continue;
        };
        let addressed = message
            .to()
            .and_then(|t| t.first())
            .and_then(|a| a.address.as_deref())
            == Some(to);
        if addressed {
            found.push((
                message.subject().unwrap_or_default().to_string(),
                message.body_text(0).unwrap_or_default().to_string(),
            ));
        }
    }
    found
}

/// The form key a page's form carries.
pub fn form_key_in(page: &str) -> String {
    page.split("name=\"form_key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form key")
        .to_string()
}
