//! Staff pages of project updates: the section on the project page, the new-update page,
//! and one version's page (edit and publish a draft, start a correction, see who has not
//! acknowledged a disclosure). Plain forms, the same with JavaScript off.
use super::api::{get_update, list_updates, load_update_new};
use super::model::{SubmittedUpdate, UpdateDetail, UpdateForm, UpdateKind, UpdatePage};
use crate::core::i18n;
use crate::ui::fields::{Area, Choice, Text, message_for, options_of};
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

/// The updates section of a project page.
#[component]
pub fn UpdatesSection(project: i64) -> impl IntoView {
    let before = use_query_map()
        .get_untracked()
        .get("updates_before")
        .and_then(|b| b.parse().ok());
    let page = Resource::new(move || (project, before), |(p, b)| list_updates(p, b));
    view! {
        <section class="card" id="updates">
            <h2>{tr("updates.title")}</h2>
            <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <UpdateList project p /> }.into_any(),
                        Err(error) => failed(error),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn UpdateList(project: i64, p: UpdatePage) -> impl IntoView {
    let lang = use_lang();
    view! {
        {p.can_publish.then(|| view! { <p><a class="button" href=format!("/projects/{project}/updates/new")>{tr("updates.new")}</a></p> })}
        {if p.items.is_empty() {
            view! { <p class="empty">{tr("updates.none")}</p> }.into_any()
        } else {
            view! {
                <ul class="history">
                    {p.items.into_iter().map(|u| {
                        let state = if u.published {
                            u.published_at.clone().unwrap_or_default()
                        } else {
                            tr("updates.draft")
                        };
                        let acks = u.acknowledged.map(|(done, of)| i18n::t_with(lang, "updates.acknowledged_of", &[("done", &done.to_string()), ("of", &of.to_string())]));
                        view! {
                            <li>
                                <a href=format!("/projects/{project}/updates/{}", u.id)>{u.title}</a>
                                " · " {u.kind.map(|k| tr(&k.i18n_key())).unwrap_or_default()}
                                " · v" {u.series_version} " · " {state}
                                {acks.map(|a| view! { " · " <span class="flag">{a}</span> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {p.next.map(|n| view! { <p><a href=format!("/projects/{project}?updates_before={n}#updates")>{tr("list.next_page")}</a></p> })}
    }
}

/// The fields of an update form, with the posted input and messages when shown again.
#[component]
fn UpdateFields(form: UpdateForm, errors: Vec<crate::core::error::FieldError>) -> impl IntoView {
    let err = |field: &str| Some(message_for(&errors, field));
    view! {
        <Choice name="kind" label=tr("updates.kind") options=options_of(UpdateKind::ALL, UpdateKind::as_str, UpdateKind::i18n_key) selected=form.kind.clone() error=err("kind").unwrap_or_default() placeholder=tr("form.choose") />
        <Text name="title" label=tr("updates.title_field") value=form.title.clone() error=err("title").unwrap_or_default() required=true />
        <Area name="body" label=tr("updates.body") value=form.body.clone() error=err("body").unwrap_or_default() required=true />
        <p class="hint">{tr("updates.ack_hint")}</p>
    }
}

#[component]
pub fn UpdateNewPage() -> impl IntoView {
    let project = param("id");
    let info = Resource::new(move || project, load_update_new);
    let submitted = use_context::<SubmittedUpdate>();
    view! {
        <Title text=tr("updates.new") />
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || {
                let submitted = submitted.clone();
                Suspend::new(async move {
                    match info.await {
                        Ok(info) => {
                            let s = submitted.unwrap_or_default();
                            let key = if s.form.form_key.is_empty() { info.form_key.clone() } else { s.form.form_key.clone() };
                            view! {
                                <p><a href=format!("/projects/{}#updates", info.project_id)>{info.project_name.clone()}</a></p>
                                <h1>{tr("updates.new")}</h1>
                                {s.error_key.clone().map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
                                <form method="post" class="grid-form">
                                    <input type="hidden" name="form_key" value=key />
                                    <UpdateFields form=s.form.clone() errors=s.errors.clone() />
                                    <button type="submit" class="primary">{tr("updates.save_draft")}</button>
                                </form>
                            }.into_any()
                        }
                        Err(error) => failed(error),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn UpdateDetailPage() -> impl IntoView {
    let id = param("update");
    let query = use_query_map().get_untracked();
    let notice = ["created", "saved", "published", "new_version"]
        .into_iter()
        .find(|k| query.get(k).is_some())
        .map(|k| format!("updates.notice.{k}"));
    let detail = Resource::new(move || id, get_update);
    let submitted = use_context::<SubmittedUpdate>();
    view! {
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || {
                let submitted = submitted.clone();
                let notice = notice.clone();
                Suspend::new(async move {
                    match detail.await {
                        Ok(d) => view! {
                            {notice.map(|k| view! { <p class="alert alert-success" role="status">{tr(&k)}</p> })}
                            <UpdateView d submitted />
                        }.into_any(),
                        Err(error) => failed(error),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn UpdateView(d: UpdateDetail, submitted: Option<SubmittedUpdate>) -> impl IntoView {
    let lang = use_lang();
    let base = format!("/projects/{}/updates/{}", d.project_id, d.id);
    let error_key = submitted.as_ref().and_then(|s| s.error_key.clone());
    let (form, errors) = match submitted {
        Some(s) if !s.form.title.is_empty() || !s.errors.is_empty() => (s.form, s.errors),
        _ => (d.form.clone(), Vec::new()),
    };
    let status = if d.published {
        i18n::t_with(
            lang,
            "updates.published_at",
            &[
                ("at", &d.published_at.clone().unwrap_or_default()),
                ("by", &d.published_by.clone().unwrap_or_default()),
            ],
        )
    } else {
        tr("updates.draft")
    };
    view! {
        <Title text=d.title.clone() />
        <p><a href=format!("/projects/{}#updates", d.project_id)>{d.project_name.clone()}</a></p>
        <h1>{d.title.clone()}</h1>
        <p class="muted">
            {d.kind.map(|k| tr(&k.i18n_key())).unwrap_or_default()} " · v" {d.series_version} " · " {status}
        </p>
        {error_key.map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
        {if d.published {
            view! {
                <section class="card">
                    <p class="prose">{d.body.clone()}</p>
                    {d.content_hash.clone().map(|h| view! { <p class="muted small">{tr("updates.content_hash")} " " <code>{h}</code></p> })}
                </section>
                {d.can_edit.then(|| view! {
                    <form method="post" action=format!("{base}/new-version")>
                        <button type="submit">{tr("updates.new_version")}</button>
                    </form>
                })}
            }.into_any()
        } else if d.can_edit {
            view! {
                <section class="card">
                    <form method="post" action=format!("{base}/edit") class="grid-form">
                        <input type="hidden" name="version" value=d.version />
                        <UpdateFields form errors />
                        <button type="submit">{tr("form.save")}</button>
                    </form>
                </section>
                <section class="card">
                    <h2>{tr("updates.publish")}</h2>
                    <p>{tr("updates.publish_hint")}</p>
                    <form method="post" action=format!("{base}/publish")>
                        <input type="hidden" name="version" value=d.version />
                        <button type="submit" class="primary">{tr("updates.publish")}</button>
                    </form>
                </section>
            }.into_any()
        } else {
            view! { <section class="card"><p class="prose">{d.body.clone()}</p></section> }.into_any()
        }}
        {(d.published && d.requires_ack).then(|| {
            let summary = i18n::t_with(lang, "updates.acknowledged_count", &[("count", &d.acknowledged.to_string())]);
            view! {
                <section class="card">
                    <h2>{tr("updates.pending_title")}</h2>
                    <p>{summary}</p>
                    {if d.pending.is_empty() {
                        view! { <p class="empty">{tr("updates.pending_none")}</p> }.into_any()
                    } else {
                        view! {
                            <ul>{d.pending.iter().map(|p| view! { <li>{p.name.clone()} " · " {p.email.clone()}</li> }).collect_view()}</ul>
                        }.into_any()
                    }}
                </section>
            }
        })}
        <section class="card">
            <h2>{tr("updates.versions")}</h2>
            <ol class="history">
                {d.versions.iter().map(|v| {
                    let when = v.published_at.clone().unwrap_or_else(|| tr("updates.draft"));
                    view! {
                        <li><a href=format!("/projects/{}/updates/{}", d.project_id, v.id) aria-current=(v.id == d.id).then_some("page")>{format!("v{}", v.series_version)}</a> " · " {when}</li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
