//! The survey builder: lists, a survey's page, and the changes staff make to a survey and
//! its questions. Only those who may change every record (the CRM officer, administrators)
//! build and send surveys; every staff member reads them.
use super::model::{
    QuestionForm, QuestionKind, QuestionView, SurveyDetail, SurveyForm, SurveyListPage,
    SurveyPurpose, SurveyRow, SurveyStatus, WaveView, lines,
};
use super::repo::{self, QuestionRecord, SurveyRecord};
use crate::auth::backend::StaffUser;
use crate::core::error::AppError;
use crate::core::i18n::Lang;
use crate::core::roles::Permission;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::db::Tx;
use crate::server::errors::db;
use crate::server::format;
use crate::server::idempotency;
use crate::server::state::AppState;
use crate::server::tokens;

pub const PAGE_SIZE: i64 = 25;

/// Builders of surveys: those who may change every record.
pub fn may_build(me: &StaffUser) -> bool {
    me.me().can(Permission::EditAllRecords)
}

fn builder(me: &StaffUser) -> Result<(), AppError> {
    if may_build(me) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub fn title_in(s: &SurveyRecord, lang: Lang) -> String {
    match lang {
        Lang::Zh => s.title_zh.clone(),
        Lang::En => s.title_en.clone(),
    }
}

pub async fn list(
    state: &AppState,
    me: &StaffUser,
    before: Option<i64>,
) -> Result<SurveyListPage, AppError> {
    let rows = repo::list(&state.db, before, PAGE_SIZE + 1)
        .await
        .map_err(db)?;
    let lang = Lang::parse(&me.0.locale).unwrap_or_default();
    let more = rows.len() as i64 > PAGE_SIZE;
    let items: Vec<SurveyRow> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|(s, questions, responses)| SurveyRow {
            id: s.id,
            title: title_in(&s, lang),
            status: SurveyStatus::parse(&s.status),
            purpose: SurveyPurpose::parse(&s.purpose),
            questions,
            responses,
            updated_at: format::date_time(s.updated_at, &me.0.time_zone),
        })
        .collect();
    let next = more.then(|| items.last().map(|r| r.id)).flatten();
    Ok(SurveyListPage {
        items,
        next,
        new_form_key: idempotency::new_key(),
        can_build: may_build(me),
    })
}

fn form_of(s: &SurveyRecord) -> SurveyForm {
    SurveyForm {
        title_zh: s.title_zh.clone(),
        title_en: s.title_en.clone(),
        intro_zh: s.intro_zh.clone(),
        intro_en: s.intro_en.clone(),
        link_days: s.link_days.to_string(),
        reminder_days: s.reminder_days.to_string(),
        max_reminders: s.max_reminders.to_string(),
        recur_months: s.recur_months.map(|m| m.to_string()).unwrap_or_default(),
        version: s.version.to_string(),
        form_key: String::new(),
    }
}

pub fn question_view(q: &QuestionRecord) -> QuestionView {
    QuestionView {
        id: q.id,
        kind: QuestionKind::parse(&q.kind),
        prompt_zh: q.prompt_zh.clone(),
        prompt_en: q.prompt_en.clone(),
        choices_zh: lines(&q.choices_zh),
        choices_en: lines(&q.choices_en),
        required: q.required,
        answers: q.answers,
    }
}

pub async fn found(state: &AppState, id: i64) -> Result<SurveyRecord, AppError> {
    repo::find(&state.db, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)
}

