//! Plain form posts of the survey builder (they work without JavaScript), and the public
//! answer endpoints of `/s/{token}`: rate-limited per client address, never logging the
//! token (request logs redact `/s/` paths), rendering the answer page in the link's
//! language.
use super::model::{
    AnswerContext, AudienceForm, LinkState, QuestionForm, SubmittedAnswers, SubmittedAudience,
    SubmittedSurvey, SubmittedSurveyQuestion, SurveyForm, SurveyStatus,
};
use super::{respond, sending, service};
use crate::auth::backend::AuthSession;
use crate::core::error::AppError;
use crate::core::i18n::Lang;
use crate::server::forms::{answer_on_page, ip_of, pairs, render_again, sign_in_first};
use crate::server::middleware::ClientIp;
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

fn str_pairs(pairs: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

/// POST `/surveys/new`.
pub async fn create(
    State(state): State<AppState>,
    auth: AuthSession,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let posted = pairs(&body);
    let form = SurveyForm::from_pairs(str_pairs(&posted));
    let result = service::create(&state, &me, &form, ip_of(&parts)).await;
    let done = match &result {
        Ok(id) => format!("/surveys/{id}?created=1"),
        Err(_) => String::new(),
    };
    answer_settings(&state, parts, "/surveys", result, &done, form).await
}

/// Answers the settings form (new survey or edit): on to `done`, or `page` again with the
/// form as typed.
async fn answer_settings(
    state: &AppState,
    parts: Parts,
    page: &str,
    result: Result<i64, AppError>,
    done: &str,
    form: SurveyForm,
) -> Response {
    answer_on_page(state, parts, page, result, done, |errors, error_key| {
        SubmittedSurvey {
            form,
            errors,
            conflict: false,
            error_key,
        }
    })
    .await
}

/// POST `/surveys/{id}/edit`: the survey's settings.
pub async fn save(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<i64>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let posted = pairs(&body);
    let form = SurveyForm::from_pairs(str_pairs(&posted));
    let result = service::save(&state, &me, id, &form, ip_of(&parts)).await;
    let page = format!("/surveys/{id}");
    let done = format!("{page}?saved=1");
    answer_settings(&state, parts, &page, result, &done, form).await
}

/// POST `/surveys/{id}/questions`: adds a question.
pub async fn add_question(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<i64>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let posted = pairs(&body);
    let form = QuestionForm::from_pairs(str_pairs(&posted));
    let result = service::add_question(&state, &me, id, &form, ip_of(&parts)).await;
    let page = format!("/surveys/{id}");
    let done = format!("{page}?question_saved=1#questions");
    answer_on_page(&state, parts, &page, result, &done, |errors, error_key| {
        SubmittedSurveyQuestion {
            question: None,
            form,
            errors,
            error_key,
        }
    })
    .await
}

/// POST `/surveys/{id}/questions/{question}`: changes a question (a new version of it if
/// it has answers).
pub async fn edit_question(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((id, question)): Path<(i64, i64)>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let posted = pairs(&body);
    let form = QuestionForm::from_pairs(str_pairs(&posted));
    let result = service::edit_question(&state, &me, id, question, &form, ip_of(&parts)).await;
    let page = format!("/surveys/{id}");
    let done = format!("{page}?question_saved=1#questions");
    answer_on_page(&state, parts, &page, result, &done, |errors, error_key| {
        SubmittedSurveyQuestion {
            question: Some(question),
            form,
            errors,
            error_key,
        }
    })
    .await
}

/// The survey page again with a general message, for the small forms (remove, move,
/// open, close) that have no fields to show again.
async fn on_survey_page(
    state: &AppState,
    parts: Parts,
    id: i64,
    result: Result<i64, AppError>,
    done: &str,
) -> Response {
    let page = format!("/surveys/{id}");
    answer_on_page(state, parts, &page, result, done, |errors, error_key| {
        SubmittedSurvey {
            errors,
            error_key,
            ..SubmittedSurvey::default()
        }
    })
    .await
}

/// POST `/surveys/{id}/questions/{question}/remove`.
pub async fn remove_question(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((id, question)): Path<(i64, i64)>,
    parts: Parts,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let result = service::remove_question(&state, &me, id, question, ip_of(&parts)).await;
    let done = format!("/surveys/{id}?question_removed=1#questions");
    on_survey_page(&state, parts, id, result, &done).await
}

/// POST `/surveys/{id}/questions/{question}/move` with `direction` up or down.
pub async fn move_question(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((id, question)): Path<(i64, i64)>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let up = pairs(&body)
        .iter()
        .any(|(k, v)| k == "direction" && v == "up");
    let result = service::move_question(&state, &me, id, question, up).await;
    let done = format!("/surveys/{id}#question-{question}");
    on_survey_page(&state, parts, id, result, &done).await
}

/// POST `/surveys/{id}/status` with `to` open or closed.
pub async fn set_status(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<i64>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let to = pairs(&body)
        .into_iter()
        .find(|(k, _)| k == "to")
        .and_then(|(_, v)| SurveyStatus::parse(&v));
    let result = match to {
        Some(to) => service::set_status(&state, &me, id, to, ip_of(&parts)).await,
        None => Err(AppError::conflict("survey.status_refused")),
    };
    let done = format!("/surveys/{id}?status_changed=1");
    on_survey_page(&state, parts, id, result, &done).await
}

/// POST `/surveys/{id}/open-link` with `turn` on (a new anonymous link, shown on the page
/// this response renders, since only its hash is kept and an address in a redirect would
/// reach the request log) or off.
pub async fn open_link(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<i64>,
    mut parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let on = pairs(&body)
        .into_iter()
        .any(|(k, v)| k == "turn" && v == "on");
    match service::set_open_link(&state, &me, id, on, ip_of(&parts)).await {
        Ok(Some(url)) => {
            if let Ok(uri) = format!("/surveys/{id}").parse() {
                parts.uri = uri;
            }
            render_again(
                &state,
                parts,
                StatusCode::OK,
                super::model::NewOpenLink(url),
            )
            .await
        }
        Ok(None) => {
            Redirect::to(&format!("/surveys/{id}?open_link_off=1#open-link")).into_response()
        }
        Err(error) => on_survey_page(&state, parts, id, Err(error), "").await,
    }
}

/// POST `/surveys/{id}/picks` with `client`: puts the client on the hand-chosen list, then
/// back to the list with the search that found it (`pick_q`).
pub async fn add_pick(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<i64>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let posted = pairs(&body);
    let field = |name: &str| {
        posted
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let result = match field("client").trim().parse::<i64>() {
        Ok(client) => service::set_pick(&state, &me, id, client, true, ip_of(&parts))
            .await
            .map(i64::from),
        Err(_) => Err(AppError::invalid("client", "survey.pick_unknown")),
    };
    let search = crate::core::url::encode(&field("pick_q"));
    let done = format!("/surveys/{id}?picked=1&pick_q={search}#picks");
    on_survey_page(&state, parts, id, result, &done).await
}

/// POST `/surveys/{id}/picks/{client}/remove`: takes the client off the hand-chosen list.
pub async fn remove_pick(
    State(state): State<AppState>,
    auth: AuthSession,
    Path((id, client)): Path<(i64, i64)>,
    parts: Parts,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let result = service::set_pick(&state, &me, id, client, false, ip_of(&parts))
        .await
        .map(i64::from);
    let done = format!("/surveys/{id}?unpicked=1#picks");
    on_survey_page(&state, parts, id, result, &done).await
}

/// POST `/surveys/{id}/send`: starts a wave to the chosen audience.
pub async fn send(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(id): Path<i64>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    let posted = pairs(&body);
    let form = AudienceForm::from_pairs(str_pairs(&posted));
    let result = sending::send_wave(&state, &me, id, &form, ip_of(&parts)).await;
    let done = match &result {
        Ok(sent) => format!(
            "/surveys/{id}?sent={}&capped={}#waves",
            sent.invited, sent.capped
        ),
        Err(_) => String::new(),
    };
    let page = format!("/surveys/{id}");
    answer_on_page(
        &state,
        parts,
        &page,
        result.map(|s| s.number),
        &done,
        |errors, error_key| SubmittedAudience {
            form,
            errors,
            error_key,
        },
    )
    .await
}

/// The browser's language for a respondent with no link language.
fn browser_lang(parts: &Parts) -> Lang {
    crate::auth::handlers::request_lang(parts)
}

/// Whether the answer endpoints may serve this client address now.
fn allowed(state: &AppState, parts: &Parts) -> bool {
    match parts.extensions.get::<ClientIp>() {
        Some(ClientIp(ip)) => state.survey_throttle.check_key(ip).is_ok(),
        None => true,
    }
}

fn throttled() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [("retry-after", "60")],
        "Too many requests; please wait a minute. 请求过于频繁，请一分钟后再试。",
    )
        .into_response()
}

