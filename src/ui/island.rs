//! Helpers for islands: the interactive parts of otherwise server-rendered pages. An island
//! is hydrated on its own, without the page's context, so it gets what it needs as props.
use crate::core::i18n::Lang;
use leptos::html::Div;
use leptos::prelude::*;

/// Makes `lang` the language of this island (islands do not see the page's context).
pub fn enter(lang: Lang) {
    provide_context(lang);
}

/// Loads `href` as a new page (islands have no client-side router).
pub fn go_to(href: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(href);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}

/// The wrapper of an island's content: marked `data-live` once the island is hydrated, which
/// tells browser tests (and curious developers) that its event handlers are attached.
#[component]
pub fn Live(children: Children) -> impl IntoView {
    let root = NodeRef::<Div>::new();
    Effect::new(move |_| {
        if let Some(el) = root.get() {
            let _ = el.set_attribute("data-live", "true");
        }
    });
    view! { <div class="island" node_ref=root>{children()}</div> }
}
