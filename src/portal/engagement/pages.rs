//! `/portal-users/{id}`: what one portal user did with what the firm shared, for staff.
use super::api::load_engagement;
use super::model::{Engagement, EngagementEvent};
use crate::core::i18n;
use crate::core::url::encode;
use crate::ui::layout::failed;
use crate::ui::session::{tr, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn EngagementPage() -> impl IntoView {
    let user = use_params_map()
        .get_untracked()
        .get("user")
        .and_then(|u| u.parse::<i64>().ok())
        .unwrap_or(0);
    let before = use_query_map().get_untracked().get("before");
    let page = Resource::new(
        move || (user, before.clone()),
        |(user, before)| load_engagement(user, before),
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(e) => view! { <EngagementView e /> }.into_any(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EngagementView(e: Engagement) -> impl IntoView {
    let lang = use_lang();
    let title = i18n::t_with(lang, "engagement.title", &[("name", &e.name)]);
    let active = e.status != crate::portal::access::model::PortalUserStatus::Deactivated;
    view! {
        <Title text=title.clone() />
        <h1>{title}</h1>
        <section class="card" aria-labelledby="who-title">
            <h2 id="who-title" class="visually-hidden">{tr("engagement.who")}</h2>
            <dl class="facts">
                <dt>{tr("contacts.email")}</dt><dd>{e.email.clone()}</dd>
                <dt>{tr("engagement.status")}</dt><dd>{tr(e.status.i18n_key())}</dd>
                <dt>{tr("portal.access.last_sign_in")}</dt><dd>{e.last_sign_in.clone().unwrap_or_else(|| tr("engagement.never"))}</dd>
                <dt>{tr("engagement.acts_for")}</dt>
                <dd>
                    {e.entities.iter().enumerate().map(|(i, (id, name))| view! {
                        {(i > 0).then_some("、")}<a href=format!("/clients/{id}#portal")>{name.clone()}</a>
                    }).collect_view()}
                </dd>
            </dl>
            {active.then(|| view! {
                <p><a class="button" href=format!("/portal-users/{}/preview", e.id)>{tr("preview.open")}</a></p>
                <p class="hint">{tr("preview.hint")}</p>
            })}
        </section>
        <section class="card" aria-labelledby="counts-title">
            <h2 id="counts-title">{tr("engagement.counts")}</h2>
            <dl class="facts" id="engagement-counts">
                <dt>{tr("engagement.kind.read")}</dt><dd>{e.counts.read}</dd>
                <dt>{tr("engagement.kind.acknowledged")}</dt><dd>{e.counts.acknowledged}</dd>
                <dt>{tr("engagement.kind.viewed")}</dt><dd>{e.counts.viewed}</dd>
                <dt>{tr("engagement.kind.downloaded")}</dt><dd>{e.counts.downloaded}</dd>
            </dl>
        </section>
        <section class="card" aria-labelledby="awaiting-title" id="awaiting">
            <h2 id="awaiting-title">{tr("engagement.awaiting")}</h2>
            {if e.awaiting.is_empty() {
                view! { <p class="empty">{tr("engagement.awaiting_none")}</p> }.into_any()
            } else {
                view! {
                    <ul class="feed">
                        {e.awaiting.iter().map(|a| view! {
                            <li>
                                <a href=format!("/projects/{}/updates/{}", a.project_id, a.update_id)>{a.title.clone()}</a>
                                <br /><span class="muted small">{a.project_name.clone()} " · " {a.published_at.clone()}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="events-title" id="events">
            <h2 id="events-title">{tr("engagement.events")}</h2>
            <EventTable events=e.events />
            {e.next.map(|n| view! {
                <p><a href=format!("/portal-users/{}?before={}#events", e.id, encode(&n))>{tr("list.next_page")}</a></p>
            })}
        </section>
    }
}

#[component]
fn EventTable(events: Vec<EngagementEvent>) -> impl IntoView {
    if events.is_empty() {
        return view! { <p class="empty">{tr("engagement.none")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th scope="col">{tr("engagement.when")}</th>
                    <th scope="col">{tr("engagement.what")}</th>
                    <th scope="col">{tr("engagement.item")}</th>
                    <th scope="col">{tr("portal.project")}</th>
                </tr></thead>
                <tbody>
                    {events.into_iter().map(|ev| {
                        let href = if ev.kind.is_document() {
                            format!("/projects/{}/documents/{}", ev.project_id, ev.target)
                        } else {
                            format!("/projects/{}/updates/{}", ev.project_id, ev.target)
                        };
                        view! {
                            <tr class="event">
                                <td>{ev.at}</td>
                                <td>{tr(ev.kind.i18n_key())}</td>
                                <td>
                                    <a href=href>{ev.title}</a>
                                    {ev.version.filter(|v| *v > 1).map(|v| format!(" · v{v}"))}
                                </td>
                                <td><a href=format!("/projects/{}", ev.project_id)>{ev.project_name}</a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
