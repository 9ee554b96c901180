//! Pages of complaints: the staff queue and one complaint with its whole timeline and the
//! post form; and the parts the investor's pages share (the list and the timeline).
use super::api::{
    complaint_dashboard, complaint_log_options, complaint_queue, complaint_target_settings,
    staff_complaint,
};
use super::model::{
    ComplaintCategory, ComplaintDashboard, ComplaintDetail, ComplaintPage, EventView,
    LOGGED_SOURCES, LogComplaintOptions, LoggedComplaintForm, QUEUE_TABS, Severity,
    SubmittedLogged, SubmittedResponse, SubmittedTargets, TargetRow, TargetSettings, queue_tab,
};
use super::targets::{MAX_TARGET_HOURS, TargetState, target_field};
use crate::core::i18n;
use crate::ui::fields::{Area, Choice, message_for};
use crate::ui::layout::failed;
use crate::ui::session::{tr, use_lang};
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
    #[prop(into)] base: String,
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
                                {staff.then(|| target_flag(c.target, c.escalated))}
                                <br /><span class="muted small">
                                    {staff.then(|| format!("{} · ", c.entity.clone().unwrap_or_default()))}
                                    {c.project.clone().map(|p| format!("{p} · "))}
                                    {c.created_at.clone()}
                                    {staff.then(|| c.assignee.clone().map(|a| format!(" · {a}"))).flatten()}
                                    {staff.then(|| c.next_due.clone().map(|d| format!(" · {} {d}", tr("complaint.next_due")))).flatten()}
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

/// The mark of a complaint past or near a target; nothing while it is on track.
fn target_flag(state: Option<TargetState>, escalated: bool) -> Option<AnyView> {
    let class = match state? {
        TargetState::Breached => "flag danger target-breached",
        TargetState::DueSoon => "flag warning target-soon",
        TargetState::OnTrack | TargetState::Done => return None,
    };
    let label = state.map(|s| tr(s.i18n_key())).unwrap_or_default();
    Some(
        view! {
            " " <span class=class>{label}</span>
            {escalated.then(|| view! { " " <span class="flag">{tr("complaint.escalated")}</span> })}
        }
        .into_any(),
    )
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
            " · " {r.severity.map(|s| tr(&s.i18n_key())).unwrap_or_default()}
            " · " {r.created_at.clone()}
        </p>
    }
}

#[component]
pub fn ComplaintQueuePage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let show = queue_tab(query.get("show").as_deref());
    let before = query.get("before").and_then(|b| b.parse().ok());
    let page = Resource::new(
        move || (show, before),
        |(s, b)| complaint_queue(Some(s.to_string()), b),
    );
    let next = format!("show={show}&before=");
    view! {
        <Title text=tr("complaint.queue") />
        <h1>{tr("complaint.queue")}</h1>
        <p>
            <a href="/complaints/dashboard">{tr("complaint.dashboard")}</a>" · "
            <a href="/complaints/targets">{tr("complaint.targets")}</a>
        </p>
        <nav aria-label=tr("complaint.queue") class="tabs">
            {QUEUE_TABS.into_iter().map(|tab| view! {
                <a href=format!("/complaints?show={tab}") aria-current=(tab == show).then_some("page")>{tr(&format!("complaint.tab.{tab}"))}</a> " "
            }).collect_view()}
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
    let query = use_query_map().get_untracked();
    let posted = query.get("posted").is_some();
    let logged = query.get("logged").is_some();
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
                            {logged.then(|| view! { <p class="alert alert-success" role="status">{tr("complaint.logged")}</p> })}
                            <ComplaintFacts d=d.clone() />
                            <TargetsSection d=d.clone() />
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

/// The complaint's due times, where it stands, and the escalations of missed targets.
#[component]
fn TargetsSection(d: ComplaintDetail) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card" aria-labelledby="targets-title" id="targets">
            <h2 id="targets-title">{tr("complaint.targets")}</h2>
            <dl class="facts">
                <dt>{tr("complaint.first_response_due")}</dt><dd>{d.first_response_due.clone().unwrap_or_else(|| tr("complaint.no_target"))}</dd>
                <dt>{tr("complaint.resolution_due")}</dt><dd>{d.resolution_due.clone().unwrap_or_else(|| tr("complaint.no_target"))}</dd>
                <dt>{tr("complaint.standing")}</dt><dd>{d.row.target.map(|t| tr(t.i18n_key())).unwrap_or_default()}</dd>
            </dl>
            {(!d.escalations.is_empty()).then(|| view! {
                <h3>{tr("complaint.escalations")}</h3>
                <ul id="escalations">
                    {d.escalations.iter().map(|e| {
                        let target = tr(&format!("complaint.escalation.{}", e.target));
                        let count = e.notified.to_string();
                        view! { <li>{i18n::t_with(lang, "complaint.escalation_line", &[("target", &target), ("due", &e.due_at), ("at", &e.escalated_at), ("count", &count)])}</li> }
                    }).collect_view()}
                </ul>
            })}
        </section>
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
    let severities: Vec<(String, String)> = Severity::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), tr(&v.i18n_key())))
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
                <Choice name="severity" label=tr("complaint.new_severity") options=severities selected=s.form.severity.clone() error=err("severity") placeholder=tr("complaint.keep_severity") />
                <button type="submit" class="primary">{tr("complaint.send")}</button>
            </form>
        </section>
    }
}

