//! The investor's pages: the overview of their participations and the projects they take
//! part in. They render on the server from the portal's own server functions.
use super::api::{load_portal_update, portal_overview, portal_project, portal_projects};
use super::model::{
    CommitmentView, FeedItem, Overview, PortalProjectDetail, PortalProjectPage, PortalUpdate,
};
use crate::core::i18n;
use crate::portal::preview::{portal_path, use_preview};
use crate::ui::layout::failed;
use crate::ui::session::{tr, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn after_of_query() -> Option<i64> {
    use_query_map()
        .get_untracked()
        .get("after")
        .and_then(|a| a.parse().ok())
}

/// Shows a failed read as an error panel with its HTTP status.

#[component]
pub fn PortalOverviewPage() -> impl IntoView {
    let notice = use_query_map()
        .get_untracked()
        .get("notice")
        .and_then(|n| match n.as_str() {
            "welcome" => Some("portal.notice.welcome"),
            "password_reset" => Some("portal.notice.password_reset"),
            _ => None,
        });
    let after = after_of_query();
    let preview = use_preview();
    let overview = Resource::new(move || (after, preview), |(a, p)| portal_overview(a, p));
    view! {
        <Title text=tr("portal.overview.title") />
        <h1>{tr("portal.overview.title")}</h1>
        {notice.map(|k| view! { <p class="alert alert-success" role="status">{tr(k)}</p> })}
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <OverviewView o /> }.into_any(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OverviewView(o: Overview) -> impl IntoView {
    let lang = use_lang();
    let preview = use_preview();
    let acting_for = i18n::t_with(
        lang,
        "portal.overview.acting_for",
        &[("entities", &o.entities.join("、"))],
    );
    view! {
        <p class="muted" id="acting-for">{acting_for}</p>
        {(!o.attention.is_empty()).then(|| view! {
            <section class="card attention" aria-labelledby="attention-title" id="attention">
                <h2 id="attention-title">{tr("portal.overview.attention")}</h2>
                <FeedList items=o.attention.clone() />
            </section>
        })}
        {(!o.surveys.is_empty()).then(|| view! {
            <section class="card attention" aria-labelledby="surveys-title" id="surveys">
                <h2 id="surveys-title">{tr("portal.overview.surveys")}</h2>
                <ul class="feed">
                    {o.surveys.clone().into_iter().map(|s| {
                        let label = format!("{} {}", tr("portal.survey.answer"), s.title);
                        let title = s.title.clone();
                        let until = i18n::t_with(lang, "portal.survey.until", &[("at", &s.expires)]);
                        view! {
                            <li>
                                <form method="post" action=format!("/portal/surveys/{}/answer", s.id) class="inline-form">
                                    <crate::portal::preview::PreviewLock>
                                        <button type="submit" class="link-button" aria-label=label.clone()>{title.clone()}</button>
                                    </crate::portal::preview::PreviewLock>
                                </form>
                                <br /><span class="muted small">{until}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })}
        <section class="card" aria-labelledby="latest-title">
            <h2 id="latest-title">{tr("portal.overview.latest")}</h2>
            {if o.latest.is_empty() {
                view! { <p class="empty">{tr("portal.feed.none")}</p> }.into_any()
            } else {
                view! { <FeedList items=o.latest.clone() /> }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="totals-title">
            <h2 id="totals-title">{tr("portal.overview.totals")}</h2>
            {if o.totals.is_empty() {
                view! { <p class="empty">{tr("portal.overview.none")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <thead><tr>
                                <th scope="col">{tr("portal.currency")}</th>
                                <th scope="col">{tr("portal.participations")}</th>
                                <th scope="col" class="num">{tr("deals.indicated")}</th>
                                <th scope="col" class="num">{tr("deals.committed")}</th>
                            </tr></thead>
                            <tbody>
                                {o.totals.into_iter().map(|t| view! {
                                    <tr><td>{t.currency}</td><td>{t.count}</td><td class="num">{t.indicated}</td><td class="num">{t.committed}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="commitments-title">
            <h2 id="commitments-title">{tr("portal.overview.commitments")}</h2>
            <CommitmentTable rows=o.commitments />
            {o.next.map(|n| view! { <p><a href=portal_path(preview, &format!("?after={n}"))>{tr("list.next_page")}</a></p> })}
        </section>
    }
}

/// Updates as a list: title (a link), kind, project, date, and the marks "new" and
/// "please acknowledge".
#[component]
fn FeedList(items: Vec<FeedItem>) -> impl IntoView {
    let preview = use_preview();
    view! {
        <ul class="feed">
            {items.into_iter().map(|u| view! {
                <li class:unread=u.unread>
                    <a href=portal_path(preview, &format!("/updates/{}", u.id))>{u.title}</a>
                    {u.unread.then(|| view! { " " <span class="flag">{tr("portal.feed.new")}</span> })}
                    {u.needs_ack.then(|| view! { " " <span class="flag warning">{tr("portal.feed.needs_ack")}</span> })}
                    <br /><span class="muted small">
                        {u.kind.map(|k| tr(&k.i18n_key())).unwrap_or_default()}
                        " · " {u.project_name} " · " {u.published_at}
                        {(u.series_version > 1).then(|| format!(" · v{}", u.series_version))}
                    </span>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn CommitmentTable(rows: Vec<CommitmentView>) -> impl IntoView {
    let preview = use_preview();
    if rows.is_empty() {
        return view! { <p class="empty">{tr("portal.overview.none")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th scope="col">{tr("portal.project")}</th>
                    <th scope="col">{tr("portal.tranche")}</th>
                    <th scope="col">{tr("portal.entity")}</th>
                    <th scope="col">{tr("portal.stage")}</th>
                    <th scope="col" class="num">{tr("deals.indicated")}</th>
                    <th scope="col" class="num">{tr("deals.committed")}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|c| view! {
                        <tr>
                            <td><a href=portal_path(preview, &format!("/projects/{}", c.project_id))>{c.project_name}</a></td>
                            <td>{c.tranche_name.unwrap_or_default()}</td>
                            <td>{c.entity}</td>
                            <td>{c.stage.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</td>
                            <td class="num">{c.indicated.unwrap_or_default()}</td>
                            <td class="num">{c.committed.unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn PortalProjectsPage() -> impl IntoView {
    let after = after_of_query();
    let preview = use_preview();
    let page = Resource::new(move || (after, preview), |(a, p)| portal_projects(a, p));
    view! {
        <Title text=tr("portal.projects.title") />
        <h1>{tr("portal.projects.title")}</h1>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <ProjectList p /> }.into_any(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProjectList(p: PortalProjectPage) -> impl IntoView {
    let preview = use_preview();
    if p.items.is_empty() {
        return view! { <p class="empty">{tr("portal.projects.none")}</p> }.into_any();
    }
    view! {
        <ul class="project-cards">
            {p.items.into_iter().map(|r| view! {
                <li class="card">
                    <h2><a href=portal_path(preview, &format!("/projects/{}", r.id))>{r.name}</a></h2>
                    <p class="muted">
                        {r.sector.map(|s| tr(&s.i18n_key())).unwrap_or_default()} " · " {r.country} " · "
                        {r.stage.map(|s| tr(&s.i18n_key())).unwrap_or_default()} " · " {r.size}
                    </p>
                </li>
            }).collect_view()}
        </ul>
        {p.next.map(|n| view! { <p><a href=portal_path(preview, &format!("/projects?after={n}"))>{tr("list.next_page")}</a></p> })}
    }
    .into_any()
}

#[component]
pub fn PortalProjectPage() -> impl IntoView {
    let id = use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|i| i.parse::<i64>().ok())
        .unwrap_or(0);
    let before = use_query_map()
        .get_untracked()
        .get("before")
        .and_then(|b| b.parse().ok());
    let preview = use_preview();
    let detail = Resource::new(
        move || (id, before, preview),
        |(id, before, preview)| portal_project(id, before, preview),
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <ProjectView d /> }.into_any(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProjectView(d: PortalProjectDetail) -> impl IntoView {
    let preview = use_preview();
    let p = d.project;
    view! {
        <Title text=p.name.clone() />
        <p><a href=portal_path(preview, "/projects")>{tr("portal.projects.title")}</a></p>
        <h1>{p.name.clone()}</h1>
        <section class="card">
            <h2>{tr("portal.project.figures")}</h2>
            <dl class="facts">
                <dt>{tr("clients.sector")}</dt><dd>{p.sector.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</dd>
                <dt>{tr("clients.country")}</dt><dd>{p.country.clone()}</dd>
                <dt>{tr("projects.stage")}</dt><dd>{p.stage.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</dd>
                <dt>{tr("projects.size")}</dt><dd>{p.size.clone()}</dd>
                <dt>{tr("projects.risk_rating")}</dt><dd>{d.risk_rating.map(|r| tr(&r.i18n_key())).unwrap_or_default()}</dd>
                <dt>{tr("portal.expected_return")}</dt><dd>{d.expected_return.clone().unwrap_or_default()}</dd>
                <dt>{tr("projects.tenor")}</dt><dd>{d.tenor_months.map(|m| m.to_string()).unwrap_or_default()}</dd>
            </dl>
            {d.description.clone().map(|text| view! { <p class="prose">{text}</p> })}
        </section>
        <section class="card">
            <h2>{tr("portal.project.tranches")}</h2>
            <div class="table-wrap">
                <table>
                    <thead><tr>
                        <th scope="col">{tr("portal.tranche")}</th>
                        <th scope="col">{tr("tranches.instrument")}</th>
                        <th scope="col" class="num">{tr("projects.size")}</th>
                        <th scope="col" class="num">{tr("portal.pricing")}</th>
                        <th scope="col" class="num">{tr("projects.tenor")}</th>
                    </tr></thead>
                    <tbody>
                        {d.tranches.into_iter().map(|t| view! {
                            <tr>
                                <td>{t.name}</td>
                                <td>{t.instrument.map(|i| tr(&i.i18n_key())).unwrap_or_default()}</td>
                                <td class="num">{t.size}</td>
                                <td class="num">{t.pricing.unwrap_or_default()}</td>
                                <td class="num">{t.tenor_months.map(|m| m.to_string()).unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="card" id="updates">
            <h2>{tr("portal.project.updates")}</h2>
            {if d.feed.items.is_empty() {
                view! { <p class="empty">{tr("portal.feed.none")}</p> }.into_any()
            } else {
                view! { <FeedList items=d.feed.items.clone() /> }.into_any()
            }}
            {d.feed.next.map(|n| view! { <p><a href=portal_path(preview, &format!("/projects/{}?before={n}#updates", p.id))>{tr("list.next_page")}</a></p> })}
        </section>
        <crate::portal::documents::pages::PortalDocumentsSection project=p.id />
        <section class="card">
            <h2>{tr("portal.project.mine")}</h2>
            <CommitmentTable rows=d.mine />
        </section>
    }
}

#[component]
pub fn PortalUpdatePage() -> impl IntoView {
    let id = use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|i| i.parse::<i64>().ok())
        .unwrap_or(0);
    let query = use_query_map().get_untracked();
    let acknowledged = query.get("acknowledged").is_some();
    let ack_error = query.get("ack_error").is_some();
    let preview = use_preview();
    let update = Resource::new(move || (id, preview), |(id, p)| load_portal_update(id, p));
    view! {
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match update.await {
                    Ok(u) => view! {
                        {acknowledged.then(|| view! { <p class="alert alert-success" role="status">{tr("portal.update.acknowledged_notice")}</p> })}
                        {ack_error.then(|| view! { <p class="alert alert-error" role="alert">{tr("portal.update.ack_failed")}</p> })}
                        <UpdateView u />
                    }.into_any(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UpdateView(u: PortalUpdate) -> impl IntoView {
    let lang = use_lang();
    let preview = use_preview();
    let newest = u.versions.first().map(|(id, ..)| *id);
    let superseded = newest.filter(|n| *n != u.id);
    view! {
        <Title text=u.title.clone() />
        <p><a href=portal_path(preview, &format!("/projects/{}#updates", u.project_id))>{u.project_name.clone()}</a></p>
        <h1>{u.title.clone()}</h1>
        <p class="muted">
            {u.kind.map(|k| tr(&k.i18n_key())).unwrap_or_default()} " · "
            {i18n::t_with(lang, "portal.update.version_of", &[("version", &u.series_version.to_string()), ("at", &u.published_at)])}
        </p>
        {superseded.map(|n| view! {
            <p class="alert alert-info" role="status">
                {tr("portal.update.superseded")} " " <a href=portal_path(preview, &format!("/updates/{n}"))>{tr("portal.update.open_newest")}</a>
            </p>
        })}
        <article class="card"><p class="prose">{u.body.clone()}</p></article>
        {u.requires_ack.then(|| match u.acknowledged_at.clone() {
            Some(at) => view! {
                <section class="card" id="acknowledgement">
                    <p>{i18n::t_with(lang, "portal.update.acknowledged_at", &[("at", &at)])}</p>
                    {u.content_hash.clone().map(|h| view! { <p class="muted small">{tr("updates.content_hash")} " " <code>{h}</code></p> })}
                </section>
            }.into_any(),
            None => view! {
                <section class="card" id="acknowledgement">
                    <h2>{tr("portal.update.ack_title")}</h2>
                    <p>{tr("portal.update.ack_hint")}</p>
                    {if preview.is_some() {
                        view! { <p class="muted" id="preview-no-ack">{tr("preview.no_ack")}</p> }.into_any()
                    } else {
                        view! {
                            <form method="post" action=format!("/portal/updates/{}/acknowledge", u.id)>
                                <button type="submit" class="primary">{tr("portal.update.acknowledge")}</button>
                            </form>
                        }.into_any()
                    }}
                </section>
            }.into_any(),
        })}
        {(u.versions.len() > 1).then(|| view! {
            <section class="card">
                <h2>{tr("updates.versions")}</h2>
                <ol class="history">
                    {u.versions.iter().map(|(id, version, at)| view! {
                        <li><a href=portal_path(preview, &format!("/updates/{id}")) aria-current=(*id == u.id).then_some("page")>{format!("v{version}")}</a> " · " {at.clone()}</li>
                    }).collect_view()}
                </ol>
            </section>
        })}
    }
}

/// The firm's track record: completed projects it shows, with what each raised.
#[component]
pub fn PortalTrackRecordPage() -> impl IntoView {
    let after = after_of_query();
    let preview = use_preview();
    let page = Resource::new(
        move || (after, preview),
        |(a, p)| super::api::load_track_record(a, p),
    );
    view! {
        <Title text=tr("portal.track_record.title") />
        <h1>{tr("portal.track_record.title")}</h1>
        <p class="hint">{tr("portal.track_record.hint")}</p>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <TrackRecordList p preview /> }.into_any(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TrackRecordList(p: super::model::TrackRecordPage, preview: Option<i64>) -> impl IntoView {
    if p.items.is_empty() {
        return view! { <p class="empty">{tr("portal.track_record.none")}</p> }.into_any();
    }
    view! {
        <ul class="project-cards">
            {p.items.into_iter().map(|r| view! {
                <li class="card">
                    <h2>{r.name}</h2>
                    <p class="muted">{r.sector.map(|s| tr(&s.i18n_key())).unwrap_or_default()} " · " {r.country}</p>
                    <dl class="facts">
                        <dt>{tr("projects.size")}</dt><dd>{r.size}</dd>
                        <dt>{tr("portal.track_record.raised")}</dt><dd>{r.raised}</dd>
                        <dt>{tr("portal.track_record.investors")}</dt><dd>{r.investors}</dd>
                        <dt>{tr("projects.tenor")}</dt><dd>{r.tenor_months.map(|m| m.to_string()).unwrap_or_default()}</dd>
                        <dt>{tr("portal.expected_return")}</dt><dd>{r.expected_return.unwrap_or_default()}</dd>
                    </dl>
                    {r.description.map(|d| view! { <p class="prose">{d}</p> })}
                </li>
            }).collect_view()}
        </ul>
        {p.next.map(|n| view! { <p><a href=portal_path(preview, &format!("/track-record?after={n}"))>{tr("list.next_page")}</a></p> })}
    }
    .into_any()
}
