//! The investor's profile page, and the change-request section of a client's page on the
//! staff side. Plain forms, the same with JavaScript off.
use super::api::{client_change_requests, load_portal_profile};
use super::model::{
    ChangeField, ChangeRequestView, PortalProfile, StaffChangeRequests, SubmittedChangeRequest,
    SubmittedProfile, value_key,
};
use crate::clients::model::RiskAppetite;
use crate::core::i18n::Lang;
use crate::portal::preview::{PreviewLock, use_preview};
use crate::ui::fields::{Area, Check, Choice, Text, message_for, options_of};
use crate::ui::layout::failed;
use crate::ui::session::tr;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PortalProfilePage() -> impl IntoView {
    let profile = Resource::new(use_preview, load_portal_profile);
    let saved = use_query_map().get_untracked().get("saved").is_some();
    let requested = use_query_map().get_untracked().get("requested").is_some();
    let submitted = use_context::<SubmittedProfile>();
    let request = use_context::<SubmittedChangeRequest>();
    view! {
        <Title text=tr("profile.title") />
        <h1>{tr("profile.title")}</h1>
        {saved.then(|| view! { <p class="alert alert-success" role="status">{tr("profile.saved")}</p> })}
        {requested.then(|| view! { <p class="alert alert-success" role="status">{tr("profile.requested")}</p> })}
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || {
                let (submitted, request) = (submitted.clone(), request.clone());
                Suspend::new(async move {
                    match profile.await {
                        Ok(p) => view! { <ProfileView p submitted=submitted.unwrap_or_default() request=request.unwrap_or_default() /> }.into_any(),
                        Err(error) => failed(error),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn ProfileView(
    p: PortalProfile,
    submitted: SubmittedProfile,
    request: SubmittedChangeRequest,
) -> impl IntoView {
    let shown_again = !submitted.errors.is_empty() || submitted.error_key.is_some();
    let f = submitted.form.clone();
    let phone = if shown_again {
        f.phone.clone()
    } else {
        p.phone.clone().unwrap_or_default()
    };
    let language = if shown_again {
        f.language.clone()
    } else {
        p.language.clone()
    };
    let (updates, answers) = if shown_again {
        (f.notify_updates, f.notify_answers)
    } else {
        (p.notify_updates, p.notify_answers)
    };
    let errors = submitted.errors.clone();
    let err = move |field: &str| message_for(&errors, field);
    let languages: Vec<(String, String)> = Lang::ALL
        .iter()
        .map(|l| (l.code().to_string(), l.native_name().to_string()))
        .collect();
    view! {
        <section class="card" aria-labelledby="contact-title">
            <h2 id="contact-title">{tr("profile.contact")}</h2>
            {submitted.error_key.clone().map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
            <dl class="facts">
                <dt>{tr("profile.name")}</dt><dd>{p.name.clone()}</dd>
                <dt>{tr("profile.email")}</dt><dd>{p.email.clone()}</dd>
            </dl>
            <p class="hint">{tr("profile.ask_rm")}</p>
            <form method="post" action="/portal/profile" class="grid-form">
                <PreviewLock>
                    <Text name="phone" kind="tel" label=tr("profile.phone") value=phone error=err("phone") />
                    <Choice name="language" label=tr("profile.language") options=languages selected=language error=err("language") blank=false />
                    <fieldset>
                        <legend>{tr("profile.notifications")}</legend>
                        <Check name="notify_updates" label=tr("profile.notify_updates") checked=updates />
                        <Check name="notify_answers" label=tr("profile.notify_answers") checked=answers />
                    </fieldset>
                    <button type="submit" class="primary">{tr("profile.save")}</button>
                </PreviewLock>
            </form>
        </section>
        <section class="card" aria-labelledby="entities-title">
            <h2 id="entities-title">{tr("profile.entities")}</h2>
            <div class="table-wrap">
                <table>
                    <thead><tr>
                        <th scope="col">{tr("profile.entity")}</th>
                        <th scope="col">{tr("profile.field.risk_appetite")}</th>
                        <th scope="col">{tr("profile.field.ticket_size")}</th>
                    </tr></thead>
                    <tbody>
                        {p.entities.iter().map(|e| view! {
                            <tr>
                                <td>{e.name.clone()}</td>
                                <td>{e.risk_appetite.map(|r| tr(&r.i18n_key())).unwrap_or_default()}</td>
                                <td>{e.ticket.clone().unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <ChangeRequestPanel p=p.clone() request />
        </section>
        <section class="card" id="requests" aria-labelledby="requests-title">
            <h2 id="requests-title">{tr("profile.requests")}</h2>
            <RequestList items=p.requests.clone() show_entity=true />
        </section>
    }
}

#[component]
fn ChangeRequestPanel(p: PortalProfile, request: SubmittedChangeRequest) -> impl IntoView {
    let errors = request.errors.clone();
    let err = move |field: &str| message_for(&errors, field);
    let f = request.form.clone();
    let entities: Vec<(String, String)> = p
        .entities
        .iter()
        .map(|e| (e.client_id.to_string(), e.name.clone()))
        .collect();
    let client = if f.client.is_empty() {
        entities
            .first()
            .map(|(id, _)| id.clone())
            .unwrap_or_default()
    } else {
        f.client.clone()
    };
    let open = !request.errors.is_empty() || request.error_key.is_some();
    view! {
        <details open=open>
            <summary>{tr("profile.request_change")}</summary>
            <p class="hint">{tr("profile.request_hint")}</p>
            {request.error_key.clone().map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
            <form method="post" action="/portal/profile/requests" class="grid-form">
                <input type="hidden" name="form_key" value=p.form_key.clone() />
                <PreviewLock>
                    <Choice name="client" label=tr("profile.entity") options=entities selected=client error=err("client") blank=false />
                    <Choice name="field" label=tr("profile.change_what") options=options_of(ChangeField::ALL, ChangeField::as_str, ChangeField::i18n_key) selected=f.field.clone() error=err("field") placeholder=tr("form.choose") />
                    <Choice name="risk_appetite" label=tr("profile.new_risk_appetite") options=options_of(RiskAppetite::ALL, RiskAppetite::as_str, RiskAppetite::i18n_key) selected=f.risk_appetite.clone() error=err("risk_appetite") placeholder=tr("form.choose") />
                    <Text name="ticket_size" label=tr("profile.new_ticket_size") value=f.ticket_size.clone() error=err("ticket_size") />
                    <Area name="note" label=tr("profile.note") value=f.note.clone() error=err("note") />
                    <button type="submit" class="primary">{tr("profile.send_request")}</button>
                </PreviewLock>
            </form>
        </details>
    }
}

/// A value as recorded: a risk appetite by name, a ticket size as written.
fn shown(field: Option<ChangeField>, value: &str) -> String {
    match value_key(field, value) {
        Some(key) => tr(&key),
        None if value.is_empty() => "—".to_string(),
        None => value.to_string(),
    }
}

#[component]
fn RequestList(items: Vec<ChangeRequestView>, show_entity: bool) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="empty">{tr("profile.no_requests")}</p> }.into_any();
    }
    view! {
        <ul class="history">
            {items.into_iter().map(|r| {
                let field = r.field.map(|f| tr(&f.i18n_key())).unwrap_or_default();
                let state = if r.open { tr("profile.request_open") } else { tr("profile.request_handled") };
                view! {
                    <li>
                        <strong>{field}</strong> ": " {shown(r.field, &r.current)} " → " {shown(r.field, &r.requested)}
                        " · " <span class="flag">{state}</span>
                        <br />
                        <span class="muted">
                            {show_entity.then(|| format!("{} · ", r.entity))}
                            {(!show_entity).then(|| format!("{} · ", r.requester))}
                            {r.created_at.clone()}
                        </span>
                        {r.note.clone().map(|n| view! { <p class="prose">{n}</p> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The investor's change requests on a client's page; a manager marks each handled.
#[component]
pub fn ChangeRequestsSection(client: i64) -> impl IntoView {
    let requests = Resource::new(move || client, client_change_requests);
    view! {
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match requests.await {
                    Ok(r) if r.items.is_empty() => ().into_any(),
                    Ok(r) => view! { <StaffRequests client r /> }.into_any(),
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StaffRequests(client: i64, r: StaffChangeRequests) -> impl IntoView {
    let handled = use_query_map()
        .get_untracked()
        .get("request_handled")
        .is_some();
    let open: Vec<ChangeRequestView> = r.items.iter().filter(|i| i.open).cloned().collect();
    view! {
        <section class="card" id="change-requests" aria-labelledby="change-requests-title">
            <h2 id="change-requests-title">{tr("profile.staff_requests")}</h2>
            {handled.then(|| view! { <p class="alert alert-success" role="status">{tr("profile.marked_handled")}</p> })}
            <RequestList items=r.items.clone() show_entity=false />
            {r.can_handle.then(|| open.into_iter().map(|item| view! {
                <form method="post" action=format!("/clients/{client}/change-requests/{}/handled", item.id) class="inline-form">
                    <button type="submit">{format!("{} {}", tr("profile.mark_handled"), item.created_at)}</button>
                </form>
            }).collect_view())}
        </section>
    }
}