/// On a client's page: log a complaint the client made by phone, by e-mail or in a
/// meeting (for those who may edit the client).
#[component]
pub fn LogComplaintSection(client: i64) -> impl IntoView {
    let options = Resource::new(move || client, complaint_log_options);
    let submitted = use_context::<SubmittedLogged>();
    view! {
        <Suspense>
            {move || {
                let submitted = submitted.clone();
                Suspend::new(async move {
                    match options.await {
                        Ok(o) if o.can_log => view! { <LogComplaintForm client o submitted /> }.into_any(),
                        Ok(_) => ().into_any(),
                        Err(error) => failed(error),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn LogComplaintForm(
    client: i64,
    o: LogComplaintOptions,
    submitted: Option<SubmittedLogged>,
) -> impl IntoView {
    let open = submitted.is_some();
    let s = submitted.unwrap_or_else(|| SubmittedLogged {
        form: LoggedComplaintForm {
            form_key: o.form_key.clone(),
            source: "phone".into(),
            severity: "medium".into(),
            ..LoggedComplaintForm::default()
        },
        ..SubmittedLogged::default()
    });
    let f = s.form.clone();
    let err = |field: &str| message_for(&s.errors, field);
    let sources = LOGGED_SOURCES
        .iter()
        .map(|c| (c.as_str().to_string(), tr(&c.i18n_key())))
        .collect();
    let categories = ComplaintCategory::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), tr(&c.i18n_key())))
        .collect();
    let severities = Severity::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), tr(&c.i18n_key())))
        .collect();
    let named = |items: &[(i64, String)]| {
        items
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone()))
            .collect::<Vec<_>>()
    };
    view! {
        <section class="card" id="log-complaint">
            <details open=open>
                <summary><h2>{tr("complaint.log")}</h2></summary>
                <p class="hint">{tr("complaint.log_hint")}</p>
                {s.error_key.clone().map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
                <form method="post" action=format!("/clients/{client}/complaints") class="grid-form">
                    <input type="hidden" name="form_key" value=f.form_key.clone() />
                    <Choice name="source" label=tr("complaint.source") options=sources selected=f.source.clone() error=err("source") blank=false />
                    <Choice name="contact" label=tr("complaint.contact") options=named(&o.contacts) selected=f.contact.clone() error=err("contact") placeholder=tr("complaint.no_contact") />
                    <Choice name="project" label=tr("portal.project") options=named(&o.projects) selected=f.project.clone() error=err("project") placeholder=tr("complaint.no_project") />
                    <Choice name="category" label=tr("complaint.category") options=categories selected=f.category.clone() error=err("category") />
                    <Choice name="severity" label=tr("complaint.severity") options=severities selected=f.severity.clone() error=err("severity") blank=false />
                    <Area name="description" label=tr("complaint.description") value=f.description.clone() error=err("description") required=true />
                    <button type="submit" class="primary">{tr("complaint.log_send")}</button>
                </form>
            </details>
        </section>
    }
}

