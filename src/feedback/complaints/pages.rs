//! Pages of complaints: the staff queue and one complaint with its whole timeline and the
//! post form; and the parts the investor's pages share (the list and the timeline).
use super::api::{complaint_queue, staff_complaint};
use super::model::{ComplaintDetail, ComplaintPage, EventView, SubmittedResponse};
use crate::ui::fields::{Area, Choice, message_for};
use crate::ui::layout::failed;
use crate::ui::session::tr;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

pub fn param_id() -> i64 {
    use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// A page of complaints linking to `base/{id}`; `next` is the link's query before the id.
#[component]
pub fn ComplaintList(
    p: ComplaintPage,
    base: &'static str,
    staff: bool,
    next: String,
) -> impl IntoView {
    let unseen = p.unseen;
    view! {
        {if p.items.is_empty() {
            view! { <p class="empty">{tr("complaint.none")}</p> }.into_any()
        } else {
            view! {
                <ul class="feed">
                    {p.items.into_iter().map(|c| {
                        let category = c.category.map(|k| tr(&k.i18n_key())).unwrap_or_default();
                        view! {
                            <li>
                                <a href=format!("{base}/{}", c.id)>{format!("#{} {category}", c.id)}</a>
                                " " <span class="flag">{c.status.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</span>
                                {unseen.contains(&c.id).then(|| view! { " " <span class="flag warning new-response">{tr("complaint.new_response")}</span> })}
                                {staff.then(|| view! { " " <span class="flag">{c.severity.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</span> })}
                                <br /><span class="muted small">
                                    {staff.then(|| format!("{} · ", c.entity.clone().unwrap_or_default()))}
                                    {c.project.clone().map(|p| format!("{p} · "))}
                                    {c.created_at.clone()}
                                    {staff.then(|| c.assignee.clone().map(|a| format!(" · {a}"))).flatten()}
                                </span>
                                <br />{c.summary.clone()}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {p.next.map(|n| view! { <p><a href=format!("{base}?{next}{n}")>{tr("list.next_page")}</a></p> })}
    }
}

/// The timeline of a complaint, oldest first.
#[component]
pub fn Timeline(description: String, events: Vec<EventView>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="complaint-description">
            <h2 id="complaint-description">{tr("complaint.description")}</h2>
            <p class="prose">{description}</p>
        </section>
        <ol class="thread" aria-label=tr("complaint.timeline")>
            {events.into_iter().map(|e| {
                let what = match (e.kind.as_str(), e.to_status) {
                    ("raised", _) => tr("complaint.event.raised"),
                    ("status", Some(s)) => format!("{} {}", tr("complaint.event.status"), tr(&s.i18n_key())),
                    ("note", _) => tr("complaint.event.note"),
                    _ => tr("complaint.event.response"),
                };
                view! {
                    <li class:staff=e.by_staff class:note=!e.visible_to_client class="card">
                        <p class="muted small">{what} " · " {e.by} " · " {e.at}</p>
                        {e.body.map(|b| view! { <p class="prose">{b}</p> })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// One line of facts about a complaint.
#[component]
pub fn ComplaintFacts(d: ComplaintDetail) -> impl IntoView {
    let r = d.row;
    view! {
        <p class="muted">
            {r.entity.clone()} {r.project.clone().map(|p| format!(" · {p}"))}
            " · " {r.category.map(|k| tr(&k.i18n_key())).unwrap_or_default()}
            " · " <strong>{r.status.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</strong>
            " · " {r.created_at.clone()}
        </p>
    }
}

#[component]
pub fn ComplaintQueuePage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let all = query.get("show").as_deref() == Some("all");
    let before = query.get("before").and_then(|b| b.parse().ok());
    let page = Resource::new(move || (all, before), |(a, b)| complaint_queue(a, b));
    let next = if all { "show=all&before=" } else { "before=" }.to_string();
    view! {
        <Title text=tr("complaint.queue") />
        <h1>{tr("complaint.queue")}</h1>
        <nav aria-label=tr("complaint.queue") class="tabs">
            <a href="/complaints" aria-current=(!all).then_some("page")>{tr("complaint.open_ones")}</a> " "
            <a href="/complaints?show=all" aria-current=all.then_some("page")>{tr("complaint.all")}</a>
        </nav>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || {
                let next = next.clone();
                Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <ComplaintList p base="/complaints" staff=true next /> }.into_any(),
                        Err(error) => failed(error),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn ComplaintDetailPage() -> impl IntoView {
    let id = param_id();
    let posted = use_query_map().get_untracked().get("posted").is_some();
    let detail = Resource::new(move || id, staff_complaint);
    view! {
        <p><a href="/complaints">{tr("complaint.queue")}</a></p>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let title = format!("{} #{}", tr("complaint.title"), d.row.id);
                        view! {
                            <Title text=title.clone() />
                            <h1>{title}</h1>
                            {posted.then(|| view! { <p class="alert alert-success" role="status">{tr("complaint.posted")}</p> })}
                            <ComplaintFacts d=d.clone() />
                            <Timeline description=d.description.clone() events=d.events.clone() />
                            {d.can_respond.then(|| view! { <PostForm d=d.clone() /> })}
                        }.into_any()
                    }
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PostForm(d: ComplaintDetail) -> impl IntoView {
    let s = use_context::<SubmittedResponse>().unwrap_or_default();
    let err = |f: &str| message_for(&s.errors, f);
    let statuses: Vec<(String, String)> = d
        .next_statuses
        .iter()
        .map(|st| (st.as_str().to_string(), tr(&st.i18n_key())))
        .collect();
    let kinds = vec![
        ("response".to_string(), tr("complaint.kind.response")),
        ("note".to_string(), tr("complaint.kind.note")),
    ];
    let kind = if s.form.kind.is_empty() {
        "response".to_string()
    } else {
        s.form.kind.clone()
    };
    view! {
        <section class="card" aria-labelledby="post-title">
            <h2 id="post-title">{tr("complaint.post")}</h2>
            {s.error_key.clone().map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
            <form method="post" action=format!("/complaints/{}/respond", d.row.id) class="grid-form">
                <input type="hidden" name="version" value=d.version.to_string() />
                <Choice name="kind" label=tr("complaint.kind") options=kinds selected=kind error=err("kind") blank=false />
                <Area name="body" label=tr("complaint.body") value=s.form.body.clone() error=err("body") />
                <Choice name="status" label=tr("complaint.new_status") options=statuses selected=s.form.status.clone() error=err("status") placeholder=tr("complaint.keep_status") />
                <button type="submit" class="primary">{tr("complaint.send")}</button>
            </form>
        </section>
    }
}