/// Renders the answer page of `token` with `context`, answering `status`.
async fn render_answer(
    state: &AppState,
    parts: Parts,
    status: u16,
    context: AnswerContext,
) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    render_again(state, parts, status, context).await
}

/// GET `/s/{token}`: the survey, or the page saying why this link cannot be answered.
pub async fn open(
    State(state): State<AppState>,
    Path(token): Path<String>,
    parts: Parts,
) -> Response {
    if !allowed(&state, &parts) {
        return throttled();
    }
    match respond::answer_page(&state, &token, browser_lang(&parts)).await {
        Ok((page, lang)) => {
            let status = page.state.status();
            let context = AnswerContext {
                page,
                lang,
                submitted: SubmittedAnswers::default(),
            };
            render_answer(&state, parts, status, context).await
        }
        Err(error) => crate::server::forms::render_error_page(&state, parts, error).await,
    }
}

/// POST `/s/{token}`: records the answers once, then the thank-you page.
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    parts: Parts,
    body: Bytes,
) -> Response {
    if !allowed(&state, &parts) {
        return throttled();
    }
    let posted = pairs(&body);
    let browser = browser_lang(&parts);
    match respond::submit(&state, &token, browser, &posted).await {
        Ok(respond::Submitted::Thanks(lang)) => {
            Redirect::to(&format!("/survey/thanks?lang={}", lang.code())).into_response()
        }
        Ok(respond::Submitted::Refused(link_state, lang)) => {
            refused(&state, parts, link_state, lang).await
        }
        Ok(respond::Submitted::Invalid(errors)) => {
            match respond::answer_page(&state, &token, browser).await {
                Ok((page, lang)) => {
                    let context = AnswerContext {
                        page,
                        lang,
                        submitted: SubmittedAnswers { posted, errors },
                    };
                    render_answer(&state, parts, 422, context).await
                }
                Err(error) => crate::server::forms::render_error_page(&state, parts, error).await,
            }
        }
        Err(error) => crate::server::forms::render_error_page(&state, parts, error).await,
    }
}

