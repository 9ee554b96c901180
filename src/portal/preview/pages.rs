//! The frame of the preview inside the staff app: a banner that says whose portal this
//! is and that it is read-only, the portal's own navigation, then the portal page.
use super::{PORTAL_SECTIONS, Previewing, portal_path};
use crate::ui::session::tr;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_params_map;

#[component]
pub fn PreviewFrame() -> impl IntoView {
    let user = use_params_map()
        .get_untracked()
        .get("user")
        .and_then(|u| u.parse::<i64>().ok())
        .unwrap_or(0);
    provide_context(Previewing(user));
    let preview = Some(user);
    view! {
        <div class="alert alert-info preview-banner" role="note" id="preview-banner">
            <p><strong>{tr("preview.banner")}</strong> " " {tr("preview.read_only")}</p>
            <p><a href=format!("/portal-users/{user}")>{tr("preview.back")}</a></p>
        </div>
        <nav aria-label=tr("preview.nav") class="subnav">
            <ul>
                {PORTAL_SECTIONS.iter().map(|(path, key)| view! {
                    <li><A href=portal_path(preview, path) exact=path.is_empty()>{tr(key)}</A></li>
                }).collect_view()}
            </ul>
        </nav>
        <div class="portal-preview">
            <Outlet />
        </div>
    }
}