/// `/complaints/dashboard`: open complaints by severity, and per month how fast the firm
/// answered and resolved them and how often within target.
#[component]
pub fn ComplaintDashboardPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| complaint_dashboard());
    view! {
        <Title text=tr("complaint.dashboard") />
        <p><a href="/complaints">{tr("complaint.queue")}</a></p>
        <h1>{tr("complaint.dashboard")}</h1>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <DashboardView d /> }.into_any(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

fn or_dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "—".to_string())
}

#[component]
fn DashboardView(d: ComplaintDashboard) -> impl IntoView {
    let percent = |p: Option<i64>| or_dash(p.map(|p| format!("{p}%")));
    let recovery = d.recovery;
    view! {
        <section class="card" aria-labelledby="recovery-title">
            <h2 id="recovery-title">{tr("complaint.dashboard.recovery")}</h2>
            <p class="hint">{tr("complaint.dashboard.recovery_hint")}</p>
            <dl class="facts" id="recovery">
                <dt>{tr("complaint.dashboard.followed_up")}</dt><dd>{recovery.followed_up}</dd>
                <dt>{tr("complaint.dashboard.follow_up_answered")}</dt><dd>{recovery.answered}</dd>
                <dt>{tr("complaint.dashboard.recovered")}</dt><dd>{recovery.recovered}</dd>
                <dt>{tr("complaint.dashboard.recovery_rate")}</dt><dd>{percent(recovery.rate())}</dd>
            </dl>
        </section>
        <section class="card" aria-labelledby="load-title">
            <h2 id="load-title">{tr("complaint.dashboard.open")}</h2>
            {if d.by_severity.is_empty() {
                view! { <p class="empty">{tr("complaint.none")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table id="by-severity">
                            <thead><tr>
                                <th scope="col">{tr("complaint.severity")}</th>
                                <th scope="col" class="num">{tr("complaint.tab.open")}</th>
                                <th scope="col" class="num">{tr("complaint.tab.breached")}</th>
                            </tr></thead>
                            <tbody>
                                {d.by_severity.into_iter().map(|s| view! {
                                    <tr data-severity=s.severity.map(|v| v.as_str()).unwrap_or_default()>
                                        <th scope="row">{s.severity.map(|v| tr(&v.i18n_key())).unwrap_or_default()}</th>
                                        <td class="num">{s.open}</td>
                                        <td class="num">{s.breached}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="months-title">
            <h2 id="months-title">{tr("complaint.dashboard.months")}</h2>
            <p class="hint">{tr("complaint.dashboard.months_hint")}</p>
            {if d.months.is_empty() {
                view! { <p class="empty">{tr("complaint.none")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table id="by-month">
                            <thead><tr>
                                <th scope="col">{tr("complaint.dashboard.month")}</th>
                                <th scope="col" class="num">{tr("complaint.dashboard.opened")}</th>
                                <th scope="col" class="num">{tr("complaint.dashboard.median_first")}</th>
                                <th scope="col" class="num">{tr("complaint.dashboard.first_within")}</th>
                                <th scope="col" class="num">{tr("complaint.dashboard.median_resolution")}</th>
                                <th scope="col" class="num">{tr("complaint.dashboard.resolution_within")}</th>
                            </tr></thead>
                            <tbody>
                                {d.months.into_iter().map(|m| view! {
                                    <tr data-month=m.month.clone()>
                                        <th scope="row">{m.month.clone()}</th>
                                        <td class="num">{m.opened}</td>
                                        <td class="num">{or_dash(m.median_first_response_hours.clone())}</td>
                                        <td class="num">{percent(m.first_response_within_target)}</td>
                                        <td class="num">{or_dash(m.median_resolution_hours.clone())}</td>
                                        <td class="num">{percent(m.resolution_within_target)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// `/complaints/targets`: the response-time targets per severity, changed by CRM officers
/// and administrators.
#[component]
pub fn ComplaintTargetsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| complaint_target_settings());
    let saved = use_query_map()
        .get_untracked()
        .get("saved")
        .and_then(|n| n.parse::<i64>().ok());
    let lang = use_lang();
    view! {
        <Title text=tr("complaint.targets") />
        <p><a href="/complaints">{tr("complaint.queue")}</a></p>
        <h1>{tr("complaint.targets")}</h1>
        <p class="hint">{tr("complaint.target_settings.hint")}</p>
        {saved.map(|n| {
            let text = if n == 0 {
                tr("complaint.target_settings.unchanged")
            } else {
                i18n::t_with(lang, "complaint.target_settings.saved", &[("count", &n.to_string())])
            };
            view! { <p class="alert alert-success" role="status">{text}</p> }
        })}
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(settings) => view! { <TargetsTable settings /> }.into_any(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TargetsTable(settings: TargetSettings) -> impl IntoView {
    let s = use_context::<SubmittedTargets>().unwrap_or_default();
    let can_edit = settings.can_edit;
    let table = view! {
        <div class="table-wrap">
            <table id="targets">
                <thead><tr>
                    <th scope="col">{tr("complaint.severity")}</th>
                    <th scope="col" id="target-col-first">{tr("complaint.target_settings.first")}</th>
                    <th scope="col" id="target-col-resolution">{tr("complaint.target_settings.resolution")}</th>
                    <th scope="col">{tr("complaint.target_settings.changed")}</th>
                </tr></thead>
                <tbody>
                    {settings.rows.into_iter().map(|row| view! { <TargetLine row s=s.clone() can_edit /> }).collect_view()}
                </tbody>
            </table>
        </div>
    };
    if !can_edit {
        return view! {
            <section class="card">
                {table}
                <p class="hint">{tr("complaint.target_settings.read_only")}</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card">
            {s.error_key.clone().map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
            <form method="post" action="/complaints/targets">
                {table}
                <button type="submit" class="primary">{tr("complaint.target_settings.save")}</button>
            </form>
        </section>
    }
    .into_any()
}

/// One severity's row: its two targets (inputs when the reader may change them) and its
/// last change.
#[component]
fn TargetLine(row: TargetRow, s: SubmittedTargets, can_edit: bool) -> impl IntoView {
    let lang = use_lang();
    let Some(severity) = row.severity else {
        return ().into_any();
    };
    let row_id = format!("target-{}", severity.as_str());
    let cell = |which: &'static str, hours: i64| {
        let field = target_field(severity, which);
        if !can_edit {
            return view! { <td class="num">{hours}</td> }.into_any();
        }
        let value = s
            .form
            .value(&field)
            .map(str::to_string)
            .unwrap_or_else(|| hours.to_string());
        let error = message_for(&s.errors, &field);
        let error_id = format!("{field}-error");
        let labelled = format!("{row_id} target-col-{which}");
        let invalid = !error.is_empty();
        view! {
            <td>
                <input type="number" id=field.clone() name=field min="1" max=MAX_TARGET_HOURS.to_string()
                    step="1" inputmode="numeric" required=true value=value
                    aria-labelledby=labelled aria-invalid=invalid.then_some("true")
                    aria-describedby=invalid.then(|| error_id.clone()) />
                {invalid.then(|| view! { <p class="field-error" id=error_id>{tr(&error)}</p> })}
            </td>
        }
        .into_any()
    };
    let changed = match (row.changed_at, row.changed_by) {
        (Some(at), Some(name)) => i18n::t_with(
            lang,
            "complaint.target_settings.changed_line",
            &[("at", &at), ("name", &name)],
        ),
        (Some(at), None) => at,
        _ => tr("complaint.target_settings.as_installed"),
    };
    view! {
        <tr data-severity=severity.as_str()>
            <th scope="row" id=row_id.clone()>{tr(&severity.i18n_key())}</th>
            {cell("first", row.first_response_hours)}
            {cell("resolution", row.resolution_hours)}
            <td>{changed}</td>
        </tr>
    }
    .into_any()
}
