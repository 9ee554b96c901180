//! The request's session info (language, signed-in user) as context for every component.
//! Pages render only on the server (islands architecture), so the info is read directly from
//! the request: no extra round trip, no suspense, and the page's components are built once.
use crate::auth::model::{Me, SessionInfo};
use crate::core::i18n::{self, Lang};
use leptos::prelude::*;

/// The session info of the request being rendered.
fn current_session() -> SessionInfo {
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        return crate::auth::handlers::session_info(&parts);
    }
    SessionInfo {
        lang: Lang::default(),
        me: None,
        investor: None,
        time_zones: Vec::new(),
    }
}

/// The language of the page (Chinese unless the request says otherwise).
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// The signed-in user; pages under the staff layout always have one.
pub fn use_me() -> Option<Me> {
    use_context::<SessionInfo>().and_then(|s| s.me)
}

/// The signed-in portal user; pages under the portal layout always have one.
pub fn use_portal_me() -> Option<crate::portal::access::model::PortalMe> {
    use_context::<SessionInfo>().and_then(|s| s.investor)
}

/// Translates `key` in the page's language.
pub fn tr(key: &str) -> String {
    i18n::t(use_lang(), key)
}

/// Makes the session info context, then renders `children`.
#[component]
pub fn WithSession(children: Children) -> impl IntoView {
    let info = current_session();
    provide_context(info.lang);
    provide_context(info);
    children()
}
