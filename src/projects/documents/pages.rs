//! The documents section of a project page: the upload form (a plain multipart form, the
//! same with JavaScript off) and the project's documents with their views and downloads.
use super::api::list_documents;
use super::model::{DocumentPage, SubmittedUpload, Visibility};
use crate::core::i18n;
use crate::ui::fields::{Choice, Text, message_for, options_of};
use crate::ui::layout::failed;
use crate::ui::session::{tr, use_lang};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DocumentsSection(project: i64) -> impl IntoView {
    let query = use_query_map().get_untracked();
    let before = query.get("documents_before").and_then(|b| b.parse().ok());
    let uploaded = query.get("uploaded").is_some();
    let page = Resource::new(move || (project, before), |(p, b)| list_documents(p, b));
    let submitted = use_context::<SubmittedUpload>();
    view! {
        <section class="card" id="documents">
            <h2>{tr("documents.title")}</h2>
            {uploaded.then(|| view! { <p class="alert alert-success" role="status">{tr("documents.uploaded")}</p> })}
            <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
                {move || {
                    let submitted = submitted.clone();
                    Suspend::new(async move {
                        match page.await {
                            Ok(p) => view! { <DocumentList project p submitted=submitted.unwrap_or_default() /> }.into_any(),
                            Err(error) => failed(error),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn DocumentList(project: i64, p: DocumentPage, submitted: SubmittedUpload) -> impl IntoView {
    let lang = use_lang();
    let upload = p
        .can_upload
        .then(|| view! { <UploadPanel project p=p.clone() submitted /> });
    view! {
        {upload}
        {if p.items.is_empty() {
            view! { <p class="empty">{tr("documents.none")}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr>
                            <th scope="col">{tr("documents.title_field")}</th>
                            <th scope="col">{tr("documents.visibility")}</th>
                            <th scope="col" class="num">{tr("documents.size")}</th>
                            <th scope="col">{tr("documents.uploaded_by")}</th>
                            <th scope="col" class="num">{tr("documents.opened")}</th>
                        </tr></thead>
                        <tbody>
                            {p.items.into_iter().map(|d| {
                                let shared = match (d.visibility, d.investor.clone()) {
                                    (Some(Visibility::Investor), Some(name)) => name,
                                    (Some(v), _) => tr(&v.i18n_key()),
                                    (None, _) => String::new(),
                                };
                                let opened = i18n::t_with(lang, "documents.views_downloads", &[("views", &d.views.to_string()), ("downloads", &d.downloads.to_string())]);
                                view! {
                                    <tr>
                                        <td>
                                            <a href=format!("/projects/{project}/documents/{}", d.id) download="">{d.title.clone()}</a>
                                            <br /><span class="muted">{d.file_name.clone()}</span>
                                        </td>
                                        <td>{shared}</td>
                                        <td class="num">{d.size.clone()}</td>
                                        <td>{d.uploaded_by.clone()} <br /><span class="muted">{d.uploaded_at.clone()}</span></td>
                                        <td class="num">{opened}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        {p.next.map(|n| view! { <p><a href=format!("/projects/{project}?documents_before={n}#documents")>{tr("list.next_page")}</a></p> })}
    }
}

#[component]
fn UploadPanel(project: i64, p: DocumentPage, submitted: SubmittedUpload) -> impl IntoView {
    let lang = use_lang();
    let errors = submitted.errors.clone();
    let err = move |field: &str| message_for(&errors, field);
    let form = submitted.form.clone();
    let visibility = if form.visibility.is_empty() {
        Visibility::Project.as_str().to_string()
    } else {
        form.visibility.clone()
    };
    let investors: Vec<(String, String)> = p
        .investors
        .iter()
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect();
    let limit = i18n::t_with(lang, "documents.limit", &[("mb", &p.limit_mb.to_string())]);
    let open = !submitted.errors.is_empty() || submitted.error_key.is_some();
    view! {
        <details class="upload" open=open>
            <summary>{tr("documents.upload")}</summary>
            {submitted.error_key.clone().map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
            {(!submitted.errors.is_empty()).then(|| view! { <p class="alert alert-error" role="alert">{tr("documents.choose_again")}</p> })}
            <form method="post" action=format!("/projects/{project}/documents") enctype="multipart/form-data" class="grid-form">
                <input type="hidden" name="form_key" value=p.form_key.clone() />
                <Text name="title" label=tr("documents.title_field") value=form.title.clone() error=err("title") />
                <Choice name="visibility" label=tr("documents.visibility") options=options_of(Visibility::ALL, Visibility::as_str, Visibility::i18n_key) selected=visibility error=err("visibility") blank=false />
                <Choice name="client" label=tr("documents.investor") options=investors selected=form.client.clone() error=err("client") placeholder=tr("documents.investor_hint") />
                // The file goes last, so the fields above arrive before its bytes.
                <Text name="file" kind="file" label=tr("documents.file") value=String::new() error=err("file") required=true />
                <p class="hint">{limit}</p>
                <button type="submit" class="primary">{tr("documents.upload")}</button>
            </form>
        </details>
    }
}
