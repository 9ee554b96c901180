//! Project pages: list, detail with tranches, create (from a sponsor) and edit.
use super::api::{get_project, list_projects, load_new_project};
use super::model::*;
use crate::clients::model::{Instrument, RiskAppetite, Sector};
use crate::clients::timeline::pages::TimelineSection;
use crate::pipeline::pages::DealsSection;
use crate::ui::fields::{Check, Choice, Text, currency_options, message_for, options_of};
use crate::ui::layout::ErrorPanel;
use crate::ui::session::tr;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let filter = ProjectFilter::from_query(|k| query.get(k));
    let page = Resource::new(
        {
            let filter = filter.clone();
            move || filter.clone()
        },
        list_projects,
    );
    let f = filter.clone();
    view! {
        <Title text=tr("projects.title") />
        <div class="page-head">
            <h1>{tr("projects.title")}</h1>
            <a class="button" href="/clients?kind=borrower">{tr("projects.new_from_sponsor")}</a>
        </div>
        <form method="get" action="/projects" class="filters" role="search">
            {f.sponsor.map(|s| view! { <input type="hidden" name="sponsor" value=s /> })}
            <div class="field grow">
                <label for="q">{tr("projects.search")}</label>
                <input id="q" name="q" type="search" value=f.q.clone() />
            </div>
            <Choice name="sector" label=tr("clients.sector") options=options_of(Sector::ALL, Sector::as_str, Sector::i18n_key) selected=f.sector.map(|v| v.as_str().to_string()).unwrap_or_default() />
            <Choice name="stage" label=tr("projects.stage") options=options_of(ProjectStage::ALL, ProjectStage::as_str, ProjectStage::i18n_key) selected=f.stage.map(|v| v.as_str().to_string()).unwrap_or_default() />
            <Text name="country" label=tr("clients.country") value=f.country.clone() />
            <div class="field">
                <label class="check" for="showcase"><input type="checkbox" id="showcase" name="showcase" value="1" checked=f.showcase />{tr("projects.showcase_only")}</label>
            </div>
            <button type="submit" class="primary">{tr("clients.apply")}</button>
        </form>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || {
                let filter = filter.clone();
                Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <ProjectTable page filter /> }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn ProjectTable(page: ProjectPage, filter: ProjectFilter) -> impl IntoView {
    if page.rows.is_empty() {
        return view! { <p class="empty">{tr("projects.none")}</p> }.into_any();
    }
    let count = crate::core::i18n::t_with(
        crate::ui::session::use_lang(),
        "projects.count",
        &[("count", &page.total.to_string())],
    );
    let next = page
        .next
        .clone()
        .map(|cursor| format!("/projects{}", filter.to_query(Some(&cursor))));
    view! {
        <p class="muted" role="status">{count}</p>
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">{tr("projects.title")}</caption>
                <thead><tr>
                    <th scope="col">{tr("projects.name")}</th>
                    <th scope="col">{tr("projects.sponsor")}</th>
                    <th scope="col">{tr("clients.sector")}</th>
                    <th scope="col">{tr("clients.country")}</th>
                    <th scope="col">{tr("projects.size")}</th>
                    <th scope="col">{tr("projects.stage")}</th>
                </tr></thead>
                <tbody>
                    {page.rows.into_iter().map(|r| view! {
                        <tr>
                            <td><a href=format!("/projects/{}", r.id)>{r.name.clone()}</a>
                                {r.showcase.then(|| view! { " " <span class="flag">{tr("projects.showcase")}</span> })}</td>
                            <td>{r.sponsor_name.clone()}</td>
                            <td>{r.sector.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</td>
                            <td>{r.country.clone()}</td>
                            <td>{r.size.clone()}</td>
                            <td>{r.stage.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {next.map(|href| view! { <p><a class="button" href=href>{tr("list.next_page")}</a></p> })}
    }
    .into_any()
}

#[component]
pub fn ProjectNewPage() -> impl IntoView {
    let sponsor =
        use_query_map().with_untracked(|q| q.get("sponsor").and_then(|s| s.parse::<i64>().ok()));
    let submitted = use_context::<SubmittedProject>();
    let sponsor = sponsor.or_else(|| {
        submitted
            .as_ref()
            .and_then(|s| s.form.sponsor_id.parse().ok())
    });
    let context = Resource::new(
        move || sponsor,
        |sponsor| async move {
            match sponsor {
                Some(id) => load_new_project(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text=tr("projects.new") />
        <h1>{tr("projects.new")}</h1>
        <Suspense>
            {move || {
                let submitted = submitted.clone();
                Suspend::new(async move {
                    match context.await {
                        Ok(Some(ctx)) => {
                            let submitted = submitted.unwrap_or_else(|| SubmittedProject {
                                form: ProjectForm { form_key: ctx.form_key.clone(), sponsor_id: ctx.sponsor_id.to_string(), currency: "CNY".into(), ..ProjectForm::default() },
                                ..SubmittedProject::default()
                            });
                            view! {
                                <p>{tr("projects.sponsor")} ": " <a href=format!("/clients/{}", ctx.sponsor_id)>{ctx.sponsor_name.clone()}</a></p>
                                <ProjectFormView submitted action="/projects/new".to_string() />
                            }.into_any()
                        }
                        Ok(None) => view! {
                            <p class="alert alert-info">{tr("projects.choose_sponsor")} " " <a href="/clients?kind=borrower">{tr("nav.clients")}</a></p>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn project_id() -> Option<i64> {
    use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse().ok()))
}

#[component]
pub fn ProjectEditPage() -> impl IntoView {
    let id = project_id();
    let submitted = use_context::<SubmittedProject>();
    let detail = Resource::new(
        move || id,
        |id| async move { get_project(id.unwrap_or(0)).await },
    );
    view! {
        <Title text=tr("projects.edit") />
        <Suspense>
            {move || {
                let submitted = submitted.clone();
                Suspend::new(async move {
                    match detail.await {
                        Ok(d) => {
                            let submitted = match submitted {
                                Some(s) if s.conflict => SubmittedProject { form: d.form.clone(), conflict: true, ..SubmittedProject::default() },
                                Some(s) => s,
                                None => SubmittedProject { form: d.form.clone(), ..SubmittedProject::default() },
                            };
                            view! {
                                <h1>{d.name.clone()}</h1>
                                <p><a href=format!("/projects/{}", d.id)>{tr("projects.back")}</a></p>
                                <ProjectFormView submitted action=format!("/projects/{}/edit", d.id) />
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
fn ProjectFormView(submitted: SubmittedProject, action: String) -> impl IntoView {
    let f = submitted.form.clone();
    let err = |field: &str| message_for(&submitted.errors, field);
    let currencies = currency_options();
    view! {
        {submitted.conflict.then(|| view! { <div class="alert alert-error" role="alert"><p>{tr("error.stale")}</p></div> })}
        {(!submitted.errors.is_empty()).then(|| view! { <div class="alert alert-error" role="alert"><p>{tr("error.invalid")}</p></div> })}
        {submitted.error_key.clone().map(|k| view! { <div class="alert alert-error" role="alert"><p>{tr(&k)}</p></div> })}
        <form method="post" action=action class="card grid-form">
            <input type="hidden" name="form_key" value=f.form_key.clone() />
            <input type="hidden" name="version" value=f.version.clone() />
            <input type="hidden" name="sponsor_id" value=f.sponsor_id.clone() />
            <Text name="name" label=tr("projects.name") value=f.name.clone() error=err("name") required=true />
            <Text name="latin_name" label=tr("clients.latin_name") value=f.latin_name.clone() />
            <Choice name="sector" label=tr("clients.sector") placeholder=tr("form.choose") options=options_of(Sector::ALL, Sector::as_str, Sector::i18n_key) selected=f.sector.clone() error=err("sector") />
            <Text name="country" label=tr("clients.country_code") value=f.country.clone() error=err("country") />
            <Text name="total_size" label=tr("projects.size") value=f.total_size.clone() error=err("total_size") />
            <Choice name="currency" label=tr("clients.currency") options=currencies selected=f.currency.clone() error=err("currency") blank=false />
            <Choice name="stage" label=tr("projects.stage") placeholder=tr("form.choose") options=options_of(ProjectStage::ALL, ProjectStage::as_str, ProjectStage::i18n_key) selected=f.stage.clone() error=err("stage") />
            <Choice name="risk_rating" label=tr("projects.risk_rating") placeholder=tr("form.choose") options=options_of(RiskRating::ALL, RiskRating::as_str, RiskRating::i18n_key) selected=f.risk_rating.clone() error=err("risk_rating") />
            <Text name="expected_return" label=tr("projects.expected_return") value=f.expected_return.clone() error=err("expected_return") />
            <Text name="tenor_months" label=tr("projects.tenor") value=f.tenor_months.clone() error=err("tenor_months") />
            <Choice name="esg_category" label=tr("projects.esg_category") placeholder=tr("form.choose") options=options_of(EsgCategory::ALL, EsgCategory::as_str, EsgCategory::i18n_key) selected=f.esg_category.clone() error=err("esg_category") />
            <Check name="showcase" label=tr("projects.showcase_label") checked=f.showcase />
            <Text name="description" label=tr("projects.description") value=f.description.clone() />
            <button type="submit" class="primary">{tr("form.save")}</button>
        </form>
    }
}

#[component]
pub fn ProjectDetailPage() -> impl IntoView {
    let id = project_id();
    let query = use_query_map().get_untracked();
    let notice = if query.get("created").is_some() {
        Some("projects.created")
    } else if query.get("saved").is_some() {
        Some("form.saved")
    } else if query.get("tranche_added").is_some() {
        Some("tranches.added")
    } else {
        None
    };
    let detail = Resource::new(
        move || id,
        |id| async move { get_project(id.unwrap_or(0)).await },
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! {
                        <Title text=d.name.clone() />
                        {notice.map(|k| view! { <p class="alert alert-success" role="status">{tr(k)}</p> })}
                        <ProjectDetailView d />
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
fn ProjectDetailView(d: ProjectDetail) -> impl IntoView {
    view! {
        <div class="page-head">
            <div>
                <h1>{d.name.clone()}</h1>
                {d.latin_name.clone().map(|l| view! { <p class="muted">{l}</p> })}
            </div>
            {d.can_edit.then(|| view! { <a class="button" href=format!("/projects/{}/edit", d.id)>{tr("projects.edit")}</a> })}
        </div>
        <section class="card">
            <dl class="facts">
                <dt>{tr("projects.sponsor")}</dt><dd><a href=format!("/clients/{}", d.sponsor_id)>{d.sponsor_name.clone()}</a></dd>
                <dt>{tr("clients.owner")}</dt><dd>{d.owner_name.clone()}</dd>
                <dt>{tr("clients.sector")}</dt><dd>{d.sector.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</dd>
                <dt>{tr("clients.country")}</dt><dd>{d.country.clone()}</dd>
                <dt>{tr("projects.size")}</dt><dd>{d.size.clone()}</dd>
                <dt>{tr("projects.stage")}</dt><dd>{d.stage.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</dd>
                <dt>{tr("projects.risk_rating")}</dt><dd>{d.risk_rating.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</dd>
                <dt>{tr("projects.expected_return")}</dt><dd>{d.expected_return.clone().unwrap_or_default()}</dd>
                <dt>{tr("projects.tenor")}</dt><dd>{d.tenor_months.map(|m| m.to_string()).unwrap_or_default()}</dd>
                <dt>{tr("projects.esg_category")}</dt><dd>{d.esg_category.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</dd>
                <dt>{tr("projects.showcase_label")}</dt><dd>{if d.showcase { tr("form.yes") } else { tr("form.no") }}</dd>
                <dt>{tr("projects.description")}</dt><dd>{d.description.clone().unwrap_or_default()}</dd>
            </dl>
        </section>
        <section class="card" id="tranches">
            <h2>{tr("tranches.title")}</h2>
            {if d.tranches.is_empty() {
                view! { <p class="empty">{tr("tranches.none")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table>
                        <caption class="visually-hidden">{tr("tranches.title")}</caption>
                        <thead><tr>
                            <th scope="col">{tr("tranches.name")}</th>
                            <th scope="col">{tr("tranches.instrument")}</th>
                            <th scope="col">{tr("projects.size")}</th>
                            <th scope="col">{tr("tranches.pricing")}</th>
                            <th scope="col">{tr("projects.tenor")}</th>
                            <th scope="col">{tr("tranches.risk_band")}</th>
                            <th scope="col">{tr("tranches.coverage")}</th>
                        </tr></thead>
                        <tbody>
                            {d.tranches.iter().map(|t| view! {
                                <tr>
                                    <td>{t.name.clone()}</td>
                                    <td>{t.instrument.map(|i| tr(&i.i18n_key())).unwrap_or_default()}</td>
                                    <td>{t.size.clone()}</td>
                                    <td>{t.pricing.clone().unwrap_or_default()}</td>
                                    <td>{t.tenor_months.map(|m| m.to_string()).unwrap_or_default()}</td>
                                    <td>{t.risk_band.map(|r| tr(&r.i18n_key())).unwrap_or_default()}</td>
                                    <td><CoverageBar t=t.clone() /></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
        {d.can_edit.then(|| view! { <AddTrancheForm project_id=d.id form_key=d.tranche_form_key.clone() /> })}
        <p><a class="button" href=format!("/pipeline?project={}&owner=all", d.id)>{tr("pipeline.of_project")}</a></p>
        <DealsSection client=None project=Some(d.id) new_deal=format!("/deals/new?project={}", d.id) />
        <crate::projects::updates::pages::UpdatesSection project=d.id />
        <crate::projects::documents::pages::DocumentsSection project=d.id />
        <TimelineSection client=None project=Some(d.id) />
    }
}

#[component]
fn AddTrancheForm(project_id: i64, form_key: String) -> impl IntoView {
    let submitted = use_context::<SubmittedTranche>().unwrap_or_else(|| SubmittedTranche {
        form: TrancheForm {
            form_key,
            currency: "CNY".into(),
            ..TrancheForm::default()
        },
        ..SubmittedTranche::default()
    });
    let f = submitted.form.clone();
    let err = |field: &str| message_for(&submitted.errors, field);
    let currencies = currency_options();
    view! {
        <section class="card">
            <h2>{tr("tranches.add")}</h2>
            {(!submitted.errors.is_empty()).then(|| view! { <div class="alert alert-error" role="alert"><p>{tr("error.invalid")}</p></div> })}
            {submitted.error_key.clone().map(|k| view! { <div class="alert alert-error" role="alert"><p>{tr(&k)}</p></div> })}
            <form method="post" action=format!("/projects/{project_id}/tranches") class="grid-form">
                <input type="hidden" name="form_key" value=f.form_key.clone() />
                <Text name="tranche_name" label=tr("tranches.name") value=f.tranche_name.clone() error=err("tranche_name") required=true />
                <Choice name="instrument" label=tr("tranches.instrument") placeholder=tr("form.choose") options=options_of(Instrument::ALL, Instrument::as_str, Instrument::i18n_key) selected=f.instrument.clone() error=err("instrument") />
                <Text name="size" label=tr("projects.size") value=f.size.clone() error=err("size") />
                <Choice name="currency" label=tr("clients.currency") options=currencies selected=f.currency.clone() error=err("currency") blank=false />
                <Text name="pricing" label=tr("tranches.pricing") value=f.pricing.clone() error=err("pricing") />
                <Text name="tenor_months" label=tr("projects.tenor") value=f.tenor_months.clone() error=err("tenor_months") />
                <Choice name="risk_band" label=tr("tranches.risk_band") placeholder=tr("form.choose") options=options_of(RiskAppetite::ALL, RiskAppetite::as_str, RiskAppetite::i18n_key) selected=f.risk_band.clone() error=err("risk_band") />
                <button type="submit" class="primary">{tr("tranches.add")}</button>
            </form>
        </section>
    }
}

/// How much of a tranche is committed, and how much more the open deals promise weighted by
/// their probability: two stacked bars (committed over committed + weighted) for the eye
/// and the same in words for everyone.
#[component]
fn CoverageBar(t: TrancheView) -> impl IntoView {
    let lang = crate::ui::session::use_lang();
    let words = crate::core::i18n::t_with(
        lang,
        "tranches.coverage_text",
        &[
            ("committed", &t.committed),
            ("committed_pct", &t.committed_pct.to_string()),
            ("weighted", &t.weighted),
        ],
    );
    // `<meter>` elements rather than styled widths: the CSP allows no inline styles.
    let expected = (t.committed_pct + t.weighted_pct).min(100);
    view! {
        <div class="coverage" aria-hidden="true">
            <meter class="coverage-expected" min="0" max="100" value=expected></meter>
            <meter class="coverage-committed" min="0" max="100" value=t.committed_pct></meter>
        </div>
        <p class="small">{words}</p>
    }
}
