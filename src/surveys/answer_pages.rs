//! What a respondent sees: the answer form (also the builder's preview), the pages of links
//! that cannot be answered, the thank-you page and unsubscribing. Plain HTML forms, no
//! JavaScript needed, laid out for a phone first.
use super::model::{
    AnswerContext, AnswerPage, LinkState, QuestionKind, RespondentQuestion, SubmittedAnswers,
};
use crate::core::i18n::{self, Lang};
use crate::ui::fields::message_for;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Catalogue keys of the words at either end of a scale.
fn scale_ends(kind: QuestionKind) -> Option<(&'static str, &'static str)> {
    match kind {
        QuestionKind::Nps => Some(("survey.scale.nps_low", "survey.scale.nps_high")),
        QuestionKind::Csat => Some(("survey.scale.csat_low", "survey.scale.csat_high")),
        QuestionKind::Ces => Some(("survey.scale.ces_low", "survey.scale.ces_high")),
        QuestionKind::Rating => Some(("survey.scale.rating_low", "survey.scale.rating_high")),
        _ => None,
    }
}

fn posted_values(submitted: &SubmittedAnswers, field: &str) -> Vec<String> {
    submitted
        .posted
        .iter()
        .filter(|(n, _)| n == field)
        .map(|(_, v)| v.clone())
        .collect()
}