pub async fn detail(state: &AppState, me: &StaffUser, id: i64) -> Result<SurveyDetail, AppError> {
    let s = found(state, id).await?;
    let questions = repo::questions(&state.db, id).await.map_err(db)?;
    let waves = repo::waves(&state.db, id).await.map_err(db)?;
    let (responses, _) = repo::response_counts(&state.db, id, None)
        .await
        .map_err(db)?;
    let projects = repo::audience_projects(&state.db).await.map_err(db)?;
    let tz = &me.0.time_zone;
    Ok(SurveyDetail {
        id,
        form: form_of(&s),
        status: SurveyStatus::parse(&s.status),
        purpose: SurveyPurpose::parse(&s.purpose),
        questions: questions.iter().map(question_view).collect(),
        waves: waves
            .into_iter()
            .map(|w| WaveView {
                id: w.id,
                number: w.number,
                started_at: format::date_time(w.started_at, tz),
                invited: w.invited,
                sent: w.sent,
                failed: w.failed,
                pending: (w.invited - w.sent).max(0),
                answered: w.answered,
                skipped: 0,
            })
            .collect(),
        responses,
        projects,
        form_key: idempotency::new_key(),
        can_build: may_build(me),
        open_link: s.has_open_link,
    })
}

fn expired_form() -> AppError {
    AppError::conflict("error.form_expired")
}

async fn audited(
    tx: &mut Tx,
    me: &StaffUser,
    action: &str,
    survey: i64,
    after: serde_json::Value,
    ip: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let entry = AuditEntry::new(Actor::Staff(me.0.id), action, "survey", Some(survey))
        .after(&after)
        .ip(ip);
    audit::record(tx, now, entry).await.map_err(db)
}

