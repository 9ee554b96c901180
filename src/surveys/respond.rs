//! Answering a survey from a link (`/s/{token}`): no account, any device, no JavaScript
//! needed. A link that cannot be answered (unknown, expired, used, closed) says so and
//! records nothing; a response is recorded once per link however often it is submitted,
//! with the client's segment and stage as they are at that moment. A response with a poor
//! score opens one complaint, assigned to the client's owner.
use super::batch::Submission;
use super::model::{
    Answer, AnswerPage, LinkState, QuestionKind, RespondentQuestion, SurveyStatus, check_answers,
    has_poor_answer, lines,
};
use super::repo::{self, LinkRecord, NewResponse, QuestionRecord};
use crate::core::error::{AppError, FieldError};
use crate::core::i18n::{self, Lang};
use crate::feedback::complaints::repo::{NewComplaint, NewEvent};
use crate::feedback::complaints::service::{due_times_for, open_complaint_due};
use crate::server::db::Db;
use crate::server::errors::db;
use crate::server::state::AppState;
use crate::server::tokens;
use chrono::{DateTime, Utc};

/// A link's record with its survey's current questions, and what the link is now; `None`
/// for a token no link has.
async fn find_link(
    state: &AppState,
    token: &str,
) -> Result<(Option<(LinkRecord, Vec<QuestionRecord>)>, LinkState), AppError> {
    if !tokens::is_well_formed(token) {
        return Ok((None, LinkState::Unknown));
    }
    let Some(found) = repo::link(&state.db, &tokens::hash_of(token))
        .await
        .map_err(db)?
    else {
        return Ok((None, LinkState::Unknown));
    };
    let link_state = state_of(&found.0, state.clock.now());
    Ok((Some(found), link_state))
}

/// What a link is at `now`. A draft survey's link (only the open link can exist then)
/// reveals nothing.
pub fn state_of(link: &LinkRecord, now: DateTime<Utc>) -> LinkState {
    match SurveyStatus::parse(&link.status) {
        Some(SurveyStatus::Closed) => LinkState::Closed,
        Some(SurveyStatus::Open) => {
            if link.answered_at.is_some() {
                LinkState::Used
            } else if link.expires_at.is_some_and(|at| at <= now) {
                LinkState::Expired
            } else {
                LinkState::Open
            }
        }
        _ => LinkState::Unknown,
    }
}

/// The language of the answer page: the link's (the contact's), else the browser's.
pub fn language_of(link: Option<&LinkRecord>, browser: Lang) -> Lang {
    link.and_then(|l| l.language.as_deref())
        .and_then(Lang::parse)
        .unwrap_or(browser)
}

fn respondent_question(q: &QuestionRecord, lang: Lang) -> Option<RespondentQuestion> {
    let (prompt, choices) = match lang {
        Lang::Zh => (&q.prompt_zh, &q.choices_zh),
        Lang::En => (&q.prompt_en, &q.choices_en),
    };
    Some(RespondentQuestion {
        id: q.id,
        kind: QuestionKind::parse(&q.kind)?,
        prompt: prompt.clone(),
        choices: lines(choices),
        required: q.required,
    })
}

fn respondent_questions(questions: &[QuestionRecord], lang: Lang) -> Vec<RespondentQuestion> {
    questions
        .iter()
        .filter_map(|q| respondent_question(q, lang))
        .collect()
}

/// The answer page of `token` in its language.
pub async fn answer_page(
    state: &AppState,
    token: &str,
    browser: Lang,
) -> Result<(AnswerPage, Lang), AppError> {
    let (found, link_state) = find_link(state, token).await?;
    let link = found.as_ref().map(|(link, _)| link);
    let lang = language_of(link, browser);
    let mut page = AnswerPage {
        state: link_state,
        title: String::new(),
        intro: String::new(),
        questions: Vec::new(),
        identified: link.is_some_and(|l| l.invitation_id.is_some()),
    };
    let Some((link, questions)) = found.filter(|_| link_state == LinkState::Open) else {
        return Ok((page, lang));
    };
    let survey = super::service::found(state, link.survey_id).await?;
    (page.title, page.intro) = match lang {
        Lang::Zh => (survey.title_zh, survey.intro_zh),
        Lang::En => (survey.title_en, survey.intro_en),
    };
    page.questions = respondent_questions(&questions, lang);
    Ok((page, lang))
}

