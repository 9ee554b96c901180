//! The timeline section (client and project pages) and the log-an-interaction form.
use super::api::{load_log_options, load_timeline};
use super::model::*;
use crate::ui::fields::{Area, Check, Choice, Text, id_options, message_for, options_of};
use crate::ui::layout::ErrorPanel;
use crate::ui::session::tr;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

/// Interactions newest first, a page at a time (`?timeline_after=` keeps the place).
#[component]
pub fn TimelineSection(client: Option<i64>, project: Option<i64>) -> impl IntoView {
    let after = use_query_map().with_untracked(|q| q.get("timeline_after"));
    let path = use_location().pathname.get_untracked();
    let page = Resource::new(
        move || (client, project, after.clone()),
        |(client, project, after)| load_timeline(client, project, after),
    );
    let on_client_page = client.is_some();
    view! {
        <section class="card" id="timeline">
            <h2>{tr("timeline.title")}</h2>
            <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
                {move || {
                    let path = path.clone();
                    Suspend::new(async move {
                        match page.await {
                            Ok(page) if page.items.is_empty() => view! { <p class="empty">{tr("timeline.none")}</p> }.into_any(),
                            Ok(page) => {
                                let older = page.next.clone().map(|cursor| format!("{path}?timeline_after={}#timeline", crate::core::url::encode(&cursor)));
                                view! {
                                    <ol class="timeline">
                                        {page.items.into_iter().map(|item| view! { <TimelineEntry item show_client=!on_client_page /> }).collect_view()}
                                    </ol>
                                    {older.map(|href| view! { <p><a class="button" href=href>{tr("timeline.older")}</a></p> })}
                                }.into_any()
                            }
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn TimelineEntry(item: TimelineItem, show_client: bool) -> impl IntoView {
    let people: Vec<String> = item
        .contacts
        .iter()
        .chain(item.staff.iter())
        .cloned()
        .collect();
    view! {
        <li class="timeline-item">
            <p class="timeline-head">
                <span class="flag">{item.kind.map(|k| tr(&k.i18n_key())).unwrap_or_default()}</span>
                " " <time>{item.at.clone()}</time>
                {show_client.then(|| view! { " · " <a href=format!("/clients/{}", item.client.0)>{item.client.1.clone()}</a> })}
                {item.project.clone().map(|(id, name)| view! { " · " <a href=format!("/projects/{id}")>{name}</a> })}
            </p>
            <p class="prewrap">{item.summary.clone()}</p>
            <p class="muted small">
                {(!people.is_empty()).then(|| view! { {tr("timeline.with")} " " {people.join("、")} " · " })}
                {tr("timeline.logged_by")} " " {item.logged_by.clone()}
            </p>
        </li>
    }
}

/// Logs a meeting, call, e-mail, note, site visit or event with the client (a plain form;
/// the page comes back with the input kept on errors).
#[component]
pub fn LogInteractionForm(client_id: i64) -> impl IntoView {
    let options = Resource::new(move || client_id, load_log_options);
    let submitted = use_context::<SubmittedInteraction>();
    view! {
        <Suspense>
            {move || {
                let submitted = submitted.clone();
                Suspend::new(async move {
                    match options.await {
                        Ok(o) => view! { <LogForm client_id options=o submitted /> }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn LogForm(
    client_id: i64,
    options: LogOptions,
    submitted: Option<SubmittedInteraction>,
) -> impl IntoView {
    let submitted = submitted.unwrap_or_else(|| SubmittedInteraction {
        form: InteractionForm {
            form_key: options.form_key.clone(),
            kind: InteractionKind::Meeting.as_str().to_string(),
            occurred_at: options.now_local.clone(),
            staff_ids: vec![options.my_id.to_string()],
            ..InteractionForm::default()
        },
        ..SubmittedInteraction::default()
    });
    let f = submitted.form.clone();
    let err = |field: &str| message_for(&submitted.errors, field);
    let people_error = [err("contact_ids"), err("staff_ids")]
        .into_iter()
        .find(|e| !e.is_empty());
    view! {
        <section class="card" id="log-interaction">
            <h2>{tr("timeline.log")}</h2>
            {submitted.error_key.clone().map(|k| view! { <div class="alert alert-error" role="alert"><p>{tr(&k)}</p></div> })}
            {(!submitted.errors.is_empty()).then(|| view! { <div class="alert alert-error" role="alert"><p>{tr("error.invalid")}</p></div> })}
            <form method="post" action=format!("/clients/{client_id}/interactions") class="grid-form">
                <input type="hidden" name="form_key" value=f.form_key.clone() />
                <Choice name="kind" label=tr("timeline.kind") options=options_of(InteractionKind::ALL, InteractionKind::as_str, InteractionKind::i18n_key) selected=f.kind.clone() error=err("kind") blank=false />
                <Text name="occurred_at" label=tr("timeline.when") value=f.occurred_at.clone() kind="datetime-local" error=err("occurred_at") required=true />
                <Choice name="project_id" label=tr("timeline.project") placeholder=tr("timeline.no_project") options=id_options(&options.projects) selected=f.project_id.clone() error=err("project_id") />
                <fieldset class="field wide">
                    <legend>{tr("timeline.participants")}</legend>
                    {options.contacts.iter().map(|(id, name)| {
                        let checked = f.contact_ids.contains(&id.to_string());
                        view! { <Check name="contact_ids" label=name.clone() checked value=id.to_string() /> }
                    }).collect_view()}
                    <div class="check-scroll">
                        {options.staff.iter().map(|(id, name)| {
                            let checked = f.staff_ids.contains(&id.to_string());
                            view! { <Check name="staff_ids" label=name.clone() checked value=id.to_string() /> }
                        }).collect_view()}
                    </div>
                    {people_error.map(|e| view! { <p class="field-error">{tr(&e)}</p> })}
                </fieldset>
                <Area name="summary" label=tr("timeline.summary") value=f.summary.clone() error=err("summary") required=true />
                <button type="submit" class="primary">{tr("timeline.log")}</button>
            </form>
        </section>
    }
}
