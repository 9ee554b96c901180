//! Deal pages: the list with filters and totals, the deal page with its stage moves, the
//! new-deal page (choose the investor or the project, then fill the form) and the edit form.
//! Plain forms: they work without JavaScript and keep the input on errors.
use super::api::{get_deal, list_deals, load_deal_summary, load_new_deal};
use super::model::*;
use crate::core::i18n;
use crate::ui::fields::{
    Area, Choice, Text, currency_options, id_options, message_for, options_of,
};
use crate::ui::layout::ErrorPanel;
use crate::ui::session::{tr, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn DealsPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let filter = DealFilter::from_query(|k| query.get(k));
    let page = Resource::new(
        {
            let filter = filter.clone();
            move || filter.clone()
        },
        list_deals,
    );
    view! {
        <Title text=tr("deals.title") />
        <div class="page-head">
            <h1>{tr("deals.title")}</h1>
            <a class="button" href="/deals/new">{tr("deals.new")}</a>
        </div>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <DealFilters page=page.clone() /> <DealTotalsView totals=page.totals.clone() /> <DealList page /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DealFilters(page: DealPage) -> impl IntoView {
    let f = page.filter.clone();
    let narrowed = page
        .client_name
        .clone()
        .or(page.project_name.clone())
        .map(|name| view! { <p class="muted">{tr("deals.narrowed_to")} " " <strong>{name}</strong> " · " <a href="/deals">{tr("deals.all")}</a></p> });
    view! {
        {narrowed}
        <form method="get" action="/deals" class="filters" role="search">
            {f.client.map(|c| view! { <input type="hidden" name="client" value=c /> })}
            {f.project.map(|p| view! { <input type="hidden" name="project" value=p /> })}
            <Choice name="stage" label=tr("deals.stage") options=options_of(DealStage::ALL, DealStage::as_str, DealStage::i18n_key) selected=f.stage.map(|s| s.as_str().to_string()).unwrap_or_default() />
            <Choice name="owner" label=tr("clients.owner") options=id_options(&page.owners) selected=f.owner.map(|o| o.to_string()).unwrap_or_default() />
            <Choice name="currency" label=tr("clients.currency") options=currency_options() selected=f.currency.clone().unwrap_or_default() />
            <div class="field">
                <label class="check" for="open"><input type="checkbox" id="open" name="open" value="1" checked=f.open />{tr("deals.open_only")}</label>
            </div>
            <button type="submit" class="primary">{tr("clients.apply")}</button>
        </form>
    }
}

/// Totals of every deal in the list: per currency, and converted to the reporting currency
/// with the date of the rates used.
#[component]
fn DealTotalsView(totals: DealTotals) -> impl IntoView {
    let lang = use_lang();
    let count = i18n::t_with(lang, "deals.count", &[("count", &totals.count.to_string())]);
    view! {
        <section class="card totals" aria-label=tr("deals.totals")>
            <p role="status"><strong>{count}</strong></p>
            {(!totals.per_currency.is_empty()).then(|| view! {
                <div class="table-wrap"><table>
                    <caption class="visually-hidden">{tr("deals.totals")}</caption>
                    <thead><tr>
                        <th scope="col">{tr("clients.currency")}</th>
                        <th scope="col">{tr("deals.count_short")}</th>
                        <th scope="col">{tr("deals.indicated")}</th>
                        <th scope="col">{tr("deals.committed")}</th>
                        <th scope="col">{tr("deals.weighted")}</th>
                    </tr></thead>
                    <tbody>
                        {totals.per_currency.iter().map(|t| view! {
                            <tr><td>{t.currency.clone()}</td><td>{t.count}</td><td>{t.indicated.clone()}</td><td>{t.committed.clone()}</td><td>{t.weighted.clone()}</td></tr>
                        }).collect_view()}
                        {totals.converted.clone().map(|c| {
                            let label = if c.rates_as_of.is_empty() {
                                i18n::t_with(lang, "deals.converted", &[("currency", &c.currency)])
                            } else {
                                i18n::t_with(lang, "deals.converted_at", &[("currency", &c.currency), ("date", &c.rates_as_of)])
                            };
                            view! { <tr class="converted"><th scope="row">{label}</th><td></td><td>{c.indicated}</td><td>{c.committed}</td><td>{c.weighted}</td></tr> }
                        })}
                    </tbody>
                </table></div>
            })}
        </section>
    }
}

#[component]
fn DealList(page: DealPage) -> impl IntoView {
    let next = page
        .next
        .clone()
        .map(|cursor| format!("/deals?{}", page.filter.to_query(Some(&cursor))));
    view! {
        <DealTable rows=page.rows.clone() />
        {next.map(|href| view! { <p><a class="button" href=href>{tr("list.next_page")}</a></p> })}
    }
}

/// Deals as a table (the list, and the deals sections of client and project pages).
#[component]
pub fn DealTable(rows: Vec<DealRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">{tr("deals.none")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">{tr("deals.title")}</caption>
                <thead><tr>
                    <th scope="col">{tr("deals.investor")}</th>
                    <th scope="col">{tr("deals.project")}</th>
                    <th scope="col">{tr("deals.stage")}</th>
                    <th scope="col">{tr("deals.amount")}</th>
                    <th scope="col">{tr("deals.probability")}</th>
                    <th scope="col">{tr("deals.expected_close")}</th>
                    <th scope="col">{tr("clients.owner")}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <td><a href=format!("/deals/{}", r.id)>{r.client_name.clone()}</a></td>
                            <td><a href=format!("/projects/{}", r.project_id)>{r.project_name.clone()}</a>
                                {r.tranche_name.clone().map(|t| view! { <span class="muted small">" · " {t}</span> })}</td>
                            <td>{r.stage.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</td>
                            <td>{r.amount.clone()}</td>
                            <td>{format!("{}%", r.probability)}</td>
                            <td>{r.expected_close.clone().unwrap_or_default()}</td>
                            <td>{r.owner_name.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The deals section of a client's or a project's page: the first few, a link to all of
/// them, and (for those who may) a link to start one.
#[component]
pub fn DealsSection(
    client: Option<i64>,
    project: Option<i64>,
    #[prop(optional)] new_deal: Option<String>,
) -> impl IntoView {
    let summary = Resource::new(move || (client, project), |(c, p)| load_deal_summary(c, p));
    let all = DealFilter {
        client,
        project,
        ..DealFilter::default()
    };
    let all_href = format!("/deals?{}", all.to_query(None));
    let lang = use_lang();
    view! {
        <section class="card" id="deals">
            <div class="section-head">
                <h2>{tr("deals.title")}</h2>
                {new_deal.filter(|h| !h.is_empty()).map(|href| view! { <a class="button" href=href>{tr("deals.new")}</a> })}
            </div>
            <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
                {move || {
                    let all_href = all_href.clone();
                    Suspend::new(async move {
                        match summary.await {
                            Ok(s) => {
                                let more = (s.total > s.rows.len() as i64).then(|| {
                                    let text = i18n::t_with(lang, "deals.see_all", &[("count", &s.total.to_string())]);
                                    view! { <p><a href=all_href.clone()>{text}</a></p> }
                                });
                                view! { <DealTable rows=s.rows /> {more} }.into_any()
                            }
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

fn deal_id() -> Option<i64> {
    use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse().ok()))
}

#[component]
pub fn DealDetailPage() -> impl IntoView {
    let id = deal_id();
    let query = use_query_map().get_untracked();
    let notice = if query.get("created").is_some() {
        Some("deals.created")
    } else if query.get("saved").is_some() {
        Some("form.saved")
    } else {
        None
    };
    let detail = Resource::new(move || id, |id| get_deal(id.unwrap_or(0)));
    view! {
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! {
                        <Title text=format!("{} · {}", d.client_name, d.project_name) />
                        {notice.map(|k| view! { <p class="alert alert-success" role="status">{tr(k)}</p> })}
                        <DealDetailView d />
                    }.into_any(),
                    Err(error) => {
                        #[cfg(feature = "ssr")]
                        let _ = crate::server::errors::with_status::<()>(Err(error.clone()));
                        view! { <ErrorPanel error /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn DealDetailView(d: DealDetail) -> impl IntoView {
    view! {
        <div class="page-head">
            <div>
                <p class="muted">{tr("deals.deal")}</p>
                <h1><a href=format!("/clients/{}", d.client_id)>{d.client_name.clone()}</a> " → " <a href=format!("/projects/{}", d.project_id)>{d.project_name.clone()}</a></h1>
            </div>
            {d.can_edit.then(|| view! { <a class="button" href=format!("/deals/{}/edit", d.id)>{tr("deals.edit")}</a> })}
        </div>
        <section class="card">
            <dl class="facts">
                <dt>{tr("deals.stage")}</dt><dd>{d.stage.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</dd>
                <dt>{tr("deals.tranche")}</dt><dd>{d.tranche_name.clone().unwrap_or_else(|| tr("deals.whole_project"))}</dd>
                <dt>{tr("deals.indicated")}</dt><dd>{d.indicated.clone().unwrap_or_default()}</dd>
                <dt>{tr("deals.committed")}</dt><dd>{d.committed.clone().unwrap_or_default()}</dd>
                <dt>{tr("deals.probability")}</dt><dd>{format!("{}%", d.probability)}</dd>
                <dt>{tr("deals.expected_close")}</dt><dd>{d.expected_close.clone().unwrap_or_default()}</dd>
                <dt>{tr("clients.owner")}</dt><dd>{d.owner_name.clone()}</dd>
                <dt>{tr("deals.terms")}</dt><dd class="prewrap">{d.terms.clone().unwrap_or_default()}</dd>
            </dl>
        </section>
        <section class="card">
            <h2>{tr("deals.moves")}</h2>
            <ol class="history">
                {d.moves.iter().map(|m| {
                    let from = m.from.map(|s| tr(&s.i18n_key())).unwrap_or_else(|| tr("deals.move_start"));
                    let to = m.to.map(|s| tr(&s.i18n_key())).unwrap_or_default();
                    view! {
                        <li><time>{m.at.clone()}</time> " " {from} " → " {to} " · " {m.by.clone().unwrap_or_else(|| tr("audit.system"))}
                            {m.reason.clone().map(|r| view! { <br /><span class="muted">{r}</span> })}</li>
                    }
                }).collect_view()}
            </ol>
        </section>
        <section class="card">
            <h2>{tr("clients.section.history")}</h2>
            <ol class="history">
                {d.history.iter().map(|h| view! {
                    <li><time>{h.at.clone()}</time> " " {tr(&format!("audit.{}", h.action))} " · " {h.actor.clone().unwrap_or_else(|| tr("audit.system"))}</li>
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
pub fn DealEditPage() -> impl IntoView {
    let id = deal_id();
    let submitted = use_context::<SubmittedDeal>();
    let detail = Resource::new(move || id, |id| get_deal(id.unwrap_or(0)));
    view! {
        <Title text=tr("deals.edit") />
        <Suspense>
            {move || {
                let submitted = submitted.clone();
                Suspend::new(async move {
                    match detail.await {
                        Ok(d) => {
                            let submitted = match submitted {
                                // A conflict shows the current values (the user re-applies their change).
                                Some(s) if s.conflict => SubmittedDeal { form: d.form.clone(), conflict: true, ..SubmittedDeal::default() },
                                Some(s) => s,
                                None => SubmittedDeal { form: d.form.clone(), ..SubmittedDeal::default() },
                            };
                            view! {
                                <h1>{d.client_name.clone()} " → " {d.project_name.clone()}</h1>
                                <p><a href=format!("/deals/{}", d.id)>{tr("deals.back")}</a></p>
                                <DealFormView submitted action=format!("/deals/{}/edit", d.id) tranches=d.tranches.clone() owners=d.owners.clone() />
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn DealNewPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let submitted = use_context::<SubmittedDeal>();
    let id = |value: Option<String>| value.and_then(|v| v.trim().parse::<i64>().ok());
    // After a failed post the page is shown again at /deals/new: the form says who and what.
    let client = id(query.get("client")).or_else(|| {
        submitted
            .as_ref()
            .and_then(|s| s.form.client_id.parse().ok())
    });
    let project = id(query.get("project")).or_else(|| {
        submitted
            .as_ref()
            .and_then(|s| s.form.project_id.parse().ok())
    });
    let q = query.get("q").unwrap_or_default();
    let context = Resource::new(
        move || (client, project, q.clone()),
        |(client, project, q)| load_new_deal(client, project, q),
    );
    view! {
        <Title text=tr("deals.new") />
        <h1>{tr("deals.new")}</h1>
        <Suspense>
            {move || {
                let submitted = submitted.clone();
                Suspend::new(async move {
                    match context.await {
                        Ok(ctx) => view! { <NewDealView ctx submitted /> }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn NewDealView(ctx: NewDealContext, submitted: Option<SubmittedDeal>) -> impl IntoView {
    let chosen = view! {
        <dl class="facts card">
            <dt>{tr("deals.investor")}</dt>
            <dd>{ctx.client.clone().map(|(id, name)| view! { <a href=format!("/clients/{id}")>{name}</a> })}</dd>
            <dt>{tr("deals.project")}</dt>
            <dd>{ctx.project.clone().map(|(id, name)| view! { <a href=format!("/projects/{id}")>{name}</a> })}</dd>
        </dl>
    };
    match (ctx.client.clone(), ctx.project.clone()) {
        (Some((client_id, _)), Some((project_id, _))) => {
            let submitted = submitted.unwrap_or_else(|| SubmittedDeal {
                form: DealForm {
                    form_key: ctx.form_key.clone(),
                    client_id: client_id.to_string(),
                    project_id: project_id.to_string(),
                    owner_id: ctx.my_id.to_string(),
                    stage: DealStage::Prospect.as_str().to_string(),
                    currency: ctx.currency.clone(),
                    ..DealForm::default()
                },
                ..SubmittedDeal::default()
            });
            view! {
                {chosen}
                <DealFormView submitted action="/deals/new".to_string() tranches=ctx.tranches.clone() owners=ctx.owners.clone() />
            }
            .into_any()
        }
        (client, project) => {
            // Choose the missing side: a search (a GET form) and links to the candidates.
            let choosing_project = client.is_some();
            let (label, hint) = if choosing_project {
                (tr("deals.choose_project"), tr("deals.search_projects"))
            } else {
                (tr("deals.choose_investor"), tr("deals.search_investors"))
            };
            let keep = |name: &'static str, value: Option<(i64, String)>| {
                value.map(|(id, _)| view! { <input type="hidden" name=name value=id /> })
            };
            let link = move |id: i64| match (client.clone(), project.clone()) {
                (Some((c, _)), _) => format!("/deals/new?client={c}&project={id}"),
                (None, Some((p, _))) => format!("/deals/new?client={id}&project={p}"),
                (None, None) => format!("/deals/new?client={id}"),
            };
            view! {
                {chosen}
                <section class="card">
                    <h2>{label}</h2>
                    <form method="get" action="/deals/new" class="filters" role="search">
                        {keep("client", ctx.client.clone())}
                        {keep("project", ctx.project.clone())}
                        <div class="field grow">
                            <label for="q">{hint}</label>
                            <input id="q" name="q" type="search" />
                        </div>
                        <button type="submit" class="primary">{tr("deals.search")}</button>
                    </form>
                    {if ctx.candidates.is_empty() {
                        view! { <p class="empty">{tr("deals.no_candidates")}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="pick-list">
                                {ctx.candidates.iter().map(|(id, name)| view! { <li><a href=link(*id)>{name.clone()}</a></li> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            }
            .into_any()
        }
    }
}

#[component]
fn DealFormView(
    submitted: SubmittedDeal,
    action: String,
    tranches: Vec<(i64, String)>,
    owners: Vec<(i64, String)>,
) -> impl IntoView {
    let f = submitted.form.clone();
    let err = |field: &str| message_for(&submitted.errors, field);
    view! {
        {submitted.conflict.then(|| view! { <div class="alert alert-error" role="alert"><p>{tr("error.stale")}</p></div> })}
        {(!submitted.errors.is_empty()).then(|| view! { <div class="alert alert-error" role="alert"><p>{tr("error.invalid")}</p></div> })}
        {submitted.error_key.clone().map(|k| view! { <div class="alert alert-error" role="alert"><p>{tr(&k)}</p></div> })}
        {["client_id", "project_id"].iter().filter_map(|field| {
            let key = err(field);
            (!key.is_empty()).then(|| view! { <p class="alert alert-error" role="alert">{tr(&key)}</p> })
        }).collect_view()}
        <form method="post" action=action class="card grid-form">
            <input type="hidden" name="form_key" value=f.form_key.clone() />
            <input type="hidden" name="version" value=f.version.clone() />
            <input type="hidden" name="client_id" value=f.client_id.clone() />
            <input type="hidden" name="project_id" value=f.project_id.clone() />
            <Choice name="tranche_id" label=tr("deals.tranche") placeholder=tr("deals.whole_project") options=id_options(&tranches) selected=f.tranche_id.clone() error=err("tranche_id") />
            <Choice name="stage" label=tr("deals.stage") options=options_of(DealStage::ALL, DealStage::as_str, DealStage::i18n_key) selected=f.stage.clone() error=err("stage") blank=false />
            <Choice name="currency" label=tr("clients.currency") options=currency_options() selected=f.currency.clone() error=err("currency") blank=false />
            <Text name="indicated_amount" label=tr("deals.indicated") value=f.indicated_amount.clone() error=err("indicated_amount") />
            <Text name="committed_amount" label=tr("deals.committed") value=f.committed_amount.clone() error=err("committed_amount") />
            <Text name="probability" label=tr("deals.probability_hint") value=f.probability.clone() error=err("probability") />
            <Text name="expected_close" label=tr("deals.expected_close") value=f.expected_close.clone() kind="date" error=err("expected_close") />
            {if owners.is_empty() {
                view! { <input type="hidden" name="owner_id" value=f.owner_id.clone() /> }.into_any()
            } else {
                view! { <Choice name="owner_id" label=tr("clients.owner") options=id_options(&owners) selected=f.owner_id.clone() error=err("owner_id") blank=false /> }.into_any()
            }}
            <Area name="terms" label=tr("deals.terms") value=f.terms.clone() error=err("terms") />
            <Text name="reason" label=tr("deals.reason") value=f.reason.clone() error=err("reason") />
            <p class="hint wide">{tr("clients.amount_hint")}</p>
            <button type="submit" class="primary">{tr("form.save")}</button>
        </form>
    }
}
