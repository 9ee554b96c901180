//! The staff pages of surveys: the list with the form for a new one, a survey's page (its
//! settings, questions, sending and waves), a question's edit page, the preview and the
//! results. Plain forms, the same without JavaScript.
use super::api::{
    load_survey, load_survey_list, load_survey_picks, load_survey_preview, load_survey_results,
};
use super::model::{
    AudienceForm, AudienceGroup, QuestionForm, QuestionKind, QuestionView, SegmentScore,
    SubmittedAnswers, SubmittedAudience, SubmittedSurvey, SubmittedSurveyQuestion, SurveyDetail,
    SurveyForm, SurveyListPage, SurveyResults, SurveyStatus,
};
use crate::clients::model::{LifecycleStage, RiskAppetite, TicketBand};
use crate::core::i18n::{self, Lang};
use crate::ui::fields::{Area, Check, Choice, Text, id_options, message_for, options_of};
use crate::ui::layout::failed;
use crate::ui::session::{tr, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn param(name: &str) -> i64 {
    use_params_map()
        .get_untracked()
        .get(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn query(name: &str) -> Option<String> {
    use_query_map().get_untracked().get(name)
}

fn loading() -> impl IntoView {
    view! { <p class="muted">{tr("form.loading")}</p> }
}

fn status_name(s: Option<SurveyStatus>) -> String {
    s.map(|s| tr(&s.i18n_key())).unwrap_or_default()
}

fn one_decimal(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".into())
}

#[component]
pub fn SurveysPage() -> impl IntoView {
    let before = query("before").and_then(|b| b.parse().ok());
    let list = Resource::new(move || before, load_survey_list);
    view! {
        <Title text=tr("survey.title") />
        <h1>{tr("survey.title")}</h1>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(p) => view! { <SurveyList p /> }.into_any(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SurveyList(p: SurveyListPage) -> impl IntoView {
    let can_build = p.can_build;
    let key = p.new_form_key.clone();
    view! {
        {if p.items.is_empty() {
            view! { <p class="empty">{tr("survey.none")}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr>
                            <th scope="col">{tr("survey.name")}</th>
                            <th scope="col">{tr("survey.status")}</th>
                            <th scope="col">{tr("survey.questions")}</th>
                            <th scope="col">{tr("survey.responses")}</th>
                            <th scope="col">{tr("survey.updated")}</th>
                        </tr></thead>
                        <tbody>
                            {p.items.into_iter().map(|s| view! {
                                <tr>
                                    <td><a href=format!("/surveys/{}", s.id)>{s.title}</a></td>
                                    <td>{status_name(s.status)}</td>
                                    <td>{s.questions}</td>
                                    <td>{s.responses}</td>
                                    <td>{s.updated_at}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        {p.next.map(|n| view! { <p><a href=format!("/surveys?before={n}")>{tr("list.next_page")}</a></p> })}
        {can_build.then(|| view! {
            <section class="card" id="new" aria-labelledby="new-title">
                <h2 id="new-title">{tr("survey.new")}</h2>
                <SettingsForm action="/surveys/new".to_string() initial=SurveyForm { form_key: key.clone(), ..SurveyForm::from_pairs([]) } />
            </section>
        })}
    }
}

/// The survey's settings; shown again as posted after an error.
#[component]
fn SettingsForm(action: String, initial: SurveyForm) -> impl IntoView {
    let s = use_context::<SubmittedSurvey>().unwrap_or_default();
    let shown_again = !s.errors.is_empty() && s.form != SurveyForm::default();
    let f = if shown_again {
        SurveyForm {
            form_key: initial.form_key.clone(),
            version: initial.version.clone(),
            ..s.form.clone()
        }
    } else {
        initial
    };
    let errors = s.errors.clone();
    let err = move |field: &str| message_for(&errors, field);
    view! {
        {s.error_key.clone().map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
        <form method="post" action=action class="grid-form">
            <input type="hidden" name="form_key" value=f.form_key.clone() />
            <input type="hidden" name="version" value=f.version.clone() />
            <Text name="title_zh" label=tr("survey.title_zh") value=f.title_zh.clone() error=err("title_zh") required=true />
            <Text name="title_en" label=tr("survey.title_en") value=f.title_en.clone() error=err("title_en") required=true />
            <Area name="intro_zh" label=tr("survey.intro_zh") value=f.intro_zh.clone() error=err("intro_zh") />
            <Area name="intro_en" label=tr("survey.intro_en") value=f.intro_en.clone() error=err("intro_en") />
            <Text name="link_days" kind="number" label=tr("survey.link_days") value=f.link_days.clone() error=err("link_days") required=true />
            <Text name="reminder_days" kind="number" label=tr("survey.reminder_days") value=f.reminder_days.clone() error=err("reminder_days") required=true />
            <Text name="max_reminders" kind="number" label=tr("survey.max_reminders") value=f.max_reminders.clone() error=err("max_reminders") required=true />
            <Text name="recur_months" kind="number" label=tr("survey.recur_months") value=f.recur_months.clone() error=err("recur_months") />
            <button type="submit" class="primary">{tr("form.save")}</button>
        </form>
    }
}

#[component]
pub fn SurveyPage() -> impl IntoView {
    let id = param("id");
    let detail = Resource::new(move || id, load_survey);
    view! {
        <p><a href="/surveys">{tr("survey.title")}</a></p>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <SurveyView d /> }.into_any(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

/// The notice a finished form leaves in the address (`?saved=1`, `?sent=3&capped=1`).
fn notice() -> Option<String> {
    let lang = use_lang();
    if let Some(sent) = query("sent") {
        let capped = query("capped").unwrap_or_else(|| "0".into());
        return Some(i18n::t_with(
            lang,
            "survey.sent",
            &[("count", &sent), ("capped", &capped)],
        ));
    }
    [
        ("created", "survey.created"),
        ("saved", "form.saved"),
        ("question_saved", "survey.question_saved"),
        ("question_removed", "survey.question_removed"),
        ("status_changed", "survey.status_changed"),
        ("open_link_off", "survey.open_link_turned_off"),
        ("picked", "survey.picked"),
        ("unpicked", "survey.unpicked"),
    ]
    .into_iter()
    .find(|(q, _)| query(q).is_some())
    .map(|(_, key)| tr(key))
}

#[component]
fn SurveyView(d: SurveyDetail) -> impl IntoView {
    let id = d.id;
    let title = d.form.title_zh.clone();
    let status = d.status;
    let open = status == Some(SurveyStatus::Open);
    let can_change = d.can_build && status != Some(SurveyStatus::Closed);
    let settings = SurveyForm {
        form_key: d.form_key.clone(),
        ..d.form.clone()
    };
    let next_status = match status {
        Some(SurveyStatus::Draft) => Some((SurveyStatus::Open, "survey.open_action")),
        Some(SurveyStatus::Open) => Some((SurveyStatus::Closed, "survey.close_action")),
        _ => None,
    };
    let s = use_context::<SubmittedSurvey>().unwrap_or_default();
    let page_error = s
        .error_key
        .clone()
        .filter(|_| s.form == SurveyForm::default());
    view! {
        <Title text=title.clone() />
        <h1>{title} " " <span class="flag">{status_name(status)}</span></h1>
        <p class="muted">{d.form.title_en.clone()}</p>
        {notice().map(|n| view! { <p class="alert alert-success" role="status">{n}</p> })}
        {page_error.map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
        <p class="actions">
            <a href=format!("/surveys/{id}/results")>{tr("survey.results")} " (" {d.responses} ")"</a>
            " · " <a href=format!("/surveys/{id}/preview")>{tr("survey.preview")}</a>
            " · " <a href=format!("/surveys/{id}/preview?lang=en")>{tr("survey.preview_en")}</a>
        </p>
        {(d.can_build).then(|| next_status.map(|(to, label)| view! {
            <form method="post" action=format!("/surveys/{id}/status") class="inline-form">
                <input type="hidden" name="to" value=to.as_str() />
                <button type="submit">{tr(label)}</button>
            </form>
        })).flatten()}
        <section class="card" id="questions" aria-labelledby="questions-title">
            <h2 id="questions-title">{tr("survey.questions")}</h2>
            <QuestionList id questions=d.questions.clone() can_change />
            {can_change.then(|| view! { <AddQuestion id form_key=d.form_key.clone() /> })}
        </section>
        {(d.can_build && open).then(|| view! { <SendSection id projects=d.projects.clone() form_key=d.form_key.clone() /> })}
        {(d.can_build && status != Some(SurveyStatus::Closed) && d.purpose == Some(super::model::SurveyPurpose::Regular))
            .then(|| view! { <OpenLinkSection id on=d.open_link /> })}
        {(d.purpose == Some(super::model::SurveyPurpose::Regular)).then(|| view! { <PicksSection id /> })}
        <section class="card" id="waves" aria-labelledby="waves-title">
            <h2 id="waves-title">{tr("survey.waves")}</h2>
            <WaveTable waves=d.waves.clone() />
        </section>
        {can_change.then(|| view! {
            <section class="card" aria-labelledby="settings-title">
                <details>
                    <summary id="settings-title">{tr("survey.settings")}</summary>
                    <SettingsForm action=format!("/surveys/{id}/edit") initial=settings.clone() />
                </details>
            </section>
        })}
    }
}

fn kind_name(kind: Option<QuestionKind>) -> String {
    kind.map(|k| tr(&k.i18n_key())).unwrap_or_default()
}

#[component]
fn QuestionList(id: i64, questions: Vec<QuestionView>, can_change: bool) -> impl IntoView {
    if questions.is_empty() {
        return view! { <p class="empty">{tr("survey.no_questions")}</p> }.into_any();
    }
    let last = questions.len() - 1;
    view! {
        <ol class="survey-questions">
            {questions.into_iter().enumerate().map(|(i, q)| {
                let base = format!("/surveys/{id}/questions/{}", q.id);
                view! {
                    <li id=format!("question-{}", q.id)>
                        <p>
                            <strong>{q.prompt_zh.clone()}</strong>
                            " " <span class="flag">{kind_name(q.kind)}</span>
                            {q.required.then(|| view! { " " <span class="flag">{tr("survey.required")}</span> })}
                        </p>
                        <p class="muted small">{q.prompt_en.clone()}</p>
                        {(!q.choices_zh.is_empty()).then(|| view! {
                            <p class="small">{q.choices_zh.join(" / ")}</p>
                        })}
                        <p class="muted small">{i18n::t_with(use_lang(), "survey.answer_count", &[("count", &q.answers.to_string())])}</p>
                        {can_change.then(|| view! {
                            <div class="row-actions">
                                <a href=base.clone()>{tr("survey.edit_question")}</a>
                                {(i > 0).then(|| view! {
                                    <form method="post" action=format!("{base}/move") class="inline-form">
                                        <input type="hidden" name="direction" value="up" />
                                        <button type="submit" class="link-button" aria-label=format!("{} {}", tr("survey.move_up"), i + 1)>{tr("survey.move_up")}</button>
                                    </form>
                                })}
                                {(i < last).then(|| view! {
                                    <form method="post" action=format!("{base}/move") class="inline-form">
                                        <input type="hidden" name="direction" value="down" />
                                        <button type="submit" class="link-button" aria-label=format!("{} {}", tr("survey.move_down"), i + 1)>{tr("survey.move_down")}</button>
                                    </form>
                                })}
                                <form method="post" action=format!("{base}/remove") class="inline-form">
                                    <button type="submit" class="link-button" aria-label=format!("{} {}", tr("survey.remove_question"), i + 1)>{tr("survey.remove_question")}</button>
                                </form>
                            </div>
                        })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// The fields of a question, for adding one or editing one.
#[component]
fn QuestionFields(f: QuestionForm, errors: Vec<crate::core::error::FieldError>) -> impl IntoView {
    let err = move |field: &str| message_for(&errors, field);
    view! {
        <Choice name="kind" label=tr("survey.kind") options=options_of(QuestionKind::ALL, QuestionKind::as_str, QuestionKind::i18n_key) selected=f.kind.clone() error=err("kind") placeholder=tr("form.choose") />
        <Text name="prompt_zh" label=tr("survey.prompt_zh") value=f.prompt_zh.clone() error=err("prompt_zh") required=true />
        <Text name="prompt_en" label=tr("survey.prompt_en") value=f.prompt_en.clone() error=err("prompt_en") required=true />
        <Area name="choices_zh" label=tr("survey.choices_zh") value=f.choices_zh.clone() error=err("choices_zh") />
        <Area name="choices_en" label=tr("survey.choices_en") value=f.choices_en.clone() error=err("choices_en") />
        <Check name="required" label=tr("survey.required") checked=f.required />
    }
}

#[component]
fn AddQuestion(id: i64, form_key: String) -> impl IntoView {
    let s = use_context::<SubmittedSurveyQuestion>().filter(|s| s.question.is_none());
    let (f, errors, error_key) = match s {
        Some(s) => (s.form, s.errors, s.error_key),
        None => (
            QuestionForm {
                required: true,
                ..QuestionForm::default()
            },
            Vec::new(),
            None,
        ),
    };
    let key = if f.form_key.is_empty() {
        form_key
    } else {
        f.form_key.clone()
    };
    view! {
        <h3>{tr("survey.add_question")}</h3>
        <p class="hint">{tr("survey.choices_hint")}</p>
        {error_key.map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
        <form method="post" action=format!("/surveys/{id}/questions") class="grid-form">
            <input type="hidden" name="form_key" value=key />
            <QuestionFields f errors />
            <button type="submit" class="primary">{tr("survey.add_question")}</button>
        </form>
    }
}

#[component]
fn SendSection(id: i64, projects: Vec<(i64, String)>, form_key: String) -> impl IntoView {
    let s = use_context::<SubmittedAudience>().unwrap_or_default();
    let f: AudienceForm = s.form.clone();
    let errors = s.errors.clone();
    let err = move |field: &str| message_for(&errors, field);
    view! {
        <section class="card" id="send" aria-labelledby="send-title">
            <h2 id="send-title">{tr("survey.send")}</h2>
            <p class="hint">{tr("survey.send_hint")}</p>
            {s.error_key.clone().map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
            <form method="post" action=format!("/surveys/{id}/send") class="grid-form">
                <input type="hidden" name="form_key" value=form_key />
                <Choice name="group" label=tr("survey.audience") options=options_of(AudienceGroup::ALL, AudienceGroup::as_str, AudienceGroup::i18n_key) selected=f.group.clone() error=err("group") blank=false />
                <Choice name="project" label=tr("portal.project") options=id_options(&projects) selected=f.project.clone() error=err("project") placeholder=tr("survey.any_project") />
                <Choice name="risk_appetite" label=tr("clients.risk") options=options_of(RiskAppetite::ALL, RiskAppetite::as_str, RiskAppetite::i18n_key) selected=f.risk_appetite.clone() error=err("risk_appetite") placeholder=tr("survey.any") />
                <Choice name="band" label=tr("clients.band") options=options_of(TicketBand::ALL, TicketBand::as_str, TicketBand::i18n_key) selected=f.band.clone() error=err("band") placeholder=tr("survey.any") />
                <Choice name="stage" label=tr("clients.stage") options=options_of(LifecycleStage::ALL, LifecycleStage::as_str, LifecycleStage::i18n_key) selected=f.stage.clone() error=err("stage") placeholder=tr("survey.any") />
                <button type="submit" class="primary">{tr("survey.send_action")}</button>
            </form>
        </section>
    }
}

/// The clients chosen by hand for the "chosen" audience: a page of them with a button to
/// take each off, and a search (the client list's) to add more.
#[component]
fn PicksSection(id: i64) -> impl IntoView {
    let q = query("pick_q").unwrap_or_default();
    let picks = Resource::new(
        move || (id, query("pick_q"), query("picks_after")),
        |(id, q, after)| load_survey_picks(id, q, after),
    );
    view! {
        <section class="card" id="picks" aria-labelledby="picks-title">
            <h2 id="picks-title">{tr("survey.picks")}</h2>
            <p class="hint">{tr("survey.picks_hint")}</p>
            <Suspense fallback=loading>
                {move || {
                    let q = q.clone();
                    Suspend::new(async move {
                        match picks.await {
                            Ok(p) => view! { <PicksView id p q /> }.into_any(),
                            Err(error) => failed(error),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

fn client_kind_name(kind: Option<crate::clients::model::ClientKind>) -> String {
    kind.map(|k| tr(&k.i18n_key())).unwrap_or_default()
}

#[component]
fn PicksView(id: i64, p: super::model::SurveyPicks, q: String) -> impl IntoView {
    let lang = use_lang();
    let can_change = p.can_change;
    let search_q = q.clone();
    let found = p.found.clone();
    let total = p.total.to_string();
    let refused = message_for(
        &use_context::<SubmittedSurvey>().unwrap_or_default().errors,
        "client",
    );
    view! {
        {(!refused.is_empty()).then(|| view! { <p class="alert alert-error" role="alert">{tr(&refused)}</p> })}
        {can_change.then(|| view! {
            <form method="get" action=format!("/surveys/{id}#picks") role="search" class="inline-form">
                <label for="pick_q">{tr("survey.pick_search")}</label>
                <input id="pick_q" name="pick_q" type="search" value=search_q.clone() />
                <button type="submit">{tr("clients.search")}</button>
            </form>
        })}
        {(can_change && p.searched).then(|| if found.is_empty() {
            view! { <p class="empty">{tr("survey.pick_none_found")}</p> }.into_any()
        } else {
            let q = q.clone();
            view! {
                <ul class="pick-matches" id="pick-matches" aria-label=tr("survey.pick_matches")>
                    {found.into_iter().map(|m| {
                        let q = q.clone();
                        view! {
                            <li>
                                <span>{m.name.clone()} " · " {client_kind_name(m.kind)}</span> " "
                                {if m.picked {
                                    view! { <span class="flag">{tr("survey.pick_already")}</span> }.into_any()
                                } else {
                                    view! {
                                        <form method="post" action=format!("/surveys/{id}/picks") class="inline-form">
                                            <input type="hidden" name="client" value=m.client.to_string() />
                                            <input type="hidden" name="pick_q" value=q />
                                            <button type="submit" aria-label=i18n::t_with(lang, "survey.pick_add_named", &[("name", &m.name)])>{tr("survey.pick_add")}</button>
                                        </form>
                                    }.into_any()
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        })}
        <p id="pick-count">{i18n::t_with(lang, "survey.pick_count", &[("count", &total)])}</p>
        {(!p.rows.is_empty()).then(|| view! {
            <div class="table-wrap">
                <table id="pick-list">
                    <thead><tr>
                        <th scope="col">{tr("clients.name")}</th>
                        <th scope="col">{tr("clients.kind")}</th>
                        <th scope="col">{tr("clients.stage")}</th>
                        <th scope="col" class="num">{tr("survey.pick_reachable")}</th>
                        {can_change.then(|| view! { <th scope="col"><span class="visually-hidden">{tr("survey.pick_remove")}</span></th> })}
                    </tr></thead>
                    <tbody>
                        {p.rows.iter().map(|r| view! {
                            <tr data-client=r.client.to_string()>
                                <th scope="row"><a href=format!("/clients/{}", r.client)>{r.name.clone()}</a></th>
                                <td>{client_kind_name(r.kind)}</td>
                                <td>{r.stage.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</td>
                                <td class="num">{r.reachable}</td>
                                {can_change.then(|| view! {
                                    <td>
                                        <form method="post" action=format!("/surveys/{id}/picks/{}/remove", r.client) class="inline-form">
                                            <button type="submit" aria-label=i18n::t_with(lang, "survey.pick_remove_named", &[("name", &r.name)])>{tr("survey.pick_remove")}</button>
                                        </form>
                                    </td>
                                })}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        {p.next.map(|next| view! {
            <p><a href=format!("/surveys/{id}?picks_after={}#picks", crate::core::url::encode(&next))>{tr("list.next_page")}</a></p>
        })}
    }
}

/// The survey's anonymous open link: anyone with it may answer (rate-limited per address),
/// unidentified. Its address is shown once, right after it is made.
#[component]
fn OpenLinkSection(id: i64, on: bool) -> impl IntoView {
    let fresh = use_context::<super::model::NewOpenLink>();
    let on = on || fresh.is_some();
    view! {
        <section class="card" id="open-link" aria-labelledby="open-link-title">
            <h2 id="open-link-title">{tr("survey.open_link")}</h2>
            <p class="hint">{tr("survey.open_link_hint")}</p>
            {fresh.map(|link| view! {
                <div class="alert alert-success" role="status">
                    <p>{tr("survey.open_link_made")}</p>
                    <label for="open-link-url">{tr("survey.open_link_address")}</label>
                    <input id="open-link-url" type="url" readonly=true value=link.0 class="link-box" />
                </div>
            })}
            <p>{tr(if on { "survey.open_link_on" } else { "survey.open_link_none" })}</p>
            <form method="post" action=format!("/surveys/{id}/open-link") class="inline-form">
                <input type="hidden" name="turn" value="on" />
                <button type="submit">{tr(if on { "survey.open_link_replace" } else { "survey.open_link_make" })}</button>
            </form>
            {on.then(|| view! {
                <form method="post" action=format!("/surveys/{id}/open-link") class="inline-form">
                    <input type="hidden" name="turn" value="off" />
                    <button type="submit">{tr("survey.open_link_turn_off")}</button>
                </form>
            })}
        </section>
    }
}

#[component]
fn WaveTable(waves: Vec<super::model::WaveView>) -> impl IntoView {
    if waves.is_empty() {
        return view! { <p class="empty">{tr("survey.no_waves")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th scope="col">{tr("survey.wave")}</th>
                    <th scope="col">{tr("survey.started")}</th>
                    <th scope="col">{tr("survey.invited")}</th>
                    <th scope="col">{tr("survey.mail_sent")}</th>
                    <th scope="col">{tr("survey.mail_failed")}</th>
                    <th scope="col">{tr("survey.mail_pending")}</th>
                    <th scope="col">{tr("survey.answered")}</th>
                </tr></thead>
                <tbody>
                    {waves.into_iter().map(|w| view! {
                        <tr>
                            <td>{w.number}</td>
                            <td>{w.started_at}</td>
                            <td>{w.invited}</td>
                            <td>{w.sent}</td>
                            <td>{w.failed}</td>
                            <td>{w.pending}</td>
                            <td>{w.answered}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// `/surveys/{id}/questions/{question}`: a question's edit form on a page of its own.
#[component]
pub fn SurveyQuestionPage() -> impl IntoView {
    let id = param("id");
    let question = param("question");
    let detail = Resource::new(move || id, load_survey);
    view! {
        <p><a href=format!("/surveys/{id}#questions")>{tr("survey.back_to_survey")}</a></p>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                let d = match detail.await {
                    Ok(d) => d,
                    Err(error) => return failed(error),
                };
                let Some(q) = d.questions.iter().find(|q| q.id == question).cloned() else {
                    return failed(crate::core::error::AppError::NotFound);
                };
                let s = use_context::<SubmittedSurveyQuestion>().filter(|s| s.question == Some(question));
                let (f, errors, error_key) = match s {
                    Some(s) => (s.form, s.errors, s.error_key),
                    None => (
                        QuestionForm {
                            kind: q.kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
                            prompt_zh: q.prompt_zh.clone(),
                            prompt_en: q.prompt_en.clone(),
                            choices_zh: q.choices_zh.join("\n"),
                            choices_en: q.choices_en.join("\n"),
                            required: q.required,
                            form_key: String::new(),
                        },
                        Vec::new(),
                        None,
                    ),
                };
                view! {
                    <Title text=tr("survey.edit_question") />
                    <h1>{tr("survey.edit_question")}</h1>
                    {(q.answers > 0).then(|| view! { <p class="alert alert-info" role="note">{tr("survey.new_version_hint")}</p> })}
                    {error_key.map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
                    <form method="post" action=format!("/surveys/{id}/questions/{question}") class="grid-form">
                        <QuestionFields f errors />
                        <button type="submit" class="primary">{tr("form.save")}</button>
                    </form>
                }.into_any()
            })}
        </Suspense>
    }
}

/// `/surveys/{id}/preview`: the answer page exactly as a respondent sees it, in Chinese or
/// (`?lang=en`) English, with the send button locked.
#[component]
pub fn SurveyPreviewPage() -> impl IntoView {
    let id = param("id");
    let lang = query("lang")
        .and_then(|l| Lang::parse(&l))
        .unwrap_or_default();
    let page = Resource::new(
        move || (id, lang.code().to_string()),
        |(id, l)| load_survey_preview(id, l),
    );
    view! {
        <p><a href=format!("/surveys/{id}")>{tr("survey.back_to_survey")}</a></p>
        <div class="alert alert-info" role="note"><p>{tr("survey.preview_banner")}</p></div>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! {
                        <Title text=p.title.clone() />
                        <div class="respondent" lang=lang.html_lang()>
                            <super::answer_pages::AnswerForm page=p lang action=String::new() submitted=SubmittedAnswers::default() preview=true />
                        </div>
                    }.into_any(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn SurveyResultsPage() -> impl IntoView {
    let id = param("id");
    let wave = query("wave").and_then(|w| w.parse().ok());
    let results = Resource::new(move || (id, wave), |(id, w)| load_survey_results(id, w));
    view! {
        <p><a href=format!("/surveys/{id}")>{tr("survey.back_to_survey")}</a></p>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(r) => view! { <ResultsView r /> }.into_any(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ResultsView(r: SurveyResults) -> impl IntoView {
    let lang = use_lang();
    let id = r.id;
    let title = format!("{} · {}", tr("survey.results"), r.title);
    let rate = r
        .response_rate
        .map(|p| format!("{p:.0}%"))
        .unwrap_or_else(|| "—".into());
    view! {
        <Title text=title.clone() />
        <h1>{title}</h1>
        <nav aria-label=tr("survey.wave") class="tabs">
            <ul>
                <li><a href=format!("/surveys/{id}/results") aria-current=r.wave.is_none().then_some("page")>{tr("survey.all_waves")}</a></li>
                {r.waves.iter().map(|(wave, number)| view! {
                    <li><a href=format!("/surveys/{id}/results?wave={wave}") aria-current=(r.wave == Some(*wave)).then_some("page")>
                        {i18n::t_with(lang, "survey.wave_n", &[("n", &number.to_string())])}
                    </a></li>
                }).collect_view()}
            </ul>
        </nav>
        <dl class="facts" id="response-rate">
            <dt>{tr("survey.responses")}</dt><dd>{r.responses}</dd>
            <dt>{tr("survey.invited")}</dt><dd>{r.invited}</dd>
            <dt>{tr("survey.response_rate")}</dt><dd>{rate}</dd>
        </dl>
        {r.may_export.then(|| view! {
            <p><a href=format!("/surveys/{id}/responses.csv{}", r.wave.map(|w| format!("?wave={w}")).unwrap_or_default())>{tr("survey.export_csv")}</a></p>
        })}
        {(!r.trend_svg.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="trend-title">
                <h2 id="trend-title">{tr("survey.trend")}</h2>
                <div class="chart-wrap" inner_html=r.trend_svg.clone()></div>
                <TrendTable points=r.trend.clone() />
            </section>
        })}
        {r.questions.into_iter().map(|q| view! { <QuestionResultCard q /> }).collect_view()}
        <SegmentTable title=tr("survey.by_risk") rows=r.by_risk.clone() />
        <SegmentTable title=tr("survey.by_stage") rows=r.by_stage.clone() />
    }
}

#[component]
fn TrendTable(points: Vec<super::model::TrendPoint>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th scope="col">{tr("survey.wave")}</th>
                    <th scope="col">{tr("survey.responses")}</th>
                    <th scope="col">"NPS"</th>
                    <th scope="col">"CSAT %"</th>
                    <th scope="col">"CES"</th>
                </tr></thead>
                <tbody>
                    {points.into_iter().map(|p| view! {
                        <tr>
                            <td>{p.label}</td>
                            <td>{p.responses}</td>
                            <td>{p.nps.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td>{one_decimal(p.csat)}</td>
                            <td>{one_decimal(p.ces)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn QuestionResultCard(q: super::model::QuestionResult) -> impl IntoView {
    let lang = use_lang();
    let headline = if let Some(n) = q.nps {
        Some(i18n::t_with(
            lang,
            "survey.nps_line",
            &[
                ("score", &n.score.to_string()),
                ("promoters", &n.promoters.to_string()),
                ("passives", &n.passives.to_string()),
                ("detractors", &n.detractors.to_string()),
            ],
        ))
    } else if let Some(c) = q.csat {
        Some(format!("CSAT {c:.1}%"))
    } else if let Some(c) = q.ces {
        Some(format!("CES {c:.2}"))
    } else {
        q.mean
            .map(|m| i18n::t_with(lang, "survey.mean_line", &[("mean", &format!("{m:.2}"))]))
    };
    let max = q
        .distribution
        .iter()
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(0)
        .max(1);
    view! {
        <section class="card question-result" id=format!("result-{}", q.id)>
            <h2>{q.prompt.clone()} " " <span class="flag">{kind_name(q.kind)}</span>
                {q.retired.then(|| view! { " " <span class="flag">{tr("survey.retired")}</span> })}
            </h2>
            <p class="muted">{i18n::t_with(lang, "survey.answer_count", &[("count", &q.answers.to_string())])}</p>
            {headline.map(|h| view! { <p class="headline">{h}</p> })}
            {(!q.distribution.is_empty()).then(|| view! {
                <table class="bars">
                    <caption class="visually-hidden">{tr("survey.distribution")}</caption>
                    <tbody>
                        {q.distribution.iter().map(|(label, n)| {
                            // A progress element, not a styled span: the CSP allows no
                            // inline styles.
                            view! {
                                <tr>
                                    <th scope="row">{label.clone()}</th>
                                    <td><progress class="bar" max=max.to_string() value=n.to_string() aria-label=label.clone()></progress> " " {*n}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {(!q.texts.is_empty()).then(|| view! {
                <ul class="texts">
                    {q.texts.iter().map(|t| view! { <li class="prose">{t.clone()}</li> }).collect_view()}
                </ul>
            })}
        </section>
    }
}

#[component]
fn SegmentTable(title: String, rows: Vec<SegmentScore>) -> impl IntoView {
    (!rows.is_empty()).then(|| view! {
        <section class="card">
            <h2>{title}</h2>
            <div class="table-wrap">
                <table>
                    <thead><tr>
                        <th scope="col">{tr("survey.segment")}</th>
                        <th scope="col">{tr("survey.responses")}</th>
                        <th scope="col">"NPS"</th>
                        <th scope="col">"CSAT %"</th>
                        <th scope="col">"CES"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|s| view! {
                            <tr>
                                <td>{tr(&s.label_key)}</td>
                                <td>{s.responses}</td>
                                <td>{s.nps.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
                                <td>{one_decimal(s.csat)}</td>
                                <td>{one_decimal(s.ces)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    })
}

/// On a client's page: what its contacts answered in surveys, newest first.
#[component]
pub fn ClientSurveySection(client: i64) -> impl IntoView {
    let before = query("answers_before").and_then(|b| b.parse().ok());
    let answers = Resource::new(
        move || (client, before),
        |(c, b)| super::api::load_client_answers(c, b),
    );
    let score = |v: Option<i64>| v.map(|s| s.to_string()).unwrap_or_else(|| "—".into());
    view! {
        <section class="card" id="survey-answers" aria-labelledby="survey-answers-title">
            <h2 id="survey-answers-title">{tr("survey.client_answers")}</h2>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    let a = match answers.await {
                        Ok(a) => a,
                        Err(error) => return failed(error),
                    };
                    if a.rows.is_empty() {
                        return view! { <p class="empty">{tr("survey.client_no_answers")}</p> }.into_any();
                    }
                    view! {
                        <div class="table-wrap">
                            <table>
                                <thead><tr>
                                    <th scope="col">{tr("survey.csv.submitted")}</th>
                                    <th scope="col">{tr("survey.csv.contact")}</th>
                                    <th scope="col">{tr("survey.name")}</th>
                                    <th scope="col">"NPS"</th>
                                    <th scope="col">"CSAT"</th>
                                    <th scope="col">"CES"</th>
                                    <th scope="col">{tr("survey.comment")}</th>
                                </tr></thead>
                                <tbody>
                                    {a.rows.into_iter().map(|r| view! {
                                        <tr>
                                            <td>{r.submitted_at}</td>
                                            <td>{r.contact}</td>
                                            <td>{r.survey}</td>
                                            <td>{score(r.nps)}</td>
                                            <td>{score(r.csat)}</td>
                                            <td>{score(r.ces)}</td>
                                            <td>{r.comment.unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {a.next.map(|n| view! {
                            <p><a href=format!("/clients/{client}?answers_before={n}#survey-answers")>{tr("list.next_page")}</a></p>
                        })}
                    }.into_any()
                })}
            </Suspense>
        </section>
    }
}
