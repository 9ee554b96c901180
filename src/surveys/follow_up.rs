//! Closing the loop: when a complaint that a survey answer opened is resolved, the same
//! contact gets one short follow-up survey, and its answer records on the complaint whether
//! the customer recovered (a promoter or passive score) or not. The follow-up survey is
//! one survey of the firm's, created with words from the catalogue on first use; staff may
//! reword it like any other.
use super::model::{QuestionKind, ValidQuestion, ValidSurvey};
use super::repo::{self, NewInvitation};
use crate::core::i18n::{self, Lang};
use crate::server::db::Tx;
use crate::server::state::AppState;
use chrono::{DateTime, Duration, Utc};

/// Days a follow-up link stays valid.
const FOLLOW_UP_DAYS: i64 = 30;

/// The follow-up survey's id, created (open, one NPS and one comment question) if the firm
/// has none yet.
async fn follow_up_survey(
    tx: &mut Tx,
    now: DateTime<Utc>,
) -> Result<(i64, String, String), sqlx::Error> {
    if let Some(found) = repo::follow_up_survey(tx).await? {
        return Ok(found);
    }
    let t = |key: &str| (i18n::t(Lang::Zh, key), i18n::t(Lang::En, key));
    let (title_zh, title_en) = t("survey.follow_up.title");
    let (intro_zh, intro_en) = t("survey.follow_up.intro");
    let survey = ValidSurvey {
        title_zh,
        title_en,
        intro_zh,
        intro_en,
        link_days: FOLLOW_UP_DAYS,
        reminder_days: 0,
        max_reminders: 0,
        recur_months: None,
    };
    let Some(id) = repo::insert_follow_up_survey(tx, &survey, now).await? else {
        // Another server created it a moment ago.
        return repo::follow_up_survey(tx)
            .await?
            .ok_or(sqlx::Error::RowNotFound);
    };
    let (nps_zh, nps_en) = t("survey.follow_up.nps");
    let (comment_zh, comment_en) = t("survey.follow_up.comment");
    for (kind, prompt_zh, prompt_en, required) in [
        (QuestionKind::Nps, nps_zh, nps_en, true),
        (QuestionKind::Text, comment_zh, comment_en, false),
    ] {
        let q = ValidQuestion {
            kind,
            prompt_zh,
            prompt_en,
            choices_zh: Vec::new(),
            choices_en: Vec::new(),
            required,
        };
        repo::insert_question(tx, id, &q, None, None).await?;
    }
    repo::follow_up_survey(tx)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// Sends complaint `complaint`'s follow-up, in the transaction that resolves it, if a survey
/// answer opened it, its contact can be mailed and has not unsubscribed, and it has had no
/// follow-up yet. The cap on how often a contact is surveyed does not hold it back: the
/// customer is waiting to hear how it ended. True if one was sent.
pub async fn send_after_resolution(
    tx: &mut Tx,
    state: &AppState,
    complaint: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let Some(to) = repo::follow_up_recipient(tx, complaint).await? else {
        return Ok(false);
    };
    let (survey, title_zh, title_en) = follow_up_survey(tx, now).await?;
    let lang = Lang::parse(&to.language).unwrap_or_default();
    let new = NewInvitation {
        survey,
        wave: None,
        client: to.client_id,
        contact: to.contact_id,
        complaint: Some(complaint),
        language: lang.code(),
        expires_at: now + Duration::days(FOLLOW_UP_DAYS),
    };
    let Some(invitation) = repo::insert_invitation(tx, &new, now).await? else {
        return Ok(false);
    };
    super::sending::mail_follow_up(
        tx,
        state,
        invitation,
        (&to.email, &to.name),
        lang,
        (&title_zh, &title_en),
        now,
    )
    .await?;
    Ok(true)
}
