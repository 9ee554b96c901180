//! The request's session info (language, signed-in user) as context for every component.
//! It is loaded once per page by a server function; its server-rendered value travels with
//! the HTML, so hydration renders exactly what the server did.
use crate::auth::api::load_session;
use crate::auth::model::{Me, SessionInfo};
use crate::core::error::AppError;
use crate::core::i18n::{self, Lang};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct SessionResource(pub Resource<Result<SessionInfo, AppError>>);

pub fn provide_session() {
    provide_context(SessionResource(Resource::new(|| (), |_| load_session())));
}

/// The language of the page (Chinese until the session info is known).
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// The signed-in user; pages under the staff layout always have one.
pub fn use_me() -> Option<Me> {
    use_context::<SessionInfo>().and_then(|s| s.me)
}

/// Translates `key` in the page's language.
pub fn tr(key: &str) -> String {
    i18n::t(use_lang(), key)
}

/// Waits for the session info, makes it context, then renders `children`.
#[component]
pub fn WithSession(children: ChildrenFn) -> impl IntoView {
    let session = use_context::<SessionResource>().map(|s| s.0);
    let children = StoredValue::new(children);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let info = match session {
                    Some(resource) => resource.await,
                    None => Err(AppError::Unauthenticated),
                };
                match info {
                    Ok(info) => {
                        provide_context(info.lang);
                        provide_context(info);
                        children.with_value(|c| c()).into_any()
                    }
                    Err(error) => view! { <crate::ui::layout::ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
