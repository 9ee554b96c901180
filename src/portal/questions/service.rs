//! Investor questions: the investor asks (for one of their entities, about one of their
//! projects or in general) and follows up; staff answer from the queue, and the investor is
//! told by e-mail, in their language, with a link to the thread.
use super::model::{
    AskOptions, MessageView, QuestionForm, QuestionPage, QuestionRow, QuestionStatus,
    QuestionThread, validate_message, validate_question,
};
use super::repo::{self, Author, NewQuestion, QuestionRecord};
use crate::auth::backend::StaffUser;
use crate::clients::service::can_edit;
use crate::core::error::AppError;
use crate::core::i18n::{self, Lang};
use crate::portal::access::backend::Investor;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::errors::db;
use crate::server::format;
use crate::server::idempotency;
use crate::server::mail::{self, Outgoing};
use crate::server::state::AppState;

pub const PAGE_SIZE: i64 = 20;

fn row_of(r: QuestionRecord, tz: &str, for_staff: bool) -> QuestionRow {
    QuestionRow {
        id: r.id,
        subject: r.subject,
        project_name: r.project_name,
        status: QuestionStatus::parse(&r.status),
        asked_at: format::date_time(r.created_at, tz),
        unread: !for_staff && r.unread,
        asker: for_staff.then_some(r.asker),
        entity: for_staff.then_some(r.entity),
    }
}

fn page_of(mut rows: Vec<QuestionRecord>, tz: &str, for_staff: bool) -> QuestionPage {
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    QuestionPage {
        items: rows.into_iter().map(|r| row_of(r, tz, for_staff)).collect(),
        next,
    }
}

pub async fn ask_options(state: &AppState, me: &Investor) -> Result<AskOptions, AppError> {
    let (entities, projects) = repo::ask_choices(&state.db, me.0.id).await.map_err(db)?;
    Ok(AskOptions {
        projects,
        entities,
        form_key: idempotency::new_key(),
    })
}

pub async fn my_questions(
    state: &AppState,
    me: &Investor,
    before: Option<i64>,
) -> Result<QuestionPage, AppError> {
    let rows = repo::mine(&state.db, me.0.id, before, PAGE_SIZE + 1)
        .await
        .map_err(db)?;
    Ok(page_of(rows, &me.0.time_zone, false))
}

async fn thread_of(
    state: &AppState,
    r: QuestionRecord,
    tz: &str,
    can_answer: bool,
) -> Result<QuestionThread, AppError> {
    let messages = repo::messages(&state.db, r.id)
        .await
        .map_err(db)?
        .into_iter()
        .map(|m| MessageView {
            from_staff: m.from_staff,
            author: m.author,
            body: m.body,
            at: format::date_time(m.created_at, tz),
        })
        .collect();
    Ok(QuestionThread {
        id: r.id,
        subject: r.subject,
        project_name: r.project_name,
        entity: r.entity,
        asker: r.asker,
        status: QuestionStatus::parse(&r.status),
        messages,
        can_answer,
    })
}

/// The investor's own question `id`; any other id is "not found".
pub async fn my_thread(
    state: &AppState,
    me: &Investor,
    id: i64,
) -> Result<QuestionThread, AppError> {
    let r = repo::my_question(&state.db, me.0.id, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    thread_of(state, r, &me.0.time_zone, false).await
}

/// Notes that the investor opened their question `id` (its answers are no longer new).
pub async fn mark_seen(state: &AppState, me: &Investor, id: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await.map_err(db)?;
    repo::mark_seen(&mut tx, me.0.id, id, state.clock.now())
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)
}