/// Survey `survey`'s answer page in `lang`, for the builder's preview.
pub async fn preview(state: &AppState, survey: i64, lang: Lang) -> Result<AnswerPage, AppError> {
    let s = super::service::found(state, survey).await?;
    let (title, intro) = match lang {
        Lang::Zh => (s.title_zh, s.intro_zh),
        Lang::En => (s.title_en, s.intro_en),
    };
    Ok(AnswerPage {
        state: LinkState::Open,
        title,
        intro,
        questions: respondent_questions(
            &repo::asked_questions(&state.db, survey).await.map_err(db)?,
            lang,
        ),
        identified: false,
    })
}

/// How a submission ended.
#[derive(Debug)]
pub enum Submitted {
    /// Recorded now, or already recorded for this link (a second submission).
    Thanks(Lang),
    /// The link cannot be answered (its page is in the link's language); nothing was
    /// recorded.
    Refused(LinkState, Lang),
    /// Answers to correct, with their messages.
    Invalid(Vec<FieldError>),
}

/// Records the answers `posted` to link `token`.
pub async fn submit(
    state: &AppState,
    token: &str,
    browser: Lang,
    posted: &[(String, String)],
) -> Result<Submitted, AppError> {
    let (found, link_state) = find_link(state, token).await?;
    let lang = language_of(found.as_ref().map(|(link, _)| link), browser);
    let Some((link, questions)) = found else {
        return Ok(Submitted::Refused(link_state, lang));
    };
    match link_state {
        LinkState::Open => {}
        // The same link posted twice (a double click, a retry): the first one counted.
        LinkState::Used => return Ok(Submitted::Thanks(lang)),
        other => return Ok(Submitted::Refused(other, lang)),
    }
    let questions = respondent_questions(&questions, lang);
    let answers = match check_answers(&questions, posted) {
        Ok(answers) => answers,
        Err(errors) => return Ok(Submitted::Invalid(errors)),
    };
    let now = state.clock.now();
    let complaint = match (link.complaint_id, has_poor_answer(&answers)) {
        (None, true) => Some(SurveyComplaint {
            client: link.client_id,
            contact: link.contact_id,
            severity: poor_severity(&answers),
            description: complaint_description(&questions, &answers, lang),
            assignee: link.owner_id,
        }),
        _ => None,
    };
    let refresh = refresh_for(&link, &answers);
    let submission = Submission {
        response: NewResponse {
            survey: link.survey_id,
            wave: link.wave_id,
            invitation: link.invitation_id,
            client: link.client_id,
            contact: link.contact_id,
            language: lang.code(),
        },
        answers,
        at: now,
        complaint,
        refresh,
    };
    match link.complaint_id {
        // Answers are written in batches (see `batch`); a follow-up answer, which records a
        // recovery, is rare and goes alone.
        None => {
            state.survey_writer.write(submission).await.map_err(db)?;
        }
        Some(complaint) => {
            write_one(&state.db, &submission, Some(complaint))
                .await
                .map_err(db)?;
            if let Some(client) = submission.refresh {
                let at = submission.at;
                crate::pipeline::lifecycle::warning::refresh_quietly(&state.db, at, client).await;
            }
        }
    }
    Ok(Submitted::Thanks(lang))
}

