//! The command line of the `covenant` binary: `serve` (default), `migrate`, `seed-demo`,
//! `user add`, `user deactivate`. Every command takes the same configuration flags.
use super::config::Config;
use super::db::Db;
use super::{ownership, seed, startup};
use crate::auth::model::{check_new_password, is_plausible_email, normalise_email};
use crate::auth::{password, repo};
use crate::core::i18n::Lang;
use crate::core::roles::{Department, Role};
use crate::server::audit::{self, Actor, AuditEntry};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "covenant",
    version,
    about = "Covenant: CRM for project finance"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create demo data and print the demo sign-ins.
    SeedDemo {
        #[arg(long, value_enum, default_value = "small")]
        scale: seed::Scale,
        /// Seed of the generator: the same seed makes the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Rm,
    CrmOfficer,
    Analyst,
    Viewer,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Rm => Role::Rm,
            RoleArg::CrmOfficer => Role::CrmOfficer,
            RoleArg::Analyst => Role::Analyst,
            RoleArg::Viewer => Role::Viewer,
            RoleArg::Admin => Role::Admin,
        }
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a staff member; the password is read from standard input (one line, or two
    /// lines that must match).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// marketing, operations, finance or management.
        #[arg(long)]
        department: Option<String>,
    },
    /// Deactivate a staff member; their sessions end at once.
    Deactivate {
        #[arg(long)]
        email: String,
        /// Who takes over their records (required when they own any).
        #[arg(long)]
        successor: Option<String>,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    super::telemetry::init(&cli.config.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("covenant: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("covenant: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let state = startup::prepare(config, startup::system_clock()).await?;
            startup::serve(state).await
        }
        Command::Migrate => {
            open(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::SeedDemo { scale, seed } => {
            let public = config.public_url.clone();
            let db = open(&config).await?;
            let clock = startup::system_clock();
            seed::seed_demo(&db, clock.as_ref(), scale, seed, &public).await
        }
        Command::User { command } => {
            let db = open(&config).await?;
            let clock = startup::system_clock();
            match command {
                UserCommand::Add {
                    email,
                    name,
                    role,
                    department,
                } => {
                    let password = read_password()?;
                    add_user(
                        &db,
                        clock.now(),
                        &email,
                        &name,
                        role.into(),
                        department.as_deref(),
                        password,
                    )
                    .await
                }
                UserCommand::Deactivate { email, successor } => {
                    deactivate_user(&db, clock.now(), &email, successor.as_deref()).await
                }
            }
        }
    }
}

async fn open(config: &Config) -> Result<Db, String> {
    let problems = config.problems();
    if !problems.is_empty() {
        return Err(format!(
            "invalid settings:\n  - {}",
            problems.join("\n  - ")
        ));
    }
    let db = Db::connect(&config.database_url, config.sqlite_synchronous)
        .await
        .map_err(|e| {
            format!(
                "cannot open the database {}: {e}",
                startup::redact_url(&config.database_url)
            )
        })?;
    db.migrate()
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    Ok(db)
}

/// The first line of stdin, or the first two when they are given (then they must match).
fn read_password() -> Result<String, String> {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut lines = stdin.lock().lines();
    let mut next_line = |prompt: &str| -> Option<String> {
        if interactive {
            eprint!("{prompt}");
            let _ = std::io::stderr().flush();
        }
        lines.next().and_then(Result::ok)
    };
    let first = next_line("Password: ").ok_or("no password on standard input")?;
    let second = if interactive {
        next_line("Repeat the password: ")
    } else {
        next_line("")
    };
    match second {
        Some(again) if !again.is_empty() && again != first => {
            Err("the two passwords differ".into())
        }
        _ => Ok(first),
    }
}

async fn add_user(
    db: &Db,
    now: chrono::DateTime<chrono::Utc>,
    email: &str,
    name: &str,
    role: Role,
    department: Option<&str>,
    password: String,
) -> Result<(), String> {
    let email = normalise_email(email);
    if !is_plausible_email(&email) {
        return Err(format!("'{email}' is not an e-mail address"));
    }
    let department = match department {
        None => None,
        Some(code) => Some(Department::parse(code).ok_or(format!(
            "unknown department '{code}' (marketing, operations, finance, management)"
        ))?),
    };
    if name.trim().is_empty() {
        return Err("the name must not be empty".into());
    }
    check_new_password(&password, &email).map_err(|key| crate::core::i18n::t(Lang::En, key))?;
    let hash = password::hash(password).await?;
    let new = repo::NewUser {
        email: &email,
        name: name.trim(),
        role,
        department,
        reports_to: None,
        locale: Lang::Zh,
        time_zone: super::format::DEFAULT_TIME_ZONE,
        password_hash: &hash.0,
    };
    let result: Result<i64, sqlx::Error> = async {
        let mut tx = db.begin().await?;
        let id = repo::insert(&mut tx, &new, now).await?;
        audit::record(
            &mut tx,
            now,
            AuditEntry::new(Actor::System, "user.create", "user", Some(id)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    match result {
        Ok(id) => {
            println!("added {email} ({}) as user {id}", role.as_str());
            Ok(())
        }
        Err(e) if super::db::is_unique_violation(&e) => {
            Err(format!("{email} already has an account"))
        }
        Err(e) => Err(format!("could not add the user: {e}")),
    }
}

/// Why a deactivation from the command line cannot go ahead, or a database failure.
enum DeactivateError {
    Refused(String),
    Db(sqlx::Error),
}

impl From<sqlx::Error> for DeactivateError {
    fn from(e: sqlx::Error) -> Self {
        DeactivateError::Db(e)
    }
}

async fn deactivate_user(
    db: &Db,
    now: chrono::DateTime<chrono::Utc>,
    email: &str,
    successor: Option<&str>,
) -> Result<(), String> {
    let email = normalise_email(email);
    let result: Result<(), DeactivateError> = async {
        let Some(user) = repo::find_by_email(db, &email).await?.filter(|u| u.active) else {
            return Err(DeactivateError::Refused(format!("no active user {email}")));
        };
        let mut tx = db.begin().await?;
        let owned = ownership::count_owned(&mut tx, user.id).await?;
        if !owned.is_empty() {
            let Some(successor) = successor.map(normalise_email) else {
                let what: Vec<String> = owned
                    .iter()
                    .map(|(o, n)| format!("{n} {}", crate::core::i18n::t(Lang::En, o.i18n_key)))
                    .collect();
                return Err(DeactivateError::Refused(format!(
                    "{email} is responsible for {}; pass --successor EMAIL to hand them over",
                    what.join(", ")
                )));
            };
            let heir = repo::find_by_email(db, &successor)
                .await?
                .filter(|h| h.active && h.id != user.id);
            let Some(heir) = heir else {
                return Err(DeactivateError::Refused(format!(
                    "the successor {successor} must be another active user"
                )));
            };
            ownership::reassign_all(&mut tx, Actor::System, user.id, heir.id, now).await?;
        }
        repo::deactivate_by_email(&mut tx, &email, now).await?;
        let entry = AuditEntry::new(Actor::System, "user.deactivate", "user", Some(user.id));
        audit::record(&mut tx, now, entry).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            println!("{email} deactivated; their sessions end with their next request");
            Ok(())
        }
        Err(DeactivateError::Refused(why)) => Err(why),
        Err(DeactivateError::Db(e)) => Err(format!("could not deactivate {email}: {e}")),
    }
}
