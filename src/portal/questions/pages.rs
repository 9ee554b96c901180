//! Pages of questions: the investor's list with the ask form and one thread (portal), the
//! staff queue and one thread with the answer form. Plain forms, the same without JavaScript.
use super::api::{load_ask_options, my_question, my_questions, question_queue, staff_question};
use super::model::{AskOptions, QuestionPage, QuestionStatus, QuestionThread, SubmittedQuestion};
use crate::portal::preview::{PreviewLock, portal_path, use_preview};
use crate::ui::fields::{Area, Choice, Text, message_for};
use crate::ui::layout::failed;
use crate::ui::session::tr;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn query_id(name: &str) -> Option<i64> {
    use_query_map()
        .get_untracked()
        .get(name)
        .and_then(|v| v.parse().ok())
}

fn param_id() -> i64 {
    use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[component]
fn QuestionList(
    p: QuestionPage,
    #[prop(into)] base: String,
    staff: bool,
    next_query: String,
) -> impl IntoView {
    view! {
        {if p.items.is_empty() {
            view! { <p class="empty">{tr("questions.none")}</p> }.into_any()
        } else {
            view! {
                <ul class="feed">
                    {p.items.into_iter().map(|q| view! {
                        <li class:unread=q.unread>
                            <a href=format!("{base}/{}", q.id)>{q.subject}</a>
                            {q.unread.then(|| view! { " " <span class="flag">{tr("questions.new_answer")}</span> })}
                            " " <span class="flag">{q.status.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</span>
                            <br /><span class="muted small">
                                {staff.then(|| format!("{} · {} · ", q.asker.clone().unwrap_or_default(), q.entity.clone().unwrap_or_default()))}
                                {q.project_name.clone().unwrap_or_else(|| tr("questions.general"))} " · " {q.asked_at}
                            </span>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {p.next.map(|n| view! { <p><a href=format!("{base}?{next_query}{n}")>{tr("list.next_page")}</a></p> })}
    }
}

#[component]
fn Thread(t: QuestionThread) -> impl IntoView {
    view! {
        <p class="muted">
            {t.entity.clone()} " · " {t.project_name.clone().unwrap_or_else(|| tr("questions.general"))}
            " · " {t.status.map(|s| tr(&s.i18n_key())).unwrap_or_default()}
        </p>
        <ol class="thread">
            {t.messages.into_iter().map(|m| view! {
                <li class:staff=m.from_staff class="card">
                    <p class="muted small">{m.author} " · " {m.at}</p>
                    <p class="prose">{m.body}</p>
                </li>
            }).collect_view()}
        </ol>
    }
}

/// A text box and a send button posting to `action`, showing the posted text on an error.
#[component]
fn MessageForm(action: String, label: String, button: String) -> impl IntoView {
    let submitted = use_context::<SubmittedQuestion>().unwrap_or_default();
    view! {
        {submitted.error_key.clone().map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
        <form method="post" action=action class="stack">
            <PreviewLock>
                <Area name="body" label value=submitted.form.body.clone() error=message_for(&submitted.errors, "body") required=true />
                <button type="submit" class="primary">{button}</button>
            </PreviewLock>
        </form>
    }
}

#[component]
pub fn PortalQuestionsPage() -> impl IntoView {
    let before = query_id("before");
    let preview = use_preview();
    let list = Resource::new(move || (before, preview), |(b, p)| my_questions(b, p));
    let options = Resource::new(move || preview, load_ask_options);
    let base = portal_path(preview, "/questions");
    view! {
        <Title text=tr("questions.title") />
        <h1>{tr("questions.title")}</h1>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || { let base = base.clone(); Suspend::new(async move {
                let ask = match options.await {
                    Ok(o) => view! { <AskForm o /> }.into_any(),
                    Err(error) => failed(error),
                };
                let mine = match list.await {
                    Ok(p) => view! { <QuestionList p base=base.clone() staff=false next_query="before=".to_string() /> }.into_any(),
                    Err(error) => failed(error),
                };
                view! {
                    <section class="card" id="ask"><h2>{tr("questions.ask")}</h2>{ask}</section>
                    <section class="card"><h2>{tr("questions.mine")}</h2>{mine}</section>
                }
            })}}
        </Suspense>
    }
}

#[component]
fn AskForm(o: AskOptions) -> impl IntoView {
    let s = use_context::<SubmittedQuestion>().unwrap_or_default();
    let key = if s.form.form_key.is_empty() {
        o.form_key.clone()
    } else {
        s.form.form_key.clone()
    };
    let errors = s.errors.clone();
    let err = move |f: &str| message_for(&errors, f);
    let projects: Vec<(String, String)> = o
        .projects
        .iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect();
    let entities: Vec<(String, String)> = o
        .entities
        .iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect();
    let several = entities.len() > 1;
    view! {
        {s.error_key.clone().map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
        <form method="post" action="/portal/questions" class="grid-form">
            <input type="hidden" name="form_key" value=key />
            <PreviewLock>
                {several.then(|| view! {
                    <Choice name="entity" label=tr("portal.entity") options=entities.clone() selected=s.form.entity.clone() error=err("entity") blank=false />
                })}
                <Choice name="project" label=tr("portal.project") options=projects selected=s.form.project.clone() error=err("project") placeholder=tr("questions.general") />
                <Text name="subject" label=tr("questions.subject") value=s.form.subject.clone() error=err("subject") required=true />
                <Area name="body" label=tr("questions.body") value=s.form.body.clone() error=err("body") required=true />
                <button type="submit" class="primary">{tr("questions.send")}</button>
            </PreviewLock>
        </form>
    }
}

#[component]
pub fn PortalQuestionPage() -> impl IntoView {
    let id = param_id();
    let query = use_query_map().get_untracked();
    let notice = if query.get("asked").is_some() {
        Some("questions.asked")
    } else if query.get("replied").is_some() {
        Some("questions.replied")
    } else {
        None
    };
    let preview = use_preview();
    let thread = Resource::new(move || (id, preview), |(id, p)| my_question(id, p));
    view! {
        <p><a href=portal_path(preview, "/questions")>{tr("questions.title")}</a></p>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match thread.await {
                    Ok(t) => {
                        let action = format!("/portal/questions/{}/reply", t.id);
                        view! {
                            <Title text=t.subject.clone() />
                            <h1>{t.subject.clone()}</h1>
                            {notice.map(|k| view! { <p class="alert alert-success" role="status">{tr(k)}</p> })}
                            <Thread t />
                            <section class="card"><h2>{tr("questions.follow_up")}</h2>
                                <MessageForm action label=tr("questions.body") button=tr("questions.send") />
                            </section>
                        }.into_any()
                    }
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn QuestionQueuePage() -> impl IntoView {
    let status = use_query_map()
        .get_untracked()
        .get("status")
        .and_then(|s| QuestionStatus::parse(&s));
    let after = query_id("after");
    let page = Resource::new(move || (status, after), |(s, a)| question_queue(s, a));
    let current = status.unwrap_or(QuestionStatus::Open);
    let next_query = format!("status={}&after=", current.as_str());
    view! {
        <Title text=tr("questions.queue") />
        <h1>{tr("questions.queue")}</h1>
        <nav aria-label=tr("questions.queue") class="tabs">
            {QuestionStatus::ALL.iter().map(|s| view! {
                <a href=format!("/questions?status={}", s.as_str()) aria-current=(*s == current).then_some("page")>{tr(&s.i18n_key())}</a> " "
            }).collect_view()}
        </nav>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || {
                let next_query = next_query.clone();
                Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <QuestionList p base="/questions" staff=true next_query /> }.into_any(),
                        Err(error) => failed(error),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn QuestionPage() -> impl IntoView {
    let id = param_id();
    let answered = use_query_map().get_untracked().get("answered").is_some();
    let thread = Resource::new(move || id, staff_question);
    view! {
        <p><a href="/questions">{tr("questions.queue")}</a></p>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match thread.await {
                    Ok(t) => {
                        let action = format!("/questions/{}/answer", t.id);
                        let can_answer = t.can_answer;
                        view! {
                            <Title text=t.subject.clone() />
                            <h1>{t.subject.clone()}</h1>
                            <p class="muted">{tr("questions.asked_by")} " " {t.asker.clone()}</p>
                            {answered.then(|| view! { <p class="alert alert-success" role="status">{tr("questions.answer_sent")}</p> })}
                            <Thread t />
                            {can_answer.then(|| view! {
                                <section class="card"><h2>{tr("questions.answer")}</h2>
                                    <MessageForm action label=tr("questions.answer") button=tr("questions.send_answer") />
                                </section>
                            })}
                        }.into_any()
                    }
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}
