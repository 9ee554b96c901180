//! The escalation job: complaints opened before targets existed get their due times, and
//! every open complaint that missed a target is escalated once: marked, its assignee's
//! manager and the CRM officers e-mailed in their languages, the escalation audited.
//! Any number of workers may run it; the escalation row decides who does each one.
use super::repo::{self, MissedTarget};
use super::targets::due_times;
use crate::core::i18n::{self, Lang};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::mail::{self, Outgoing};
use crate::server::state::AppState;

/// How many complaints one run handles; the next run (minutes later) takes the rest.
const BATCH: i64 = 200;

/// Returns how many targets it escalated.
pub async fn run(state: &AppState) -> Result<usize, sqlx::Error> {
    backfill_due_times(state).await?;
    let now = state.clock.now();
    let mut escalated = 0;
    for missed in repo::missed_targets(&state.db, now, BATCH).await? {
        if escalate(state, &missed).await? {
            escalated += 1;
        }
    }
    Ok(escalated)
}

async fn backfill_due_times(state: &AppState) -> Result<(), sqlx::Error> {
    let targets = repo::targets(&state.db).await?;
    let waiting = repo::without_due_times(&state.db, BATCH).await?;
    if waiting.is_empty() {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    for (id, opened, severity) in waiting {
        if let Some((_, target)) = targets.iter().find(|(s, _)| *s == severity) {
            let (first, resolution) = due_times(opened, *target);
            repo::set_due_times(&mut tx, id, first, resolution).await?;
        }
    }
    tx.commit().await
}

/// Escalates one missed target in one transaction; false if another worker got there first.
async fn escalate(state: &AppState, missed: &MissedTarget) -> Result<bool, sqlx::Error> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !repo::claim_escalation(&mut tx, missed, now).await? {
        return Ok(false);
    }
    let recipients = repo::escalation_recipients(&mut tx, missed.assignee_id).await?;
    let base = state.config.public_url.as_str().trim_end_matches('/');
    let link = format!("{base}/complaints/{}", missed.id);
    for to in &recipients {
        let lang = Lang::parse(&to.locale).unwrap_or_default();
        let target = i18n::t(lang, &format!("complaint.escalation.{}", missed.target));
        let id = missed.id.to_string();
        let values = [
            ("name", to.name.as_str()),
            ("id", id.as_str()),
            ("target", target.as_str()),
            ("link", link.as_str()),
        ];
        let purpose = format!(
            "complaint.escalation:{}:{}:{}",
            missed.id, missed.target, to.id
        );
        mail::queue(
            &mut tx,
            &Outgoing {
                purpose: &purpose,
                to_address: &to.email,
                to_name: Some(&to.name),
                language: lang.code(),
                subject: &i18n::t_with(lang, "mail.complaint_escalation.subject", &values),
                body: &i18n::t_with(lang, "mail.complaint_escalation.body", &values),
            },
            now,
        )
        .await?;
    }
    repo::set_notified(&mut tx, missed, recipients.len() as i64).await?;
    let told: Vec<i64> = recipients.iter().map(|r| r.id).collect();
    let entry = AuditEntry::new(
        Actor::System,
        "complaint.escalate",
        "complaint",
        Some(missed.id),
    )
    .after(&serde_json::json!({ "target": missed.target, "due_at": missed.due_at, "told": told }));
    audit::record(&mut tx, now, entry).await?;
    tx.commit().await?;
    // The client's decline signal counts overdue complaints.
    if let Some(client) = missed.client_id {
        crate::pipeline::lifecycle::warning::refresh_quietly(&state.db, now, client).await;
    }
    Ok(true)
}
