//! E-mail through the outbox. A message is queued in the transaction of the change that
//! causes it (an invitation, a notification), unique on its purpose and recipient, together
//! with a job that sends it; so a retried request queues one message, and a job that runs
//! twice (jobs run at least once) finds it sent and sends nothing. The job sends through SMTP
//! when `SMTP_URL` is set, and otherwise writes each message as a MIME file (`.eml`) into
//! `MAIL_DIR`, where a developer or a browser test opens what a user would receive.
use super::db::Tx;
use super::jobs;
use super::state::AppState;
use crate::{with_db, with_tx};
use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sqlx::FromRow;

/// A message to queue: its body is already in the recipient's language.
pub struct Outgoing<'a> {
    /// What the message is for, e.g. `portal.invitation:42`; with the recipient, its key.
    pub purpose: &'a str,
    pub to_address: &'a str,
    pub to_name: Option<&'a str>,
    /// `zh` or `en`, as the message was written.
    pub language: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// Where queued messages go, and who they come from.
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

impl Mailer {
    /// Messages from `from`, through SMTP at `smtp_url` (`smtp://` with STARTTLS, `smtps://`
    /// with TLS, credentials in the URL), else as files in `dir`, which is created if
    /// missing. A bad setting stops the server at start-up, not at the first message.
    pub fn new(from: &str, smtp_url: Option<&str>, dir: &str) -> Result<Mailer, String> {
        let from = from
            .parse()
            .map_err(|e| format!("MAIL_FROM is not an address: {e}"))?;
        let transport = match smtp_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|builder| Transport::Smtp(builder.build()))
                .map_err(|e| format!("SMTP_URL is not usable: {e}"))?,
            None => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create the mail directory {dir}: {e}"))?;
                Transport::Files(AsyncFileTransport::<Tokio1Executor>::new(dir))
            }
        };
        Ok(Mailer { from, transport })
    }

    async fn send(&self, message: Message) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Transport::Files(files) => files
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    }
}

/// Queues a message and the job that sends it; false if this purpose already queued one for
/// this recipient.
pub async fn queue(
    tx: &mut Tx,
    message: &Outgoing<'_>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let id: Option<i64> = with_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO outbox (purpose, recipient, recipient_name, language, subject, body_text, created_at, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0)
         ON CONFLICT (purpose, recipient) DO NOTHING RETURNING id",
    )
    .bind(message.purpose)
    .bind(message.to_address.trim())
    .bind(message.to_name)
    .bind(message.language)
    .bind(message.subject)
    .bind(message.body)
    .bind(now)
    .fetch_optional(c)
    .await)?;
    let Some(id) = id else {
        return Ok(false);
    };
    let key = format!("mail:{id}");
    jobs::enqueue(
        tx,
        jobs::kind::MAIL_SEND,
        &serde_json::json!({ "outbox": id }),
        Some(&key),
        now,
        now,
    )
    .await?;
    Ok(true)
}

#[derive(FromRow)]
struct Queued {
    recipient: String,
    recipient_name: Option<String>,
    subject: String,
    body_text: String,
    sent_at: Option<DateTime<Utc>>,
}

/// The job's effect: sends outbox message `id` unless it went out already.
pub async fn send_queued(state: &AppState, payload: &str) -> Result<(), String> {
    let id = serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|p| p["outbox"].as_i64())
        .ok_or("a mail job without an outbox id")?;
    let db = &state.db;
    let queued = with_db!(db, c => sqlx::query_as::<_, Queued>(
        "SELECT recipient, recipient_name, subject, body_text, sent_at FROM outbox WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(c)
    .await)
    .map_err(|e| e.to_string())?
    .ok_or_else(|| format!("outbox message {id} is gone"))?;
    if queued.sent_at.is_some() {
        return Ok(());
    }
    let result = match message_of(state.mailer.from.clone(), &queued) {
        Ok(message) => state.mailer.send(message).await,
        Err(e) => Err(e),
    };
    record_attempt(state, id, result.as_ref().err()).await?;
    result
}

fn message_of(from: Mailbox, queued: &Queued) -> Result<Message, String> {
    let to = Mailbox::new(
        queued.recipient_name.clone(),
        queued
            .recipient
            .parse()
            .map_err(|e| format!("recipient address: {e}"))?,
    );
    Message::builder()
        .from(from)
        .to(to)
        .subject(queued.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(queued.body_text.clone())
        .map_err(|e| e.to_string())
}

/// Marks a message sent (clearing its body) or records why it was not.
async fn record_attempt(state: &AppState, id: i64, error: Option<&String>) -> Result<(), String> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(|e| e.to_string())?;
    let done = match error {
        None => with_tx!(&mut tx, c => sqlx::query(
            "UPDATE outbox SET sent_at = $1, body_text = '', attempts = attempts + 1, last_error = NULL
             WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ())),
        Some(error) => with_tx!(&mut tx, c => sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2",
        )
        .bind(error)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ())),
    };
    done.map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_sender_or_smtp_address_stops_start_up_with_its_name() {
        let dir = tempfile::tempdir().expect("directory");
        let dir = dir.path().to_string_lossy().to_string();
        let error = |from: &str, smtp: Option<&str>| {
            Mailer::new(from, smtp, &dir)
                .err()
                .unwrap_or_else(|| "accepted".into())
        };
        assert!(error("Covenant", None).contains("MAIL_FROM"));
        assert!(
            error("Covenant <no-reply@example.com>", Some("mail.example.com")).contains("SMTP_URL")
        );
        assert!(Mailer::new("Covenant <no-reply@example.com>", None, &dir).is_ok());
    }
}
