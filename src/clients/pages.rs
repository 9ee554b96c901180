//! Client pages: the list with filters and search, the detail page, and the create/edit
//! form (a plain form: it works without JavaScript and keeps the input on errors).
use super::api::{
    client_owners, get_client, list_clients, load_client_form_options, load_contact_edit,
};
use super::model::*;
use super::timeline::pages::{LogInteractionForm, TimelineSection};
use crate::core::i18n;
use crate::core::roles::Department;
use crate::pipeline::lifecycle::pages::{LifecycleHistory, RiskNotice};
use crate::pipeline::pages::DealsSection;
use crate::ui::fields::{Check, Choice, Text, currency_options, message_for, options_of};
use crate::ui::layout::ErrorPanel;
use crate::ui::session::{tr, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ClientsPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let filter = ClientFilter::from_query(|k| query.get(k));
    let archived = query.get("archived").is_some();
    let owners = Resource::new(|| (), |_| client_owners());
    let page = Resource::new(
        {
            let filter = filter.clone();
            move || filter.clone()
        },
        list_clients,
    );
    let lang = use_lang();
    let f = filter.clone();
    let f_owner = f.owner.map(|o| o.to_string()).unwrap_or_default();
    view! {
        <Title text=tr("clients.title") />
        <div class="page-head">
            <h1>{tr("clients.title")}</h1>
            <a class="button primary-link" href="/clients/new">{tr("clients.new")}</a>
        </div>
        {archived.then(|| view! { <p class="alert alert-success" role="status">{tr("clients.archived")}</p> })}
        <form method="get" action="/clients" class="filters" role="search">
            <div class="field grow">
                <label for="q">{tr("clients.search")}</label>
                <input id="q" name="q" type="search" value=f.q.clone() placeholder=tr("clients.search_hint") />
            </div>
            <Choice name="kind" label=tr("clients.kind") options=options_of(ClientKind::ALL, ClientKind::as_str, ClientKind::i18n_key) selected=f.kind.map(|v| v.as_str().to_string()).unwrap_or_default() />
            <Choice name="stage" label=tr("clients.stage") options=options_of(LifecycleStage::ALL, LifecycleStage::as_str, LifecycleStage::i18n_key) selected=f.stage.map(|v| v.as_str().to_string()).unwrap_or_default() />
            <Suspense>
                {move || {
                    let selected = f_owner.clone();
                    Suspend::new(async move {
                        let options: Vec<(String, String)> = owners.await.unwrap_or_default().into_iter().map(|(id, name)| (id.to_string(), name)).collect();
                        view! { <Choice name="owner" label=tr("clients.owner") options selected /> }
                    })
                }}
            </Suspense>
            <Choice name="department" label=tr("admin.users.department") options=options_of(&Department::ALL, Department::as_str, Department::i18n_key) selected=f.department.map(|v| v.as_str().to_string()).unwrap_or_default() />
            <Choice name="sector" label=tr("clients.sector") options=options_of(Sector::ALL, Sector::as_str, Sector::i18n_key) selected=f.sector.map(|v| v.as_str().to_string()).unwrap_or_default() />
            <Choice name="risk" label=tr("clients.risk") options=options_of(RiskAppetite::ALL, RiskAppetite::as_str, RiskAppetite::i18n_key) selected=f.risk.map(|v| v.as_str().to_string()).unwrap_or_default() />
            <Choice name="band" label=tr("clients.band") options=options_of(TicketBand::ALL, TicketBand::as_str, TicketBand::i18n_key) selected=f.band.map(|v| v.as_str().to_string()).unwrap_or_default() />
            <Choice name="kyc" label=tr("clients.kyc") options=options_of(KycStatus::ALL, KycStatus::as_str, KycStatus::i18n_key) selected=f.kyc.map(|v| v.as_str().to_string()).unwrap_or_default() />
            <Text name="country" label=tr("clients.country") value=f.country.clone() />
            <Choice name="sort" label=tr("clients.sort") options=options_of(ClientSort::ALL, ClientSort::as_str, ClientSort::i18n_key) selected=f.sort.map(|v| v.as_str().to_string()).unwrap_or_default() blank=false />
            <button type="submit" class="primary">{tr("clients.apply")}</button>
        </form>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || {
                let filter = filter.clone();
                Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <ClientTable page filter lang /> }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn ClientTable(page: ClientPage, filter: ClientFilter, lang: i18n::Lang) -> impl IntoView {
    let count = i18n::t_with(lang, "clients.count", &[("count", &page.total.to_string())]);
    let next = page
        .next
        .clone()
        .map(|cursor| format!("/clients{}", filter.to_query(Some(&cursor))));
    if page.rows.is_empty() {
        return view! { <p class="empty">{tr("clients.none")}</p> }.into_any();
    }
    view! {
        <p class="muted" role="status">{count}</p>
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">{tr("clients.title")}</caption>
                <thead><tr>
                    <th scope="col">{tr("clients.name")}</th>
                    <th scope="col">{tr("clients.kind")}</th>
                    <th scope="col">{tr("clients.stage")}</th>
                    <th scope="col">{tr("clients.owner")}</th>
                    <th scope="col">{tr("clients.country")}</th>
                    <th scope="col">{tr("clients.sector")}</th>
                    <th scope="col">{tr("clients.risk")}</th>
                    <th scope="col">{tr("clients.band")}</th>
                    <th scope="col">{tr("clients.kyc")}</th>
                </tr></thead>
                <tbody>
                    {page.rows.into_iter().map(|r| {
                        let kind = match (r.is_investor, r.is_borrower) {
                            (true, true) => tr("kind.both"),
                            (true, false) => tr("kind.investor"),
                            _ => tr("kind.borrower"),
                        };
                        view! {
                            <tr>
                                <td>
                                    <a href=format!("/clients/{}", r.id)>{r.display_name.clone()}</a>
                                    {r.latin_name.clone().map(|l| view! { <br /><span class="muted small">{l}</span> })}
                                </td>
                                <td>{kind}</td>
                                <td>{tr(&r.stage.i18n_key())}</td>
                                <td>{r.owner_name.clone()}</td>
                                <td>{r.country.clone()}</td>
                                <td>{r.sector.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</td>
                                <td>{r.risk.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</td>
                                <td>{r.band.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</td>
                                <td>{r.kyc_flag.map(|f| view! { <span class="flag">{tr(f.i18n_key())}</span> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {next.map(|href| view! { <p><a class="button" href=href>{tr("list.next_page")}</a></p> })}
    }
    .into_any()
}

#[component]
pub fn ClientNewPage() -> impl IntoView {
    let submitted = use_context::<SubmittedClient>();
    let options = Resource::new(|| (), |_| load_client_form_options());
    view! {
        <Title text=tr("clients.new") />
        <h1>{tr("clients.new")}</h1>
        <Suspense>
            {move || {
                let submitted = submitted.clone();
                Suspend::new(async move {
                    match options.await {
                        Ok(options) => {
                            let submitted = submitted.unwrap_or_else(|| SubmittedClient {
                                form: ClientForm {
                                    form_key: options.form_key.clone(),
                                    owner_id: options.my_id.to_string(),
                                    ticket_currency: "CNY".into(),
                                    contact_language: "zh".into(),
                                    ..ClientForm::default()
                                },
                                ..SubmittedClient::default()
                            });
                            view! { <ClientFormView submitted options action="/clients/new".to_string() creating=true /> }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn client_id() -> Option<i64> {
    use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse().ok()))
}

#[component]
pub fn ClientEditPage() -> impl IntoView {
    let id = client_id();
    let submitted = use_context::<SubmittedClient>();
    let detail = Resource::new(
        move || id,
        |id| async move { get_client(id.unwrap_or(0)).await },
    );
    let options = Resource::new(|| (), |_| load_client_form_options());
    view! {
        <Title text=tr("clients.edit") />
        <Suspense>
            {move || {
                let submitted = submitted.clone();
                Suspend::new(async move {
                    match (detail.await, options.await) {
                        (Ok(detail), Ok(options)) => {
                            let submitted = match submitted {
                                // Someone else saved first: show their values and say so.
                                Some(s) if s.conflict => SubmittedClient { form: detail.form.clone(), conflict: true, ..SubmittedClient::default() },
                                Some(s) => s,
                                None => SubmittedClient { form: detail.form.clone(), ..SubmittedClient::default() },
                            };
                            let action = format!("/clients/{}/edit", detail.id);
                            view! {
                                <h1>{detail.display_name.clone()}</h1>
                                <p><a href=format!("/clients/{}", detail.id)>{tr("clients.back_to_client")}</a></p>
                                <ClientFormView submitted options action creating=false />
                            }.into_any()
                        }
                        (Err(error), _) | (_, Err(error)) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn ClientFormView(
    submitted: SubmittedClient,
    options: ClientFormOptions,
    action: String,
    creating: bool,
) -> impl IntoView {
    let lang = use_lang();
    let f = submitted.form.clone();
    let err = |field: &str| message_for(&submitted.errors, field);
    let owners: Vec<(String, String)> = options
        .owners
        .iter()
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect();
    let currencies = currency_options();
    let has_errors = !submitted.errors.is_empty();
    view! {
        {submitted.conflict.then(|| view! { <div class="alert alert-error" role="alert"><p>{tr("error.stale")}</p></div> })}
        {has_errors.then(|| view! { <div class="alert alert-error" role="alert"><p>{tr("error.invalid")}</p></div> })}
        {submitted.error_key.clone().map(|k| view! { <div class="alert alert-error" role="alert"><p>{tr(&k)}</p></div> })}
        {(!submitted.duplicates.is_empty()).then(|| view! {
            <div class="alert alert-warning" role="alert">
                <p>{tr("clients.duplicates")}</p>
                <ul>{submitted.duplicates.iter().map(|(id, name)| view! { <li><a href=format!("/clients/{id}")>{name.clone()}</a></li> }).collect_view()}</ul>
                <p>{tr("clients.duplicates_confirm")}</p>
            </div>
        })}
        <form method="post" action=action class="stack client-form">
            <input type="hidden" name="form_key" value=f.form_key.clone() />
            <input type="hidden" name="version" value=f.version.clone() />
            {(!submitted.duplicates.is_empty()).then(|| view! { <input type="hidden" name="confirm_duplicate" value="on" /> })}
            <fieldset class="card grid-form">
                <legend>{tr("clients.section.client")}</legend>
                <Text name="display_name" label=tr("clients.name") value=f.display_name.clone() error=err("display_name") required=true />
                <Text name="latin_name" label=tr("clients.latin_name") value=f.latin_name.clone() error=err("latin_name") />
                <Text name="registration_id" label=tr("clients.registration_id") value=f.registration_id.clone() error=err("registration_id") />
                <Choice placeholder=tr("form.choose") name="client_type" label=tr("clients.client_type") options=options_of(ClientType::ALL, ClientType::as_str, ClientType::i18n_key) selected=f.client_type.clone() error=err("client_type") />
                <Text name="country" label=tr("clients.country_code") value=f.country.clone() error=err("country") />
                <Choice placeholder=tr("form.choose") name="sector" label=tr("clients.sector") options=options_of(Sector::ALL, Sector::as_str, Sector::i18n_key) selected=f.sector.clone() error=err("sector") />
                {options.can_choose_owner.then(|| view! {
                    <Choice placeholder=tr("form.choose") name="owner_id" label=tr("clients.owner") options=owners.clone() selected=f.owner_id.clone() error=err("owner_id") blank=false />
                })}
                <div class="field">
                    <span class="label">{tr("clients.kind")}</span>
                    <Check name="is_investor" label=tr("kind.investor") checked=f.is_investor />
                    <Check name="is_borrower" label=tr("kind.borrower") checked=f.is_borrower />
                    {Some(err("is_investor")).filter(|e| !e.is_empty()).map(|e| view! { <p class="field-error">{tr(&e)}</p> })}
                </div>
                <Text name="notes" label=tr("clients.notes") value=f.notes.clone() />
            </fieldset>
            <fieldset class="card grid-form">
                <legend>{tr("clients.section.investor")}</legend>
                <Choice placeholder=tr("form.choose") name="risk_appetite" label=tr("clients.risk") options=options_of(RiskAppetite::ALL, RiskAppetite::as_str, RiskAppetite::i18n_key) selected=f.risk_appetite.clone() error=err("risk_appetite") />
                <Text name="ticket_min" label=tr("clients.ticket_min") value=f.ticket_min.clone() error=err("ticket_min") />
                <Text name="ticket_max" label=tr("clients.ticket_max") value=f.ticket_max.clone() error=err("ticket_max") />
                <Choice placeholder=tr("form.choose") name="ticket_currency" label=tr("clients.currency") options=currencies.clone() selected=f.ticket_currency.clone() error=err("ticket_currency") blank=false />
                <div class="field">
                    <span class="label">{tr("clients.preferred_sectors")}</span>
                    <div class="checks">
                        {Sector::ALL.iter().map(|s| view! { <Check name="preferred_sectors" label=tr(&s.i18n_key()) checked=f.preferred_sectors.iter().any(|p| p == s.as_str()) value=s.as_str().to_string() /> }).collect_view()}
                    </div>
                </div>
                <Text name="preferred_regions" label=tr("clients.preferred_regions") value=f.preferred_regions.clone() />
                <div class="field">
                    <span class="label">{tr("clients.preferred_instruments")}</span>
                    <div class="checks">
                        {Instrument::ALL.iter().map(|s| view! { <Check name="preferred_instruments" label=tr(&s.i18n_key()) checked=f.preferred_instruments.iter().any(|p| p == s.as_str()) value=s.as_str().to_string() /> }).collect_view()}
                    </div>
                </div>
                <Text name="max_tenor_months" label=tr("clients.max_tenor") value=f.max_tenor_months.clone() error=err("max_tenor_months") />
                <Choice placeholder=tr("form.choose") name="esg_requirement" label=tr("clients.esg") options=options_of(EsgRequirement::ALL, EsgRequirement::as_str, EsgRequirement::i18n_key) selected=f.esg_requirement.clone() error=err("esg_requirement") />
                <Choice placeholder=tr("form.choose") name="kyc_status" label=tr("clients.kyc") options=options_of(KycStatus::ALL, KycStatus::as_str, KycStatus::i18n_key) selected=f.kyc_status.clone() error=err("kyc_status") />
                <Text name="kyc_review_due" label=tr("clients.kyc_review_due") value=f.kyc_review_due.clone() kind="date" error=err("kyc_review_due") />
                <Check name="qualified_investor" label=tr("clients.qualified_investor") checked=f.qualified_investor />
            </fieldset>
            <fieldset class="card grid-form">
                <legend>{tr("clients.section.borrower")}</legend>
                <Text name="credit_rating" label=tr("clients.credit_rating") value=f.credit_rating.clone() />
                <Text name="financing_need" label=tr("clients.financing_need") value=f.financing_need.clone() error=err("financing_need") />
                <Choice placeholder=tr("form.choose") name="financing_currency" label=tr("clients.currency") options=currencies selected=f.financing_currency.clone() error=err("financing_currency") />
            </fieldset>
            {creating.then(|| view! {
                <fieldset class="card grid-form">
                    <legend>{tr("clients.section.contact")}</legend>
                    <Text name="contact_name" label=tr("contacts.name") value=f.contact_name.clone() error=err("contact_name") />
                    <Text name="contact_title" label=tr("contacts.title") value=f.contact_title.clone() />
                    <Text name="contact_email" label=tr("contacts.email") value=f.contact_email.clone() kind="email" error=err("contact_email") />
                    <Text name="contact_phone" label=tr("contacts.phone") value=f.contact_phone.clone() kind="tel" error=err("contact_phone") />
                    <Choice placeholder=tr("form.choose") name="contact_language" label=tr("contacts.language") options=vec![("zh".to_string(), "中文".to_string()), ("en".to_string(), "English".to_string())] selected=f.contact_language.clone() blank=false />
                </fieldset>
            })}
            <p class="hint">{i18n::t(lang, "clients.amount_hint")}</p>
            <button type="submit" class="primary">{if submitted.duplicates.is_empty() { tr("form.save") } else { tr("clients.create_anyway") }}</button>
        </form>
    }
}

#[component]
pub fn ClientDetailPage() -> impl IntoView {
    let id = client_id();
    let query = use_query_map().get_untracked();
    let notice = if query.get("created").is_some() {
        Some("clients.created")
    } else if query.get("logged").is_some() {
        Some("timeline.logged")
    } else if query.get("contact_added").is_some() {
        Some("contacts.added")
    } else if query.get("contact_saved").is_some() {
        Some("contacts.saved")
    } else if query.get("contact_removed").is_some() {
        Some("contacts.removed")
    } else if query.get("saved").is_some() {
        Some("form.saved")
    } else {
        None
    };
    let stale = query.get("stale").is_some();
    let detail = Resource::new(
        move || id,
        |id| async move { get_client(id.unwrap_or(0)).await },
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! {
                        <Title text=d.display_name.clone() />
                        {notice.map(|k| view! { <p class="alert alert-success" role="status">{tr(k)}</p> })}
                        {stale.then(|| view! { <p class="alert alert-error" role="alert">{tr("error.stale")}</p> })}
                        <ClientDetailView d />
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
fn ClientDetailView(d: ClientDetail) -> impl IntoView {
    let kind = match (d.investor.is_some(), d.borrower.is_some()) {
        (true, true) => tr("kind.both"),
        (true, false) => tr("kind.investor"),
        _ => tr("kind.borrower"),
    };
    view! {
        <div class="page-head">
            <div>
                <h1>{d.display_name.clone()}</h1>
                {d.latin_name.clone().map(|l| view! { <p class="muted">{l}</p> })}
            </div>
            <div class="actions">
                {d.can_edit.then(|| view! { <a class="button" href=format!("/clients/{}/edit", d.id)>{tr("clients.edit")}</a> })}
                {(d.borrower.is_some() && !d.archived).then(|| view! { <a class="button" href=format!("/projects/new?sponsor={}", d.id)>{tr("projects.new")}</a> })}
            </div>
        </div>
        {d.archived.then(|| view! { <p class="alert alert-info">{tr("clients.is_archived")}</p> })}
        <RiskNotice client_id=d.id />
        <section class="card">
            <h2>{tr("clients.section.client")}</h2>
            <dl class="facts">
                <dt>{tr("clients.kind")}</dt><dd>{kind}</dd>
                <dt>{tr("clients.stage")}</dt><dd>{tr(&d.stage.i18n_key())}</dd>
                <dt>{tr("clients.owner")}</dt><dd>{d.owner_name.clone()}</dd>
                <dt>{tr("clients.client_type")}</dt><dd>{d.client_type.map(|t| tr(&t.i18n_key())).unwrap_or_default()}</dd>
                <dt>{tr("clients.registration_id")}</dt><dd>{d.registration_id.clone().unwrap_or_default()}</dd>
                <dt>{tr("clients.country")}</dt><dd>{d.country.clone()}</dd>
                <dt>{tr("clients.sector")}</dt><dd>{d.sector.map(|s| tr(&s.i18n_key())).unwrap_or_default()}</dd>
                <dt>{tr("clients.notes")}</dt><dd>{d.notes.clone().unwrap_or_default()}</dd>
            </dl>
            <h3 class="small-heading">{tr("lifecycle.history")}</h3>
            <LifecycleHistory client_id=d.id />
        </section>
        {d.investor.clone().map(|i| view! {
            <section class="card">
                <h2>{tr("clients.section.investor")}</h2>
                {i.kyc_flag.map(|f| view! { <p class="alert alert-warning" role="status">{tr(f.i18n_key())}</p> })}
                <dl class="facts">
                    <dt>{tr("clients.risk")}</dt><dd>{i.risk.map(|r| tr(&r.i18n_key())).unwrap_or_default()}</dd>
                    <dt>{tr("clients.ticket")}</dt><dd>{i.ticket.clone()}</dd>
                    <dt>{tr("clients.band")}</dt><dd>{i.band.map(|b| tr(&b.i18n_key())).unwrap_or_default()}</dd>
                    <dt>{tr("clients.preferred_sectors")}</dt><dd>{i.preferred_sectors.iter().map(|s| tr(&s.i18n_key())).collect::<Vec<_>>().join("、")}</dd>
                    <dt>{tr("clients.preferred_regions")}</dt><dd>{i.preferred_regions.clone()}</dd>
                    <dt>{tr("clients.preferred_instruments")}</dt><dd>{i.preferred_instruments.iter().map(|s| tr(&s.i18n_key())).collect::<Vec<_>>().join("、")}</dd>
                    <dt>{tr("clients.max_tenor")}</dt><dd>{i.max_tenor_months.map(|m| m.to_string()).unwrap_or_default()}</dd>
                    <dt>{tr("clients.esg")}</dt><dd>{i.esg.map(|e| tr(&e.i18n_key())).unwrap_or_default()}</dd>
                    <dt>{tr("clients.kyc")}</dt><dd>{i.kyc_status.map(|k| tr(&k.i18n_key())).unwrap_or_default()}</dd>
                    <dt>{tr("clients.kyc_review_due")}</dt><dd>{i.kyc_review_due.clone().unwrap_or_default()}</dd>
                    <dt>{tr("clients.qualified_investor")}</dt><dd>{if i.qualified_investor { tr("form.yes") } else { tr("form.no") }}</dd>
                </dl>
            </section>
        })}
        {d.borrower.clone().map(|b| view! {
            <section class="card">
                <h2>{tr("clients.section.borrower")}</h2>
                <dl class="facts">
                    <dt>{tr("clients.credit_rating")}</dt><dd>{b.credit_rating.clone().unwrap_or_default()}</dd>
                    <dt>{tr("clients.financing_need")}</dt><dd>{b.financing_need.clone().unwrap_or_default()}</dd>
                </dl>
            </section>
        })}
        <section class="card" id="contacts">
            <h2>{tr("clients.section.contacts")}</h2>
            {if d.contacts.is_empty() {
                view! { <p class="empty">{tr("contacts.none")}</p> }.into_any()
            } else {
                view! {
                    <ul class="contacts">
                        {d.contacts.iter().map(|c| view! {
                            <li>
                                <strong>{c.name.clone()}</strong>
                                {c.is_primary.then(|| view! { " " <span class="flag">{tr("contacts.primary")}</span> })}
                                {c.title.clone().map(|t| view! { <span class="muted">" · " {t}</span> })}
                                {c.email.clone().map(|e| view! { <br /><a href=format!("mailto:{e}")>{e.clone()}</a> })}
                                {c.phone.clone().map(|p| view! { <br /><a href=format!("tel:{p}")>{p.clone()}</a> })}
                                {d.can_edit.then(|| view! { <br /><a class="small" href=format!("/clients/{}/contacts/{}", d.id, c.id)>{tr("contacts.edit")}<span class="visually-hidden">{format!(" {}", c.name)}</span></a> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        {d.can_edit.then(|| view! { <AddContactForm client_id=d.id form_key=d.contact_form_key.clone() /> })}
        {d.investor.is_some().then(|| view! { <crate::portal::access::pages::PortalAccessSection client=d.id /> })}
        {d.investor.is_some().then(|| view! { <crate::portal::profile::pages::ChangeRequestsSection client=d.id /> })}
        {d.investor.is_some().then(|| {
            let new_deal = (d.can_edit && !d.archived).then(|| format!("/deals/new?client={}", d.id));
            view! { <DealsSection client=Some(d.id) project=None new_deal=new_deal.unwrap_or_default() /> }
        })}
        <TimelineSection client=Some(d.id) project=None />
        <crate::surveys::pages::ClientSurveySection client=d.id />
        {(!d.archived).then(|| view! { <crate::feedback::complaints::pages::LogComplaintSection client=d.id /> })}
        {(d.can_log && !d.archived).then(|| view! { <LogInteractionForm client_id=d.id /> })}
        <section class="card">
            <h2>{tr("clients.section.history")}</h2>
            <ol class="history">
                {d.history.iter().map(|h| view! {
                    <li><time>{h.at.clone()}</time> " " {tr(&format!("audit.{}", h.action))} " · " {h.actor.clone().unwrap_or_else(|| tr("audit.system"))}</li>
                }).collect_view()}
            </ol>
        </section>
        {d.can_edit.then(|| view! {
            <section class="card danger-zone">
                <h2>{tr("clients.archive")}</h2>
                <p>{tr("clients.archive_hint")}</p>
                <form method="post" action=format!("/clients/{}/archive", d.id)>
                    <input type="hidden" name="version" value=d.version />
                    <button type="submit" class="danger">{tr("clients.archive")}</button>
                </form>
            </section>
        })}
    }
}

/// Adds a contact (a plain form: the page comes back with the input kept on errors).
#[component]
fn AddContactForm(client_id: i64, form_key: String) -> impl IntoView {
    let submitted = use_context::<SubmittedContact>().unwrap_or_else(|| SubmittedContact {
        form: ContactForm {
            form_key,
            contact_language: "zh".into(),
            ..ContactForm::default()
        },
        ..SubmittedContact::default()
    });
    let f = submitted.form.clone();
    view! {
        <section class="card">
            <h2>{tr("contacts.add")}</h2>
            {submitted.error_key.clone().map(|k| view! { <div class="alert alert-error" role="alert"><p>{tr(&k)}</p></div> })}
            {(!submitted.errors.is_empty()).then(|| view! { <div class="alert alert-error" role="alert"><p>{tr("error.invalid")}</p></div> })}
            <form method="post" action=format!("/clients/{client_id}/contacts") class="grid-form">
                <input type="hidden" name="form_key" value=f.form_key.clone() />
                <ContactFields submitted=submitted.clone() />
                <button type="submit" class="primary">{tr("contacts.add")}</button>
            </form>
        </section>
    }
}

/// The fields of a contact (adding one, editing one), with their messages.
#[component]
fn ContactFields(submitted: SubmittedContact) -> impl IntoView {
    let f = submitted.form.clone();
    let err = |field: &str| message_for(&submitted.errors, field);
    view! {
        <Text name="contact_name" label=tr("contacts.name") value=f.contact_name.clone() error=err("contact_name") required=true />
        <Text name="contact_title" label=tr("contacts.title") value=f.contact_title.clone() />
        <Text name="contact_email" label=tr("contacts.email") value=f.contact_email.clone() kind="email" error=err("contact_email") />
        <Text name="contact_phone" label=tr("contacts.phone") value=f.contact_phone.clone() kind="tel" error=err("contact_phone") />
        <Choice name="contact_language" label=tr("contacts.language") options=vec![("zh".to_string(), "中文".to_string()), ("en".to_string(), "English".to_string())] selected=f.contact_language.clone() blank=false />
        <Check name="is_primary" label=tr("contacts.make_primary") checked=f.is_primary />
    }
}

/// Edits or removes one contact of a client (plain forms; input kept on errors, and a
/// stale edit shows the contact as it now is).
#[component]
pub fn ContactEditPage() -> impl IntoView {
    let ids = use_params_map().with_untracked(|p| {
        (
            p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0),
            p.get("contact")
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0),
        )
    });
    let submitted = use_context::<SubmittedContact>();
    let edit = Resource::new(
        move || ids,
        |(client, contact)| load_contact_edit(client, contact),
    );
    view! {
        <Title text=tr("contacts.edit") />
        <Suspense>
            {move || {
                let submitted = submitted.clone();
                Suspend::new(async move {
                    match edit.await {
                        Ok(e) => {
                            let stale = submitted.as_ref().is_some_and(|s| s.error_key.as_deref() == Some("error.stale"));
                            let submitted = match submitted {
                                Some(s) if !stale && s.form != ContactForm::default() => s,
                                Some(s) => SubmittedContact { form: e.form.clone(), ..s },
                                None => SubmittedContact { form: e.form.clone(), ..SubmittedContact::default() },
                            };
                            let base = format!("/clients/{}/contacts/{}", e.client_id, e.contact_id);
                            view! {
                                <h1>{tr("contacts.edit")}</h1>
                                <p><a href=format!("/clients/{}#contacts", e.client_id)>{e.client_name.clone()}</a></p>
                                {submitted.error_key.clone().map(|k| view! { <div class="alert alert-error" role="alert"><p>{tr(&k)}</p></div> })}
                                {(!submitted.errors.is_empty()).then(|| view! { <div class="alert alert-error" role="alert"><p>{tr("error.invalid")}</p></div> })}
                                <form method="post" action=base.clone() class="card grid-form">
                                    <input type="hidden" name="version" value=submitted.form.version.clone() />
                                    <ContactFields submitted=submitted.clone() />
                                    <button type="submit" class="primary">{tr("form.save")}</button>
                                </form>
                                <section class="card danger-zone">
                                    <h2>{tr("contacts.remove")}</h2>
                                    <p>{tr("contacts.remove_hint")}</p>
                                    <form method="post" action=format!("{base}/remove")>
                                        <input type="hidden" name="version" value=submitted.form.version.clone() />
                                        <button type="submit" class="danger">{tr("contacts.remove")}</button>
                                    </form>
                                </section>
                            }.into_any()
                        }
                        Err(error) => {
                            #[cfg(feature = "ssr")]
                            let _ = crate::server::errors::with_status::<()>(Err(error.clone()));
                            view! { <ErrorPanel error /> }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}
