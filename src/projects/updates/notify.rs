//! E-mail to a project's investors when an update is published: publishing queues one
//! job (unique per update) in its transaction; the job queues one outbox message per
//! investor who wants them, unique on (`portal.update:<id>`, address). A job run again
//! after a restart, or by a second server, queues nothing twice, so nobody is mailed
//! twice about one update.
use super::model::UpdateKind;
use super::repo::{self, Subscriber};
use crate::core::i18n::{self, Lang};
use crate::server::db::Tx;
use crate::server::jobs;
use crate::server::mail::{self, Outgoing};
use crate::server::state::AppState;
use chrono::{DateTime, Utc};

/// Readers queued per transaction.
const BATCH: i64 = 200;

/// Queues the announcement of update `id` (in the publishing transaction).
pub async fn enqueue(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let key = format!("update_notify:{id}");
    jobs::enqueue(
        tx,
        jobs::kind::UPDATE_NOTIFY,
        &serde_json::json!({ "update": id }),
        Some(&key),
        now,
        now,
    )
    .await
    .map(|_| ())
}

/// The job's effect: one e-mail per subscribed reader of the update's project, in each
/// reader's language, queued in batches.
pub async fn run(state: &AppState, payload: &str) -> Result<(), String> {
    let id = serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|p| p["update"].as_i64())
        .ok_or("an update notification without an update id")?;
    let err = |e: sqlx::Error| e.to_string();
    let Some(update) = repo::find(&state.db, id).await.map_err(err)? else {
        return Ok(());
    };
    if update.status != "published" || update.project_archived {
        return Ok(());
    }
    let purpose = format!("portal.update:{id}");
    let mut after = 0;
    loop {
        let readers = repo::subscribers(&state.db, update.project_id, after, BATCH)
            .await
            .map_err(err)?;
        let Some(last) = readers.last() else {
            return Ok(());
        };
        after = last.id;
        let now = state.clock.now();
        let mut tx = state.db.begin().await.map_err(err)?;
        for reader in &readers {
            let (subject, body) = message(state, &update, reader);
            let outgoing = Outgoing {
                purpose: &purpose,
                to_address: &reader.email,
                to_name: Some(&reader.name),
                language: Lang::parse(&reader.locale).unwrap_or_default().code(),
                subject: &subject,
                body: &body,
            };
            mail::queue(&mut tx, &outgoing, now).await.map_err(err)?;
        }
        tx.commit().await.map_err(err)?;
    }
}

/// The subject and text of one reader's e-mail.
fn message(state: &AppState, update: &repo::UpdateRecord, reader: &Subscriber) -> (String, String) {
    let lang = Lang::parse(&reader.locale).unwrap_or_default();
    let base = state.config.public_url.as_str().trim_end_matches('/');
    let link = format!("{base}/portal/updates/{}", update.id);
    let kind = UpdateKind::parse(&update.kind)
        .map(|k| i18n::t(lang, &k.i18n_key()))
        .unwrap_or_default();
    let values = [
        ("name", reader.name.as_str()),
        ("project", update.project_name.as_str()),
        ("title", update.title.as_str()),
        ("kind", kind.as_str()),
        ("link", link.as_str()),
    ];
    let key = if update.requires_ack {
        "mail.portal_update.body_ack"
    } else {
        "mail.portal_update.body"
    };
    (
        i18n::t_with(lang, "mail.portal_update.subject", &values),
        i18n::t_with(lang, key, &values),
    )
}
