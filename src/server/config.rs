//! Configuration from flags and the environment. Nothing else in the program reads the
//! environment, so what the server does is decided here and documented in the README.
use clap::{Args, ValueEnum};
use std::net::{IpAddr, SocketAddr};
use url::Url;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SqliteSync {
    Normal,
    Full,
}

#[derive(Args, Clone, Debug)]
pub struct Config {
    /// `sqlite://path/to/file.db` (default) or `postgres://user@host/db`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/covenant.db"
    )]
    pub database_url: String,

    /// Address the HTTP server listens on.
    #[arg(long, env = "COVENANT_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,

    /// The address users reach the app at. E-mailed links and the same-origin check use it,
    /// never the Host header.
    #[arg(long, env = "PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
    pub public_url: Url,

    /// Comma-separated proxy addresses whose X-Forwarded-For is believed, or `none`.
    /// Unset means none, and production requires it to be set explicitly.
    #[arg(long, env = "TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,

    /// Log filter, e.g. `info` or `covenant=debug,tower_http=info`.
    #[arg(long, env = "COVENANT_LOG", default_value = "info")]
    pub log: String,

    /// `production` refuses unsafe settings at start-up.
    #[arg(long, env = "COVENANT_ENV", value_enum, default_value = "development")]
    pub env: Environment,

    /// SQLite durability: `normal` (default, safe with WAL) or `full`.
    #[arg(long, env = "SQLITE_SYNCHRONOUS", value_enum, default_value = "normal")]
    pub sqlite_synchronous: SqliteSync,

    /// How often (ms) the server checkpoints SQLite's write-ahead log in the background;
    /// 0 (default) leaves it to the writer's own checkpoint every 1,000 pages. Background
    /// checkpoints took survey submissions from 563 to 714 a second but a deal move's p99
    /// from 25 to about 40 ms, so they are for write bursts, not the default.
    #[arg(long, env = "SQLITE_CHECKPOINT_MS", default_value_t = 0)]
    pub sqlite_checkpoint_ms: u64,

    /// Minutes without a request after which a sign-in session ends.
    #[arg(long, env = "SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: i64,

    /// Wrong passwords in a row that lock an account.
    #[arg(long, env = "LOGIN_LOCKOUT_ATTEMPTS", default_value_t = 5)]
    pub lockout_attempts: i64,

    /// Minutes an account stays locked.
    #[arg(long, env = "LOGIN_LOCKOUT_MINUTES", default_value_t = 15)]
    pub lockout_minutes: i64,

    /// Sign-in attempts one client address may make per minute (per app server).
    #[arg(long, env = "LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", default_value_t = 20)]
    pub login_attempts_per_ip_per_minute: u32,

    /// SMTP server for e-mail, `smtp://user:pass@host:port` (required in production).
    #[arg(long, env = "SMTP_URL")]
    pub smtp_url: Option<String>,

    /// Without `SMTP_URL`, e-mail is written here as one MIME file (`.eml`) per message.
    #[arg(long, env = "MAIL_DIR", default_value = "data/mail")]
    pub mail_dir: String,

    /// The sender of every e-mail, e.g. `Covenant <no-reply@example.com>`.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Covenant <no-reply@covenant.example>"
    )]
    pub mail_from: String,

    /// The largest document staff may upload, in MiB.
    #[arg(long, env = "UPLOAD_LIMIT_MB", default_value_t = 50)]
    pub upload_limit_mb: u64,

    /// Days after a survey is sent to a contact before any other survey may be (the cap on
    /// how often one contact is asked).
    #[arg(long, env = "SURVEY_MIN_GAP_DAYS", default_value_t = 30)]
    pub survey_min_gap_days: i64,

    /// Survey answer requests one client address may make per minute (per app server).
    #[arg(long, env = "SURVEY_REQUESTS_PER_IP_PER_MINUTE", default_value_t = 30)]
    pub survey_requests_per_ip_per_minute: u32,

    /// Run the background job worker in this process.
    #[arg(long, env = "COVENANT_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    pub worker: bool,
}

/// Parses configuration from flags alone (the environment still fills in unset ones).
#[derive(clap::Parser)]
struct FlagsOnly {
    #[command(flatten)]
    config: Config,
}

impl Config {
    /// Builds a configuration from command-line style flags, e.g. for tests and tools.
    pub fn from_flags(flags: &[&str]) -> Result<Config, String> {
        use clap::Parser;
        let args = std::iter::once("covenant").chain(flags.iter().copied());
        FlagsOnly::try_parse_from(args)
            .map(|f| f.config)
            .map_err(|e| e.to_string())
    }

    /// The proxies whose forwarded client address is trusted.
    pub fn trusted_proxy_list(&self) -> Result<Vec<IpAddr>, String> {
        match self.trusted_proxies.as_deref().map(str::trim) {
            None | Some("") | Some("none") => Ok(Vec::new()),
            Some(list) => list
                .split(',')
                .map(|ip| {
                    ip.trim().parse().map_err(|_| {
                        format!("TRUSTED_PROXIES: '{}' is not an IP address", ip.trim())
                    })
                })
                .collect(),
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The origin (`scheme://host[:port]`) of `PUBLIC_URL`, as browsers send it.
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }

    pub fn cookies_secure(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// Every reason the settings are unsafe for `COVENANT_ENV`; empty when they are fine.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Err(e) = self.trusted_proxy_list() {
            problems.push(e);
        }
        if !(self.database_url.starts_with("sqlite:") || self.database_url.starts_with("postgres"))
        {
            problems.push("DATABASE_URL must start with sqlite:// or postgres://".into());
        }
        if self.session_idle_minutes < 1 || self.lockout_attempts < 1 || self.lockout_minutes < 1 {
            problems.push("session and lockout settings must be at least 1".into());
        }
        if self.env == Environment::Production {
            if self.public_url.scheme() != "https" {
                problems.push("PUBLIC_URL must be https:// in production".into());
            }
            if self.smtp_url.as_deref().unwrap_or("").is_empty() {
                problems.push("SMTP_URL must be set in production".into());
            }
            if self.trusted_proxies.is_none() {
                problems.push(
                    "TRUSTED_PROXIES must be set in production (a list of addresses, or `none`)"
                        .into(),
                );
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Config {
        Config::from_flags(args).expect("valid flags")
    }

    #[test]
    fn development_defaults_are_accepted() {
        assert!(parse(&[]).problems().is_empty());
    }

    #[test]
    fn production_refuses_unsafe_settings_and_says_why() {
        let problems = parse(&["--env", "production"]).problems();
        let text = problems.join("\n");
        assert!(text.contains("PUBLIC_URL"), "{text}");
        assert!(text.contains("SMTP_URL"), "{text}");
        assert!(text.contains("TRUSTED_PROXIES"), "{text}");
    }

    #[test]
    fn production_accepts_safe_settings() {
        let config = parse(&[
            "--env",
            "production",
            "--public-url",
            "https://crm.example.com",
            "--smtp-url",
            "smtp://mail.example.com:587",
            "--trusted-proxies",
            "10.0.0.1, 10.0.0.2",
        ]);
        assert!(config.problems().is_empty(), "{:?}", config.problems());
        assert_eq!(config.trusted_proxy_list().map(|l| l.len()), Ok(2));
        assert_eq!(config.public_origin(), "https://crm.example.com");
    }

    #[test]
    fn a_bad_proxy_address_is_named() {
        let config = parse(&["--trusted-proxies", "10.0.0.1,proxy.local"]);
        assert!(config.problems().join(" ").contains("proxy.local"));
    }
}