/// The client whose decline signal an answer may change. Only a score that could raise a
/// survey reason (a detractor, or a fall of two points or more: anything below 9) or clear
/// one needs the refresh; a promoter's answer to a client without one does not.
fn refresh_for(link: &LinkRecord, answers: &[Answer]) -> Option<i64> {
    let client = link.client_id?;
    let low = answers
        .iter()
        .any(|a| a.kind == QuestionKind::Nps && a.score.is_some_and(|s| s < 9));
    (low || link.survey_reason).then_some(client)
}

/// Writes one submission in a transaction of its own: a follow-up answer, or one of a
/// batch that failed. The response id, or `None` when its link had been answered already.
/// The caller refreshes the client's decline signal.
pub(super) async fn write_one(
    db: &Db,
    s: &Submission,
    follow_up_of: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    // Read before the transaction, so that SQLite's writer is held only for the writes.
    let due = match &s.complaint {
        Some(c) => due_times_for(db, c.severity, s.at).await?,
        None => None,
    };
    let mut tx = db.begin().await?;
    let Some(id) = repo::insert_response(&mut tx, &s.response, &s.answers, s.at).await? else {
        return Ok(None);
    };
    match follow_up_of {
        // A follow-up answer tells whether the customer recovered; a poor one is that
        // complaint's outcome, not a new complaint (which would ask again, and again).
        Some(complaint) => {
            if let Some(recovered) = first_recovery(&s.answers) {
                repo::record_recovery(&mut tx, complaint, recovered, id).await?;
            }
        }
        None => {
            if let Some(complaint) = &s.complaint {
                open_complaint_due(&mut tx, &complaint.row(id), &RAISED, due, s.at).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(Some(id))
}

/// The complaint a poor response opens: one per response, about service, assigned to the
/// client's owner (an anonymous response's goes to the queue unassigned), its description
/// the scored answers and comments in the respondent's words.
pub struct SurveyComplaint {
    pub client: Option<i64>,
    pub contact: Option<i64>,
    pub severity: &'static str,
    pub description: String,
    pub assignee: Option<i64>,
}

impl SurveyComplaint {
    /// The complaint's row, opened by response `response`.
    pub fn row(&self, response: i64) -> NewComplaint<'_> {
        NewComplaint {
            client: self.client,
            contact: self.contact,
            portal_user: None,
            project: None,
            source: "survey",
            category: "service",
            severity: self.severity,
            description: &self.description,
            assignee: self.assignee,
            created_by: None,
            survey_response: Some(response),
        }
    }
}

/// The first entry of a survey complaint's timeline: raised by nobody on the staff.
pub const RAISED: NewEvent<'static> = NewEvent {
    kind: "raised",
    visible_to_client: false,
    body: None,
    from_status: None,
    to_status: Some("new"),
    staff: None,
    portal_user: None,
};

/// Whether the first scored answer of a follow-up shows the customer recovered.
pub fn first_recovery(answers: &[Answer]) -> Option<bool> {
    answers
        .iter()
        .find_map(|a| a.score.and_then(|s| super::scoring::recovered(a.kind, s)))
}

/// High when a score is at the very bottom of its scale (NPS 0–3, CSAT 1, CES 7), else
/// medium; staff triage it from there.
pub fn poor_severity(answers: &[Answer]) -> &'static str {
    let very_poor = answers.iter().any(|a| match (a.kind, a.score) {
        (QuestionKind::Nps, Some(s)) => s <= 3,
        (QuestionKind::Csat, Some(s)) => s <= 1,
        (QuestionKind::Ces, Some(s)) => s >= 7,
        _ => false,
    });
    if very_poor { "high" } else { "medium" }
}

