//! Sending surveys: a wave mints one link per contact in the audience and queues its mail
//! in the contact's language through the outbox; an hourly job reminds those who have not
//! answered (each reminder with a link of its own, at most the survey's number of times);
//! a daily job starts the next wave of a recurring survey.
use super::model::{Audience, AudienceForm, SurveyPurpose, SurveyStatus};
use super::repo::{self, NewInvitation, Recipient};
use super::service::{found, may_build};
use crate::auth::backend::StaffUser;
use crate::core::error::AppError;
use crate::core::i18n::{self, Lang};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::db::Tx;
use crate::server::errors::db;
use crate::server::mail::{self, Outgoing};
use crate::server::state::AppState;
use crate::server::tokens;
use chrono::{DateTime, Duration, Months, Utc};
use serde::{Deserialize, Serialize};

/// What starting a wave did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaveSent {
    pub number: i64,
    pub invited: i64,
    /// Contacts left out because another survey reached them within the cap.
    pub capped: i64,
}

/// The public address of a link with token `text`.
pub fn link_url(state: &AppState, text: &str) -> String {
    let base = state.config.public_url.as_str().trim_end_matches('/');
    format!("{base}/s/{text}")
}

/// Which mail of a link: the first, reminder `n`, or the follow-up after a complaint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MailKind {
    First,
    Reminder(i64),
    FollowUp,
}

impl MailKind {
    fn keys(self) -> (&'static str, &'static str) {
        match self {
            MailKind::First => ("mail.survey.subject", "mail.survey.body"),
            MailKind::Reminder(_) => ("mail.survey_reminder.subject", "mail.survey_reminder.body"),
            MailKind::FollowUp => (
                "mail.survey_follow_up.subject",
                "mail.survey_follow_up.body",
            ),
        }
    }

    fn purpose(self, invitation: i64) -> String {
        match self {
            MailKind::First | MailKind::FollowUp => repo::invite_purpose(invitation),
            MailKind::Reminder(n) => repo::reminder_purpose(invitation, n),
        }
    }
}

/// A survey mail: its subject and body in `lang`.
fn mail_text(
    state: &AppState,
    lang: Lang,
    name: &str,
    title: &str,
    token: &str,
    kind: MailKind,
) -> (String, String) {
    let link = link_url(state, token);
    let unsubscribe = format!("{link}/unsubscribe");
    let (subject_key, body_key) = kind.keys();
    let args = [
        ("name", name),
        ("title", title),
        ("link", link.as_str()),
        ("unsubscribe", unsubscribe.as_str()),
    ];
    (
        i18n::t_with(lang, subject_key, &args),
        i18n::t_with(lang, body_key, &args),
    )
}