/// Asks a question once per form key; returns its id.
pub async fn ask(
    state: &AppState,
    me: &Investor,
    form: &QuestionForm,
    ip: Option<String>,
) -> Result<i64, AppError> {
    if !idempotency::is_well_formed(&form.form_key) {
        return Err(AppError::conflict("error.form_expired"));
    }
    let valid = validate_question(form).map_err(AppError::Invalid)?;
    let user = me.0.id;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    if let Some(id) =
        idempotency::replay::<i64>(&mut tx, user, "portal.question.ask", &form.form_key)
            .await
            .map_err(db)?
    {
        return Ok(id);
    }
    let client = match valid.entity {
        Some(client) => client,
        None => {
            let (entities, _) = repo::ask_choices(&state.db, user).await.map_err(db)?;
            entities
                .first()
                .map(|(id, _)| *id)
                .ok_or_else(|| AppError::invalid("entity", "form.choose_one"))?
        }
    };
    if !repo::acts_for(&mut tx, user, client).await.map_err(db)? {
        return Err(AppError::invalid("entity", "form.choose_one"));
    }
    if let Some(project) = valid.project
        && !repo::takes_part_in(&mut tx, user, project)
            .await
            .map_err(db)?
    {
        return Err(AppError::invalid("project", "form.choose_one"));
    }
    let new = NewQuestion {
        portal_user: user,
        client,
        project: valid.project,
        subject: &valid.subject,
    };
    let id = repo::insert_question(&mut tx, &new, now)
        .await
        .map_err(db)?;
    repo::add_message(&mut tx, id, Author::Investor(user), &valid.body, now)
        .await
        .map_err(db)?;
    let entry = AuditEntry::new(Actor::Portal(user), "portal.question.ask", "question", Some(id))
        .after(&serde_json::json!({ "client_id": client, "project_id": valid.project, "subject": valid.subject }))
        .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    idempotency::remember(
        &mut tx,
        user,
        "portal.question.ask",
        &form.form_key,
        &id,
        now,
    )
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

/// The investor follows up on their own question.
pub async fn reply(
    state: &AppState,
    me: &Investor,
    id: i64,
    body: &str,
    ip: Option<String>,
) -> Result<i64, AppError> {
    let text = validate_message(body).map_err(AppError::Invalid)?;
    repo::my_question(&state.db, me.0.id, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    repo::add_message(&mut tx, id, Author::Investor(me.0.id), &text, now)
        .await
        .map_err(db)?;
    let entry = AuditEntry::new(
        Actor::Portal(me.0.id),
        "portal.question.reply",
        "question",
        Some(id),
    )
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

/// The staff queue of questions with `status` (open by default).
pub async fn queue(
    state: &AppState,
    me: &StaffUser,
    status: Option<QuestionStatus>,
    after: Option<i64>,
) -> Result<QuestionPage, AppError> {
    let status = status.unwrap_or(QuestionStatus::Open);
    let rows = repo::queue(&state.db, status.as_str(), after, PAGE_SIZE + 1)
        .await
        .map_err(db)?;
    Ok(page_of(rows, &me.0.time_zone, true))
}

pub async fn staff_thread(
    state: &AppState,
    me: &StaffUser,
    id: i64,
) -> Result<QuestionThread, AppError> {
    let r = repo::find(&state.db, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let may = can_edit(me, r.client_owner);
    thread_of(state, r, &me.0.time_zone, may).await
}

/// Staff answer question `id`: the answer joins the thread, the question is answered, and
/// the investor gets an e-mail in their language (through the outbox, in this transaction).
pub async fn answer(
    state: &AppState,
    me: &StaffUser,
    id: i64,
    body: &str,
    ip: Option<String>,
) -> Result<i64, AppError> {
    let text = validate_message(body).map_err(AppError::Invalid)?;
    let q = repo::find(&state.db, id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    if !can_edit(me, q.client_owner) {
        return Err(AppError::Forbidden);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let message = repo::add_message(&mut tx, id, Author::Staff(me.0.id), &text, now)
        .await
        .map_err(db)?;
    let lang = Lang::parse(&q.asker_locale).unwrap_or_default();
    let base = state.config.public_url.as_str().trim_end_matches('/');
    let link = format!("{base}/portal/questions/{id}");
    let body = i18n::t_with(
        lang,
        "mail.portal_answer.body",
        &[("name", &q.asker), ("subject", &q.subject), ("link", &link)],
    );
    let subject = i18n::t_with(
        lang,
        "mail.portal_answer.subject",
        &[("subject", &q.subject)],
    );
    let purpose = format!("portal.answer:{message}");
    // Without the e-mail the answer still shows as new in the portal.
    if q.asker_notify {
        mail::queue(
            &mut tx,
            &Outgoing {
                purpose: &purpose,
                to_address: &q.asker_email,
                to_name: Some(&q.asker),
                language: lang.code(),
                subject: &subject,
                body: &body,
            },
            now,
        )
        .await
        .map_err(db)?;
    }
    let entry = AuditEntry::new(
        Actor::Staff(me.0.id),
        "question.answer",
        "question",
        Some(id),
    )
    .ip(ip);
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}