async fn refused(state: &AppState, parts: Parts, link_state: LinkState, lang: Lang) -> Response {
    let context = AnswerContext {
        page: super::model::AnswerPage {
            state: link_state,
            title: String::new(),
            intro: String::new(),
            questions: Vec::new(),
            identified: false,
        },
        lang,
        submitted: SubmittedAnswers::default(),
    };
    render_answer(state, parts, link_state.status(), context).await
}

/// GET `/s/{token}/unsubscribe`: asks to confirm (a mail scanner following the link must
/// not unsubscribe anyone).
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    parts: Parts,
) -> Response {
    if !allowed(&state, &parts) {
        return throttled();
    }
    match respond::unsubscribe_page(&state, &token, browser_lang(&parts)).await {
        Ok((known, lang)) => {
            let link_state = if known {
                LinkState::Open
            } else {
                LinkState::Unknown
            };
            let context = AnswerContext {
                page: super::model::AnswerPage {
                    state: link_state,
                    title: String::new(),
                    intro: String::new(),
                    questions: Vec::new(),
                    identified: known,
                },
                lang,
                submitted: SubmittedAnswers::default(),
            };
            render_answer(&state, parts, link_state.status(), context).await
        }
        Err(error) => crate::server::forms::render_error_page(&state, parts, error).await,
    }
}

/// POST `/s/{token}/unsubscribe`: no more surveys to this contact.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    parts: Parts,
) -> Response {
    if !allowed(&state, &parts) {
        return throttled();
    }
    let lang = match respond::unsubscribe_page(&state, &token, browser_lang(&parts)).await {
        Ok((_, lang)) => lang,
        Err(_) => browser_lang(&parts),
    };
    match respond::unsubscribe(&state, &token).await {
        Ok(true) => {
            Redirect::to(&format!("/survey/unsubscribed?lang={}", lang.code())).into_response()
        }
        Ok(false) => refused(&state, parts, LinkState::Unknown, lang).await,
        Err(error) => crate::server::forms::render_error_page(&state, parts, error).await,
    }
}

/// POST `/portal/surveys/{id}/answer`: a signed-in investor opens a survey waiting for
/// them, through a link of its own to the same answer page.
pub async fn portal_answer(
    State(state): State<AppState>,
    portal: crate::portal::access::backend::PortalAuthSession,
    Path(invitation): Path<i64>,
    parts: Parts,
) -> Response {
    let Some(me) = &portal.user else {
        return crate::portal::handlers::to_sign_in(&parts);
    };
    match respond::portal_link(&state, me, invitation).await {
        Ok(token) => Redirect::to(&format!("/s/{token}")).into_response(),
        Err(error) => crate::server::forms::render_error_page(&state, parts, error).await,
    }
}