pub async fn create(
    state: &AppState,
    me: &StaffUser,
    form: &SurveyForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    builder(me)?;
    if !idempotency::is_well_formed(&form.form_key) {
        return Err(expired_form());
    }
    let valid = form.validate().map_err(AppError::Invalid)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    if let Some(id) = idempotency::replay::<i64>(&mut tx, me.0.id, "survey.create", &form.form_key)
        .await
        .map_err(db)?
    {
        return Ok(id);
    }
    let id = repo::insert_survey(&mut tx, &valid, "regular", Some(me.0.id), now)
        .await
        .map_err(db)?;
    let after = serde_json::json!({ "title_zh": valid.title_zh, "title_en": valid.title_en });
    audited(&mut tx, me, "survey.create", id, after, ip, now).await?;
    idempotency::remember(&mut tx, me.0.id, "survey.create", &form.form_key, &id, now)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

/// Saves a survey's settings, refused as a conflict if someone saved it since the form
/// was loaded, and for a closed survey.
pub async fn save(
    state: &AppState,
    me: &StaffUser,
    id: i64,
    form: &SurveyForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    builder(me)?;
    let valid = form.validate().map_err(AppError::Invalid)?;
    let s = found(state, id).await?;
    if s.status == SurveyStatus::Closed.as_str() {
        return Err(AppError::conflict("survey.closed_no_change"));
    }
    let version = form.version.trim().parse::<i64>().unwrap_or(-1);
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    if !repo::update_survey(&mut tx, id, version, &valid, now)
        .await
        .map_err(db)?
    {
        return Err(AppError::conflict("error.stale"));
    }
    let after = serde_json::json!({ "title_zh": valid.title_zh, "title_en": valid.title_en });
    audited(&mut tx, me, "survey.update", id, after, ip, now).await?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

/// The survey `id` for a change to its questions: it exists and is not closed.
async fn changeable(state: &AppState, id: i64) -> Result<SurveyRecord, AppError> {
    let s = found(state, id).await?;
    if s.status == SurveyStatus::Closed.as_str() {
        return Err(AppError::conflict("survey.closed_no_change"));
    }
    Ok(s)
}

pub async fn add_question(
    state: &AppState,
    me: &StaffUser,
    survey: i64,
    form: &QuestionForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    builder(me)?;
    if !idempotency::is_well_formed(&form.form_key) {
        return Err(expired_form());
    }
    let valid = form.validate().map_err(AppError::Invalid)?;
    changeable(state, survey).await?;
    let existing = repo::questions(&state.db, survey).await.map_err(db)?;
    if existing.len() >= super::model::MAX_QUESTIONS {
        return Err(AppError::conflict("survey.too_many_questions"));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let purpose = format!("survey.question:{survey}");
    if let Some(id) = idempotency::replay::<i64>(&mut tx, me.0.id, &purpose, &form.form_key)
        .await
        .map_err(db)?
    {
        return Ok(id);
    }
    let id = repo::insert_question(&mut tx, survey, &valid, None, None)
        .await
        .map_err(db)?;
    repo::touch(&mut tx, survey, now).await.map_err(db)?;
    let after = serde_json::json!({ "question": id, "kind": valid.kind.as_str() });
    audited(&mut tx, me, "survey.question_add", survey, after, ip, now).await?;
    idempotency::remember(&mut tx, me.0.id, &purpose, &form.form_key, &id, now)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

fn question_in(questions: &[QuestionRecord], id: i64) -> Result<&QuestionRecord, AppError> {
    questions
        .iter()
        .find(|q| q.id == id)
        .ok_or(AppError::NotFound)
}

/// Changes a question. One that already has answers keeps its words for them: it is
/// retired and the changed question takes its place as a new version.
pub async fn edit_question(
    state: &AppState,
    me: &StaffUser,
    survey: i64,
    question: i64,
    form: &QuestionForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    builder(me)?;
    let valid = form.validate().map_err(AppError::Invalid)?;
    changeable(state, survey).await?;
    let questions = repo::questions(&state.db, survey).await.map_err(db)?;
    let old = question_in(&questions, question)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let id = if old.answers > 0 {
        repo::retire_question(&mut tx, old.id, now)
            .await
            .map_err(db)?;
        repo::insert_question(&mut tx, survey, &valid, Some(old.position), Some(old.id))
            .await
            .map_err(db)?
    } else {
        repo::rewrite_question(&mut tx, old.id, &valid)
            .await
            .map_err(db)?;
        old.id
    };
    repo::touch(&mut tx, survey, now).await.map_err(db)?;
    let after = serde_json::json!({ "question": id, "replaces": (id != old.id).then_some(old.id) });
    audited(&mut tx, me, "survey.question_edit", survey, after, ip, now).await?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

/// Takes a question out of the survey (its answers stay in the results).
pub async fn remove_question(
    state: &AppState,
    me: &StaffUser,
    survey: i64,
    question: i64,
    ip: Option<String>,
) -> Result<i64, AppError> {
    builder(me)?;
    changeable(state, survey).await?;
    let questions = repo::questions(&state.db, survey).await.map_err(db)?;
    let old = question_in(&questions, question)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    repo::retire_question(&mut tx, old.id, now)
        .await
        .map_err(db)?;
    repo::touch(&mut tx, survey, now).await.map_err(db)?;
    let after = serde_json::json!({ "question": old.id });
    audited(
        &mut tx,
        me,
        "survey.question_remove",
        survey,
        after,
        ip,
        now,
    )
    .await?;
    tx.commit().await.map_err(db)?;
    Ok(old.id)
}

/// Moves a question one place up or down; at either end it stays where it is.
pub async fn move_question(
    state: &AppState,
    me: &StaffUser,
    survey: i64,
    question: i64,
    up: bool,
) -> Result<i64, AppError> {
    builder(me)?;
    changeable(state, survey).await?;
    let questions = repo::questions(&state.db, survey).await.map_err(db)?;
    let at = questions
        .iter()
        .position(|q| q.id == question)
        .ok_or(AppError::NotFound)?;
    let other = if up { at.checked_sub(1) } else { Some(at + 1) };
    let Some(other) = other.filter(|o| *o < questions.len()) else {
        return Ok(question);
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    // Positions are renumbered in order with the two swapped, so equal positions left by
    // older edits can never make a move do nothing.
    let mut order: Vec<i64> = questions.iter().map(|q| q.id).collect();
    order.swap(at, other);
    for (position, id) in order.iter().enumerate() {
        repo::set_position(&mut tx, *id, position as i64 + 1)
            .await
            .map_err(db)?;
    }
    repo::touch(&mut tx, survey, now).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(question)
}

/// Opens a draft for answers (it needs a question) or closes an open survey. A closed
/// survey's links all show "closed".
pub async fn set_status(
    state: &AppState,
    me: &StaffUser,
    survey: i64,
    to: SurveyStatus,
    ip: Option<String>,
) -> Result<i64, AppError> {
    builder(me)?;
    let from = match to {
        SurveyStatus::Open => SurveyStatus::Draft,
        SurveyStatus::Closed => SurveyStatus::Open,
        SurveyStatus::Draft => return Err(AppError::conflict("survey.status_refused")),
    };
    if to == SurveyStatus::Open {
        let questions = repo::questions(&state.db, survey).await.map_err(db)?;
        if questions.is_empty() {
            return Err(AppError::conflict("survey.needs_question"));
        }
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    if !repo::set_status(&mut tx, survey, from.as_str(), to.as_str(), now)
        .await
        .map_err(db)?
    {
        found(state, survey).await?;
        return Err(AppError::conflict("survey.status_refused"));
    }
    let after = serde_json::json!({ "status": to.as_str() });
    audited(&mut tx, me, "survey.status", survey, after, ip, now).await?;
    tx.commit().await.map_err(db)?;
    Ok(survey)
}

/// Turns survey `survey`'s anonymous open link on, with a new token that replaces any
/// earlier one, or off. Only the token's hash is kept, so the address is returned this once
/// (a lost one is replaced). A follow-up survey has none: it asks the complaint's contact.
pub async fn set_open_link(
    state: &AppState,
    me: &StaffUser,
    survey: i64,
    on: bool,
    ip: Option<String>,
) -> Result<Option<String>, AppError> {
    builder(me)?;
    let s = found(state, survey).await?;
    if s.purpose != SurveyPurpose::Regular.as_str() {
        return Err(AppError::conflict("survey.open_link_follow_up"));
    }
    if on && s.status == SurveyStatus::Closed.as_str() {
        return Err(AppError::conflict("survey.open_link_closed"));
    }
    let token = on.then(tokens::mint);
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    repo::set_open_link(
        &mut tx,
        survey,
        token.as_ref().map(|(_, hash)| hash.as_str()),
    )
    .await
    .map_err(db)?;
    let action = if on {
        "survey.open_link"
    } else {
        "survey.open_link_off"
    };
    audited(
        &mut tx,
        me,
        action,
        survey,
        serde_json::json!({ "on": on }),
        ip,
        now,
    )
    .await?;
    tx.commit().await.map_err(db)?;
    Ok(token.map(|(text, _)| super::sending::link_url(state, &text)))
}

/// The survey answers of client `client`'s contacts over time, a page at a time.
pub async fn client_answers(
    state: &AppState,
    me: &StaffUser,
    client: i64,
    before: Option<i64>,
) -> Result<super::model::ClientAnswers, AppError> {
    let rows = repo::client_responses(&state.db, client, before, PAGE_SIZE + 1)
        .await
        .map_err(db)?;
    let (rows, next) = crate::server::query::keyset_page(rows, PAGE_SIZE, |r| r.id);
    let lang = Lang::parse(&me.0.locale).unwrap_or_default();
    Ok(super::model::ClientAnswers {
        rows: rows
            .into_iter()
            .map(|r| super::model::ClientAnswerRow {
                id: r.id,
                submitted_at: format::date_time(r.submitted_at, &me.0.time_zone),
                contact: r.contact.unwrap_or_default(),
                survey: match lang {
                    Lang::Zh => r.title_zh,
                    Lang::En => r.title_en,
                },
                nps: r.nps,
                csat: r.csat,
                ces: r.ces,
                comment: r.comment,
            })
            .collect(),
        next,
    })
}

/// Hand-chosen clients a survey page lists at a time, and search matches it shows.
const PICKS_PAGE: i64 = 25;
const PICK_MATCHES: i64 = 10;

fn pick_row(r: repo::PickRecord) -> super::model::PickRow {
    super::model::PickRow {
        client: r.client_id,
        name: r.display_name,
        kind: crate::clients::model::ClientKind::of(r.is_investor, r.is_borrower),
        stage: crate::clients::model::LifecycleStage::parse(&r.lifecycle_stage),
        reachable: r.reachable,
        picked: r.picked,
    }
}

/// Survey `survey`'s hand-chosen clients, a page after `after` ("id~sort name"), and the
/// clients matching `q` (the client list's search) for adding.
pub async fn picks(
    state: &AppState,
    me: &StaffUser,
    survey: i64,
    q: Option<String>,
    after: Option<String>,
) -> Result<super::model::SurveyPicks, AppError> {
    let s = found(state, survey).await?;
    let after = after
        .as_deref()
        .and_then(|a| a.split_once('~'))
        .and_then(|(id, name)| Some((name.to_string(), id.parse::<i64>().ok()?)));
    let (rows, total) = repo::picks(
        &state.db,
        survey,
        after.as_ref().map(|(n, id)| (n.as_str(), *id)),
        PICKS_PAGE + 1,
    )
    .await
    .map_err(db)?;
    let next = (rows.len() as i64 > PICKS_PAGE)
        .then(|| {
            rows.get(PICKS_PAGE as usize - 1)
                .map(|r| format!("{}~{}", r.client_id, r.sort_name))
        })
        .flatten();
    let rows = rows
        .into_iter()
        .take(PICKS_PAGE as usize)
        .map(pick_row)
        .collect();
    let q = q.unwrap_or_default();
    let searched = !q.trim().is_empty();
    let found = if searched {
        let filter = crate::clients::model::ClientFilter {
            q,
            ..Default::default()
        };
        let today = state.clock.now().date_naive();
        let matches = crate::clients::repo::list(&state.db, &filter, today, PICK_MATCHES)
            .await
            .map_err(db)?;
        let ids: Vec<i64> = matches.rows.iter().map(|r| r.id).collect();
        repo::pick_candidates(&state.db, survey, &ids)
            .await
            .map_err(db)?
            .into_iter()
            .map(pick_row)
            .collect()
    } else {
        Vec::new()
    };
    Ok(super::model::SurveyPicks {
        rows,
        total,
        next,
        found,
        searched,
        can_change: may_build(me)
            && s.status != SurveyStatus::Closed.as_str()
            && s.purpose == SurveyPurpose::Regular.as_str(),
    })
}

/// Puts client `client` on survey `survey`'s hand-chosen list (`add`) or takes it off.
/// Returns whether the list changed.
pub async fn set_pick(
    state: &AppState,
    me: &StaffUser,
    survey: i64,
    client: i64,
    add: bool,
    ip: Option<String>,
) -> Result<bool, AppError> {
    builder(me)?;
    let s = found(state, survey).await?;
    if s.purpose != SurveyPurpose::Regular.as_str() {
        return Err(AppError::conflict("survey.follow_up_not_sent"));
    }
    if s.status == SurveyStatus::Closed.as_str() {
        return Err(AppError::conflict("survey.closed_no_change"));
    }
    // The client is looked up before the transaction: the SQLite writer is held for the
    // write alone.
    if add
        && crate::clients::repo::find(&state.db, client)
            .await
            .map_err(db)?
            .is_none_or(|c| c.archived_at.is_some())
    {
        return Err(AppError::invalid("client", "survey.pick_unknown"));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let changed = if add {
        repo::add_pick(&mut tx, survey, client, me.0.id, now)
            .await
            .map_err(db)?
    } else {
        repo::remove_pick(&mut tx, survey, client)
            .await
            .map_err(db)?
    };
    if changed {
        let action = if add { "survey.pick" } else { "survey.unpick" };
        let after = serde_json::json!({ "client": client });
        audited(&mut tx, me, action, survey, after, ip, now).await?;
    }
    tx.commit().await.map_err(db)?;
    Ok(changed)
}
