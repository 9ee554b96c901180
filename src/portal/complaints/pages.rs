//! The investor's complaint pages: their list with the form to raise one, and one
//! complaint with its status and the firm's responses. Plain forms.
use super::api::{my_complaint, my_complaints};
use crate::feedback::complaints::model::{ComplaintCategory, SubmittedComplaint};
use crate::feedback::complaints::pages::{ComplaintFacts, ComplaintList, Timeline, param_id};
use crate::portal::preview::{PreviewLock, portal_path, use_preview};
use crate::portal::questions::api::load_ask_options;
use crate::portal::questions::model::AskOptions;
use crate::ui::fields::{Area, Choice, message_for, options_of};
use crate::ui::layout::failed;
use crate::ui::session::tr;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PortalComplaintsPage() -> impl IntoView {
    let before = use_query_map()
        .get_untracked()
        .get("before")
        .and_then(|b| b.parse().ok());
    let preview = use_preview();
    let list = Resource::new(move || (before, preview), |(b, p)| my_complaints(b, p));
    let options = Resource::new(move || preview, load_ask_options);
    let base = portal_path(preview, "/complaints");
    view! {
        <Title text=tr("complaint.portal_title") />
        <h1>{tr("complaint.portal_title")}</h1>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || { let base = base.clone(); Suspend::new(async move {
                let form = match options.await {
                    Ok(o) => view! { <RaiseForm o /> }.into_any(),
                    Err(error) => failed(error),
                };
                let mine = match list.await {
                    Ok(p) => view! { <ComplaintList p base=base.clone() staff=false next="before=".to_string() /> }.into_any(),
                    Err(error) => failed(error),
                };
                view! {
                    <section class="card" id="raise" aria-labelledby="raise-title"><h2 id="raise-title">{tr("complaint.raise")}</h2>{form}</section>
                    <section class="card" aria-labelledby="mine-title"><h2 id="mine-title">{tr("complaint.mine")}</h2>{mine}</section>
                }
            })}}
        </Suspense>
    }
}

#[component]
fn RaiseForm(o: AskOptions) -> impl IntoView {
    let s = use_context::<SubmittedComplaint>().unwrap_or_default();
    let key = if s.form.form_key.is_empty() {
        o.form_key.clone()
    } else {
        s.form.form_key.clone()
    };
    let errors = s.errors.clone();
    let err = move |f: &str| message_for(&errors, f);
    let pairs = |items: &[(i64, String)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect()
    };
    let entities = pairs(&o.entities);
    let several = entities.len() > 1;
    view! {
        <p class="hint">{tr("complaint.raise_hint")}</p>
        {s.error_key.clone().map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
        <form method="post" action="/portal/complaints" class="grid-form">
            <input type="hidden" name="form_key" value=key />
            <PreviewLock>
                {several.then(|| view! {
                    <Choice name="entity" label=tr("portal.entity") options=entities.clone() selected=s.form.entity.clone() error=err("entity") blank=false />
                })}
                <Choice name="project" label=tr("portal.project") options=pairs(&o.projects) selected=s.form.project.clone() error=err("project") placeholder=tr("complaint.no_project") />
                <Choice name="category" label=tr("complaint.category") options=options_of(ComplaintCategory::ALL, ComplaintCategory::as_str, ComplaintCategory::i18n_key) selected=s.form.category.clone() error=err("category") placeholder=tr("form.choose") />
                <Area name="description" label=tr("complaint.description") value=s.form.description.clone() error=err("description") required=true />
                <button type="submit" class="primary">{tr("complaint.send_raise")}</button>
            </PreviewLock>
        </form>
    }
}

#[component]
pub fn PortalComplaintPage() -> impl IntoView {
    let id = param_id();
    let raised = use_query_map().get_untracked().get("raised").is_some();
    let preview = use_preview();
    let detail = Resource::new(move || (id, preview), |(id, p)| my_complaint(id, p));
    view! {
        <p><a href=portal_path(preview, "/complaints")>{tr("complaint.portal_title")}</a></p>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let title = format!("{} #{}", tr("complaint.title"), d.row.id);
                        view! {
                            <Title text=title.clone() />
                            <h1>{title}</h1>
                            {raised.then(|| view! { <p class="alert alert-success" role="status">{tr("complaint.raised")}</p> })}
                            <ComplaintFacts d=d.clone() />
                            <Timeline description=d.description.clone() events=d.events.clone() />
                        }.into_any()
                    }
                    Err(error) => failed(error),
                }
            })}
        </Suspense>
    }
}
