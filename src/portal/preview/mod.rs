//! "View as investor": staff open the portal's own pages for one portal user, inside the
//! staff app and read-only. The pages call the same server functions with that user's id
//! as `preview`; the server checks the staff session, audits the look, and runs the
//! portal's scoped queries as that investor (see `service::acting_investor`).
pub mod pages;

#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;

/// Provided by the preview frame: the portal user whose portal is being shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Previewing(pub i64);

/// The portal user being previewed, or `None` on the investor's own portal.
pub fn use_preview() -> Option<i64> {
    use_context::<Previewing>().map(|p| p.0)
}

/// The portal's sections as (path below `/portal`, label key), in the order of its
/// navigation; the preview shows the same navigation.
pub const PORTAL_SECTIONS: &[(&str, &str)] = &[
    ("", "portal.nav.overview"),
    ("/projects", "portal.nav.projects"),
    ("/questions", "portal.nav.questions"),
    ("/complaints", "portal.nav.complaints"),
    ("/track-record", "portal.nav.track_record"),
    ("/profile", "portal.nav.profile"),
];

/// The fields and button of a portal form. In the preview they are shown as the investor
/// sees them but disabled, since staff look and never act as the investor (and a post
/// from a staff session is refused anyway).
#[component]
pub fn PreviewLock(children: Children) -> impl IntoView {
    let locked = use_preview().is_some();
    view! { <fieldset class="form-lock" disabled=locked>{children()}</fieldset> }
}

/// A portal path (`""`, `/projects/3`) as a link on the page: in the portal itself, or
/// inside the preview of portal user `preview`.
pub fn portal_path(preview: Option<i64>, path: &str) -> String {
    match preview {
        None => format!("/portal{path}"),
        Some(user) => format!("/portal-users/{user}/preview{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_stay_in_the_portal_or_in_the_preview() {
        assert_eq!(portal_path(None, ""), "/portal");
        assert_eq!(portal_path(None, "/projects/3"), "/portal/projects/3");
        assert_eq!(
            portal_path(Some(7), "/updates/9"),
            "/portal-users/7/preview/updates/9"
        );
    }
}