/// One question: a fieldset of radio buttons or check boxes, or a text box.
#[component]
fn QuestionField(q: RespondentQuestion, lang: Lang, submitted: SubmittedAnswers) -> impl IntoView {
    let field = q.field();
    let chosen = posted_values(&submitted, &field);
    let error = message_for(&submitted.errors, &field);
    let error_id = format!("{field}-error");
    let has_error = !error.is_empty();
    let described = has_error.then(|| error_id.clone());
    let error_view = has_error.then(|| {
        view! { <p class="field-error" id=error_id.clone()>{i18n::t(lang, &error)}</p> }
    });
    let mark = q.required.then(|| {
        view! { " " <span class="required" aria-hidden="true">"*"</span> }
    });
    if q.kind == QuestionKind::Text {
        let value = chosen.first().cloned().unwrap_or_default();
        return view! {
            <div class="field wide survey-question">
                <label for=field.clone()>{q.prompt.clone()}{mark}</label>
                <textarea id=field.clone() name=field.clone() rows="4" maxlength="4000"
                    required=q.required aria-invalid=has_error.then_some("true")
                    aria-describedby=described>{value}</textarea>
                {error_view}
            </div>
        }
        .into_any();
    }
    let options: Vec<(String, String)> = match q.kind.scale() {
        Some((low, high)) => (low..=high)
            .map(|v| (v.to_string(), v.to_string()))
            .collect(),
        None => q
            .choices
            .iter()
            .enumerate()
            .map(|(i, c)| (i.to_string(), c.clone()))
            .collect(),
    };
    let input_type = if q.kind == QuestionKind::Multiple {
        "checkbox"
    } else {
        "radio"
    };
    let scale_class = if q.kind.scale().is_some() {
        "scale"
    } else {
        "choices"
    };
    let ends = scale_ends(q.kind).map(|(low, high)| {
        view! {
            <p class="scale-ends muted small">
                <span>{options.first().map(|o| o.0.clone())} " = " {i18n::t(lang, low)}</span>
                <span>{options.last().map(|o| o.0.clone())} " = " {i18n::t(lang, high)}</span>
            </p>
        }
    });
    view! {
        <fieldset class="survey-question" aria-describedby=described aria-invalid=has_error.then_some("true")>
            <legend>{q.prompt.clone()}{mark}</legend>
            {ends}
            <div class=scale_class>
                {options.into_iter().map(|(value, label)| {
                    let id = format!("{field}-{value}");
                    let checked = chosen.contains(&value);
                    view! {
                        <label class="option" for=id.clone()>
                            <input type=input_type id=id.clone() name=field.clone() value=value checked=checked />
                            <span>{label}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
            {error_view}
        </fieldset>
    }
    .into_any()
}

/// The survey's form: every question, then the send button.
#[component]
pub fn AnswerForm(
    page: AnswerPage,
    lang: Lang,
    action: String,
    submitted: SubmittedAnswers,
    #[prop(default = false)] preview: bool,
) -> impl IntoView {
    let has_errors = !submitted.errors.is_empty();
    view! {
        <h1>{page.title.clone()}</h1>
        {(!page.intro.is_empty()).then(|| view! { <p class="prose">{page.intro.clone()}</p> })}
        {has_errors.then(|| view! {
            <p class="alert alert-error" role="alert">{i18n::t(lang, "survey.answer_errors")}</p>
        })}
        <p class="hint">{i18n::t(lang, "survey.required_hint")}</p>
        <form method="post" action=action class="stack survey-form">
            {page.questions.into_iter().map(|q| view! {
                <QuestionField q lang submitted=submitted.clone() />
            }).collect_view()}
            <fieldset class="form-lock" disabled=preview>
                <button type="submit" class="primary">{i18n::t(lang, "survey.submit")}</button>
            </fieldset>
        </form>
    }
}

/// A page of the respondent's side: its own narrow layout, in language `lang`.
#[component]
fn RespondentFrame(lang: Lang, title: String, children: Children) -> impl IntoView {
    provide_context(lang);
    view! {
        <Title text=title />
        <main id="main" class="narrow respondent">
            <p class="brand">{i18n::t(lang, "app.name")}</p>
            {children()}
        </main>
    }
}

/// GET `/s/{token}` (rendered by its handler, which decided the link's state).
#[component]
pub fn SurveyAnswerPage() -> impl IntoView {
    let Some(context) = use_context::<AnswerContext>() else {
        return view! { <LinkProblem state=LinkState::Unknown lang=Lang::default() /> }.into_any();
    };
    let AnswerContext {
        page,
        lang,
        submitted,
    } = context;
    if page.state != LinkState::Open {
        return view! { <LinkProblem state=page.state lang /> }.into_any();
    }
    let path = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    let unsubscribe = page.identified.then(|| format!("{path}/unsubscribe"));
    let title = page.title.clone();
    view! {
        <RespondentFrame lang title>
            <AnswerForm page lang action=path.clone() submitted />
            {unsubscribe.map(|href| view! {
                <p class="muted small"><a href=href>{i18n::t(lang, "survey.unsubscribe_link")}</a></p>
            })}
        </RespondentFrame>
    }
    .into_any()
}

/// A link that cannot be answered: why, in words, and that nothing was recorded.
#[component]
fn LinkProblem(state: LinkState, lang: Lang) -> impl IntoView {
    let title = i18n::t(lang, state.message_key());
    view! {
        <RespondentFrame lang title=title.clone()>
            <h1>{title}</h1>
            <p>{i18n::t(lang, &format!("{}_hint", state.message_key()))}</p>
        </RespondentFrame>
    }
}

fn lang_of_query() -> Lang {
    use_query_map()
        .get_untracked()
        .get("lang")
        .and_then(|l| Lang::parse(&l))
        .unwrap_or_default()
}

/// `/survey/thanks`: after a response.
#[component]
pub fn SurveyThanksPage() -> impl IntoView {
    let lang = lang_of_query();
    let title = i18n::t(lang, "survey.thanks");
    view! {
        <RespondentFrame lang title=title.clone()>
            <h1>{title}</h1>
            <p>{i18n::t(lang, "survey.thanks_hint")}</p>
        </RespondentFrame>
    }
}

/// GET `/s/{token}/unsubscribe` (rendered by its handler): confirm, since following a link
/// must not be enough (mail scanners follow links).
#[component]
pub fn SurveyUnsubscribePage() -> impl IntoView {
    let Some(context) = use_context::<AnswerContext>() else {
        return view! { <LinkProblem state=LinkState::Unknown lang=Lang::default() /> }.into_any();
    };
    let lang = context.lang;
    if !context.page.identified {
        return view! { <LinkProblem state=LinkState::Unknown lang /> }.into_any();
    }
    let path = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    let title = i18n::t(lang, "survey.unsubscribe_title");
    view! {
        <RespondentFrame lang title=title.clone()>
            <h1>{title}</h1>
            <p>{i18n::t(lang, "survey.unsubscribe_hint")}</p>
            <form method="post" action=path>
                <button type="submit" class="primary">{i18n::t(lang, "survey.unsubscribe_confirm")}</button>
            </form>
        </RespondentFrame>
    }
    .into_any()
}

/// `/survey/unsubscribed`.
#[component]
pub fn SurveyUnsubscribedPage() -> impl IntoView {
    let lang = lang_of_query();
    let title = i18n::t(lang, "survey.unsubscribed");
    view! {
        <RespondentFrame lang title=title.clone()>
            <h1>{title}</h1>
            <p>{i18n::t(lang, "survey.unsubscribed_hint")}</p>
        </RespondentFrame>
    }
}
