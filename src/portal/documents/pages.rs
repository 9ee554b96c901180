//! The documents section of the investor's project page: each document can be opened in
//! the browser (when it can show it) or saved; both are recorded.
use super::api::portal_documents;
use super::model::{PortalDocument, PortalDocumentPage};
use crate::core::i18n;
use crate::portal::preview::{portal_path, use_preview};
use crate::ui::layout::failed;
use crate::ui::session::{tr, use_lang};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PortalDocumentsSection(project: i64) -> impl IntoView {
    let before = use_query_map()
        .get_untracked()
        .get("documents_before")
        .and_then(|b| b.parse().ok());
    let preview = use_preview();
    let page = Resource::new(
        move || (project, before, preview),
        |(p, b, v)| portal_documents(p, b, v),
    );
    view! {
        <section class="card" id="documents" aria-labelledby="documents-title">
            <h2 id="documents-title">{tr("documents.title")}</h2>
            <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <DocumentList project p /> }.into_any(),
                        Err(error) => failed(error),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn DocumentList(project: i64, p: PortalDocumentPage) -> impl IntoView {
    let preview = use_preview();
    view! {
        {if p.items.is_empty() {
            view! { <p class="empty">{tr("documents.none_portal")}</p> }.into_any()
        } else {
            view! {
                <ul class="documents">
                    {p.items.into_iter().map(|d| view! { <DocumentItem project d /> }).collect_view()}
                </ul>
            }.into_any()
        }}
        {p.next.map(|n| view! { <p><a href=portal_path(preview, &format!("/projects/{project}?documents_before={n}#documents"))>{tr("list.next_page")}</a></p> })}
    }
}

#[component]
fn DocumentItem(project: i64, d: PortalDocument) -> impl IntoView {
    let lang = use_lang();
    // In a preview the staff download opens the file, so nothing is recorded as the
    // investor's view.
    let href = match use_preview() {
        None => format!("/portal/documents/{}", d.id),
        Some(_) => format!("/projects/{project}/documents/{}", d.id),
    };
    let download_label = i18n::t_with(lang, "documents.download_named", &[("title", &d.title)]);
    let view_label = i18n::t_with(lang, "documents.view_named", &[("title", &d.title)]);
    view! {
        <li>
            <strong>{d.title.clone()}</strong>
            {d.for_entity.clone().map(|e| view! { " " <span class="flag">{i18n::t_with(lang, "documents.for_entity", &[("entity", &e)])}</span> })}
            <br />
            <span class="muted">{d.file_name.clone()} " · " {d.size.clone()} " · " {d.uploaded_at.clone()}</span>
            <br />
            {d.viewable.then(|| view! { <a href=format!("{href}?view=1") target="_blank" rel="noopener" aria-label=view_label.clone()>{tr("documents.view")}</a> " · " })}
            <a href=href.clone() download="" aria-label=download_label>{tr("documents.download")}</a>
        </li>
    }
}