fn title_for(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

/// A new link for `invitation` and its mail of `kind`.
#[allow(clippy::too_many_arguments)]
async fn mail_link(
    tx: &mut Tx,
    state: &AppState,
    invitation: i64,
    kind: MailKind,
    to: (&str, &str),
    lang: Lang,
    titles: (&str, &str),
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let (text, hash) = tokens::mint();
    repo::add_token(tx, invitation, &hash, now).await?;
    let (email, name) = to;
    let title = title_for(lang, titles.0, titles.1);
    let (subject, body) = mail_text(state, lang, name, &title, &text, kind);
    let purpose = kind.purpose(invitation);
    mail::queue(
        tx,
        &Outgoing {
            purpose: &purpose,
            to_address: email,
            to_name: Some(name),
            language: lang.code(),
            subject: &subject,
            body: &body,
        },
        now,
    )
    .await
    .map(|_| ())
}

/// Starts the next wave of an open survey to `form`'s audience, by `me`.
pub async fn send_wave(
    state: &AppState,
    me: &StaffUser,
    survey: i64,
    form: &AudienceForm,
    ip: Option<String>,
) -> Result<WaveSent, AppError> {
    if !may_build(me) {
        return Err(AppError::Forbidden);
    }
    let audience = form.validate().map_err(AppError::Invalid)?;
    let sent = start_wave(state, survey, &audience, Some(me.0.id)).await?;
    let mut tx = state.db.begin().await.map_err(db)?;
    let entry = AuditEntry::new(Actor::Staff(me.0.id), "survey.send", "survey", Some(survey))
        .after(&serde_json::json!({ "wave": sent.number, "invited": sent.invited, "capped": sent.capped }))
        .ip(ip);
    audit::record(&mut tx, state.clock.now(), entry)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(sent)
}

/// Starts a wave: one link per reachable contact of the audience, each mailed in the
/// contact's language, all in one transaction (a failure sends nothing).
async fn start_wave(
    state: &AppState,
    survey: i64,
    audience: &Audience,
    by: Option<i64>,
) -> Result<WaveSent, AppError> {
    let s = found(state, survey).await?;
    if s.status != SurveyStatus::Open.as_str() {
        return Err(AppError::conflict("survey.send_needs_open"));
    }
    if s.purpose != SurveyPurpose::Regular.as_str() {
        return Err(AppError::conflict("survey.follow_up_not_sent"));
    }
    let now = state.clock.now();
    let not_since = now - Duration::days(state.config.survey_min_gap_days.max(0));
    let (recipients, capped) = repo::recipients(&state.db, survey, audience, not_since)
        .await
        .map_err(db)?;
    if recipients.is_empty() {
        return Err(AppError::conflict("survey.audience_empty"));
    }
    let audience_json = serde_json::to_string(audience).unwrap_or_else(|_| "{}".to_string());
    let expires_at = now + Duration::days(s.link_days);
    let mut tx = state.db.begin().await.map_err(db)?;
    let (wave, number) = repo::insert_wave(&mut tx, survey, &audience_json, by, now)
        .await
        .map_err(db)?;
    let mut invited = 0;
    for r in &recipients {
        if invite(
            &mut tx,
            state,
            survey,
            wave,
            r,
            expires_at,
            (&s.title_zh, &s.title_en),
            now,
        )
        .await
        .map_err(db)?
        {
            invited += 1;
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(WaveSent {
        number,
        invited,
        capped,
    })
}

#[allow(clippy::too_many_arguments)]
async fn invite(
    tx: &mut Tx,
    state: &AppState,
    survey: i64,
    wave: i64,
    r: &Recipient,
    expires_at: DateTime<Utc>,
    titles: (&str, &str),
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let lang = Lang::parse(&r.language).unwrap_or_default();
    let new = NewInvitation {
        survey,
        wave: Some(wave),
        client: r.client_id,
        contact: r.contact_id,
        complaint: None,
        language: lang.code(),
        expires_at,
    };
    let Some(id) = repo::insert_invitation(tx, &new, now).await? else {
        return Ok(false);
    };
    mail_link(
        tx,
        state,
        id,
        MailKind::First,
        (&r.email, &r.name),
        lang,
        titles,
        now,
    )
    .await?;
    Ok(true)
}

/// The follow-up's link and mail to `to` (address, name) for `invitation`.
pub async fn mail_follow_up(
    tx: &mut Tx,
    state: &AppState,
    invitation: i64,
    to: (&str, &str),
    lang: Lang,
    titles: (&str, &str),
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    mail_link(
        tx,
        state,
        invitation,
        MailKind::FollowUp,
        to,
        lang,
        titles,
        now,
    )
    .await
}

/// Whether a link last mailed at `last_sent` is due its next reminder at `now`.
pub fn reminder_due(last_sent: DateTime<Utc>, every_days: i64, now: DateTime<Utc>) -> bool {
    every_days > 0 && last_sent + Duration::days(every_days) <= now
}

/// The reminder job: mails each due link once more; returns how many were sent.
pub async fn send_reminders(state: &AppState) -> Result<usize, sqlx::Error> {
    let now = state.clock.now();
    let candidates = repo::reminder_candidates(&state.db, now, 2_000).await?;
    let mut sent = 0;
    for c in candidates
        .iter()
        .filter(|c| reminder_due(c.last_sent_at, c.reminder_days, now))
    {
        let mut tx = state.db.begin().await?;
        if !repo::count_reminder(&mut tx, c.id, c.reminders, now).await? {
            continue;
        }
        let lang = Lang::parse(&c.language).unwrap_or_default();
        let to = (c.email.as_str(), c.name.as_str());
        let titles = (c.title_zh.as_str(), c.title_en.as_str());
        mail_link(
            &mut tx,
            state,
            c.id,
            MailKind::Reminder(c.reminders + 1),
            to,
            lang,
            titles,
            now,
        )
        .await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// Whether a recurring survey whose last wave started at `last` is due its next at `now`.
pub fn next_wave_due(last: DateTime<Utc>, every_months: i64, now: DateTime<Utc>) -> bool {
    u32::try_from(every_months)
        .ok()
        .and_then(|m| last.checked_add_months(Months::new(m)))
        .is_some_and(|next| next <= now)
}

/// The recurring-survey job: starts each due survey's next wave to the audience of its
/// last one, as the system. Returns how many waves started.
pub async fn start_due_waves(state: &AppState) -> Result<usize, sqlx::Error> {
    let now = state.clock.now();
    let mut started = 0;
    for r in repo::recurring(&state.db).await? {
        if !next_wave_due(r.started_at, r.recur_months, now) {
            continue;
        }
        let Ok(audience) = serde_json::from_str::<Audience>(&r.audience) else {
            tracing::warn!(
                survey = r.id,
                "a recurring survey's audience could not be read"
            );
            continue;
        };
        match start_wave(state, r.id, &audience, None).await {
            Ok(sent) => {
                started += 1;
                let mut tx = state.db.begin().await?;
                let entry = AuditEntry::new(Actor::System, "survey.send", "survey", Some(r.id))
                    .after(&serde_json::json!({ "wave": sent.number, "invited": sent.invited, "capped": sent.capped, "recurring": true }));
                audit::record(&mut tx, now, entry).await?;
                tx.commit().await?;
            }
            // Nobody reachable this time (all capped or gone): the next run tries again.
            Err(error) => tracing::info!(survey = r.id, ?error, "no recurring wave started"),
        }
    }
    Ok(started)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 9, 0, 0)
            .single()
            .expect("a valid date")
    }

    #[test]
    fn reminders_wait_their_days() {
        assert!(!reminder_due(at(2026, 3, 1), 7, at(2026, 3, 7)));
        assert!(reminder_due(at(2026, 3, 1), 7, at(2026, 3, 8)));
        assert!(!reminder_due(at(2026, 3, 1), 0, at(2027, 1, 1)));
    }

    #[test]
    fn a_quarterly_survey_is_due_three_months_on() {
        assert!(!next_wave_due(at(2026, 1, 31), 3, at(2026, 4, 29)));
        assert!(next_wave_due(at(2026, 1, 31), 3, at(2026, 4, 30)));
        assert!(!next_wave_due(at(2026, 1, 1), -1, at(2030, 1, 1)));
    }
}