/// The answers as lines "question: answer", scored ones and comments, in `lang`.
pub fn complaint_description(
    questions: &[RespondentQuestion],
    answers: &[Answer],
    lang: Lang,
) -> String {
    // The scores on the first line, which the complaint queue shows; comments below.
    let mut scores = Vec::new();
    let mut comments = Vec::new();
    for a in answers {
        let Some(q) = questions.iter().find(|q| q.id == a.question_id) else {
            continue;
        };
        let value = match (a.score, &a.body) {
            (Some(score), _) => score.to_string(),
            (None, Some(body)) => body.clone(),
            (None, None) => a
                .choices
                .iter()
                .filter_map(|i| q.choices.get(*i).cloned())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let line = format!("{}: {}", q.prompt, value);
        if a.score.is_some() {
            scores.push(line);
        } else {
            comments.push(line);
        }
    }
    let mut text = format!(
        "{} {}",
        i18n::t(lang, "survey.complaint_intro"),
        scores.join("; ")
    );
    for comment in comments {
        text.push('\n');
        text.push_str(&comment);
    }
    text
}

/// A fresh link to invitation `invitation` for the signed-in investor `me`, whose contact
/// it must be and which must still be open to answers (else not found): the portal opens
/// the same answer page as the e-mailed link.
pub async fn portal_link(
    state: &AppState,
    me: &crate::portal::access::backend::Investor,
    invitation: i64,
) -> Result<String, AppError> {
    let now = state.clock.now();
    let waiting = repo::waiting_for(&state.db, me.0.contact_id, now)
        .await
        .map_err(db)?;
    if !waiting.iter().any(|(id, ..)| *id == invitation) {
        return Err(AppError::NotFound);
    }
    let (text, hash) = tokens::mint();
    let mut tx = state.db.begin().await.map_err(db)?;
    repo::add_token(&mut tx, invitation, &hash, now)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(text)
}

/// The unsubscribe page's link: whether it is a contact's link (an open link has nobody to
/// unsubscribe) and its language.
pub async fn unsubscribe_page(
    state: &AppState,
    token: &str,
    browser: Lang,
) -> Result<(bool, Lang), AppError> {
    let (found, _) = find_link(state, token).await?;
    let link = found.as_ref().map(|(link, _)| link);
    let lang = language_of(link, browser);
    Ok((link.is_some_and(|l| l.contact_id.is_some()), lang))
}

/// The contact of link `token` asks for no more surveys. Any link of theirs works, even an
/// expired or used one; unknown links change nothing.
pub async fn unsubscribe(state: &AppState, token: &str) -> Result<bool, AppError> {
    let (found, _) = find_link(state, token).await?;
    let Some(contact) = found.and_then(|(link, _)| link.contact_id) else {
        return Ok(false);
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    repo::opt_out(&mut tx, contact, now).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(kind: QuestionKind, score: i64) -> Answer {
        Answer {
            question_id: 1,
            kind,
            score: Some(score),
            choices: Vec::new(),
            body: None,
        }
    }

    #[test]
    fn the_worst_scores_open_a_high_complaint() {
        assert_eq!(poor_severity(&[answer(QuestionKind::Nps, 2)]), "high");
        assert_eq!(poor_severity(&[answer(QuestionKind::Nps, 5)]), "medium");
        assert_eq!(poor_severity(&[answer(QuestionKind::Ces, 7)]), "high");
    }

    #[test]
    fn the_description_quotes_the_answers() {
        let questions = vec![
            RespondentQuestion {
                id: 1,
                kind: QuestionKind::Nps,
                prompt: "推荐意愿".into(),
                choices: Vec::new(),
                required: true,
            },
            RespondentQuestion {
                id: 2,
                kind: QuestionKind::Text,
                prompt: "意见".into(),
                choices: Vec::new(),
                required: false,
            },
        ];
        let answers = vec![
            answer(QuestionKind::Nps, 3),
            Answer {
                question_id: 2,
                kind: QuestionKind::Text,
                score: None,
                choices: Vec::new(),
                body: Some("报告太晚".into()),
            },
        ];
        let text = complaint_description(&questions, &answers, Lang::Zh);
        assert!(
            text.contains("推荐意愿: 3") && text.contains("意见: 报告太晚"),
            "{text}"
        );
    }
}
