//! The staff shell (skip link, header, navigation, language switch, sign-out), the 404 page
//! and the panel that shows an error in the user's language with its reference id.
use super::session::{WithSession, tr, use_lang, use_me, use_portal_me};
use crate::core::error::AppError;
use crate::core::i18n::{self, Lang};
use crate::core::roles::Permission;
use crate::portal::preview::portal_path;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_location;

/// The current path with its query, to come back to after a form post.
fn here() -> String {
    let location = use_location();
    let path = location.pathname.get_untracked();
    let search = location.search.get_untracked();
    if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    }
}

/// Switches language with a plain form post, so it works with JavaScript off too.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let current = use_lang();
    let next = here();
    view! {
        <form method="post" action="/lang" class="lang-switch">
            <input type="hidden" name="next" value=next />
            {Lang::ALL
                .into_iter()
                .filter(|l| *l != current)
                .map(|l| {
                    view! {
                        <button type="submit" name="lang" value=l.code() lang=l.html_lang()>
                            {l.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </form>
    }
}

#[component]
pub fn StaffLayout() -> impl IntoView {
    view! {
        <WithSession>
            <StaffChrome />
        </WithSession>
    }
}

/// What differs between the staff app's shell and the portal's.
struct Side {
    home: &'static str,
    brand_key: &'static str,
    login: &'static str,
    logout: &'static str,
    class: &'static str,
}

const STAFF: Side = Side {
    home: "/",
    brand_key: "app.name",
    login: "/login",
    logout: "/logout",
    class: "topbar",
};

const PORTAL: Side = Side {
    home: "/portal",
    brand_key: "portal.name",
    login: "/portal/login",
    logout: "/portal/logout",
    class: "topbar portal",
};

/// The shell of a signed-in page: skip link, header with the navigation `links` (path,
/// label; the first is home), who is signed in, language and sign-out; then the page. For
/// someone whose session has ended, a link to sign in again.
fn chrome(
    side: Side,
    who: Option<String>,
    links: Vec<(String, String)>,
    banner: Option<AnyView>,
) -> AnyView {
    let Some(who) = who else {
        return view! {
            <main id="main" class="narrow">
                <p>{tr("auth.signed_out")}</p>
                <a href=side.login>{tr("login.submit")}</a>
            </main>
        }
        .into_any();
    };
    let home = side.home;
    view! {
        <a class="skip-link" href="#main">{tr("nav.skip")}</a>
        <header class=side.class>
            <a class="brand" href=home>{tr(side.brand_key)}</a>
            <nav aria-label=tr("nav.label")>
                <ul>
                    {links.into_iter().map(|(href, label)| {
                        let exact = href == home;
                        view! { <li><A href=href exact>{label}</A></li> }
                    }).collect_view()}
                </ul>
            </nav>
            <div class="topbar-tools">
                <span class="who">{who}</span>
                <LanguageSwitch />
                <form method="post" action=side.logout>
                    <button type="submit" class="link-button">{tr("nav.sign_out")}</button>
                </form>
            </div>
        </header>
        <main id="main" tabindex="-1">
            {banner}
            <Outlet />
        </main>
    }
    .into_any()
}

#[component]
fn StaffChrome() -> impl IntoView {
    let me = use_me();
    let is_admin = me.as_ref().is_some_and(|m| m.can(Permission::ManageUsers));
    let mut links = vec![
        ("/", tr("nav.home")),
        ("/clients", tr("nav.clients")),
        ("/projects", tr("nav.projects")),
        ("/lifecycle", tr("nav.lifecycle")),
        ("/pipeline", tr("nav.pipeline")),
        ("/deals", tr("nav.deals")),
        ("/questions", tr("nav.questions")),
        ("/complaints", tr("nav.complaints")),
        ("/surveys", tr("nav.surveys")),
    ];
    if is_admin {
        links.push(("/admin/users", tr("nav.users")));
    }
    links.push(("/account", tr("nav.account")));
    let links = links.into_iter().map(|(h, l)| (h.to_string(), l)).collect();
    chrome(STAFF, me.map(|m| m.name), links, None)
}

/// The investor portal's shell: its own header and navigation, sign-out to the portal.
#[component]
pub fn PortalLayout() -> impl IntoView {
    view! {
        <WithSession>
            <PortalChrome />
        </WithSession>
    }
}

#[component]
fn PortalChrome() -> impl IntoView {
    let links = crate::portal::preview::PORTAL_SECTIONS
        .iter()
        .map(|(path, key)| (portal_path(None, path), tr(key)))
        .collect();
    let badges = view! { <PortalBadges /> }.into_any();
    chrome(PORTAL, use_portal_me().map(|m| m.name), links, Some(badges))
}

/// "N new updates" beside the portal's navigation, linking to the overview's list.
#[component]
pub fn PortalBadges() -> impl IntoView {
    let badges = Resource::new(|| (), |_| crate::portal::api::portal_badges());
    let lang = use_lang();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let b = badges.await.unwrap_or_default();
                (b.unread_updates > 0 || b.new_answers > 0 || b.new_responses > 0).then(|| view! {
                    <p class="badge-line">
                        {(b.unread_updates > 0).then(|| view! {
                            <a href="/portal#latest-title" class="badge" id="unread-badge">
                                {i18n::t_with(lang, "portal.badge.unread", &[("count", &b.unread_updates.to_string())])}
                            </a>
                        })}
                        " "
                        {(b.new_answers > 0).then(|| view! {
                            <a href="/portal/questions" class="badge" id="answers-badge">
                                {i18n::t_with(lang, "portal.badge.answers", &[("count", &b.new_answers.to_string())])}
                            </a>
                        })}
                        " "
                        {(b.new_responses > 0).then(|| view! {
                            <a href="/portal/complaints" class="badge" id="responses-badge">
                                {i18n::t_with(lang, "portal.badge.responses", &[("count", &b.new_responses.to_string())])}
                            </a>
                        })}
                    </p>
                })
            })}
        </Suspense>
    }
}

/// What a page shows when its data could not be loaded: the error panel, with the
/// response status set from the error when rendering on the server.
pub fn failed(error: AppError) -> AnyView {
    #[cfg(feature = "ssr")]
    let _ = crate::server::errors::with_status::<()>(Err(error.clone()));
    view! { <ErrorPanel error /> }.into_any()
}

/// Shows an error: the general message, the field messages are shown by the fields.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let lang = use_lang();
    let reference = error
        .reference()
        .map(|r| i18n::t_with(lang, "error.reference", &[("reference", r)]));
    // Field messages shown where there is no form to show them next to.
    let details: Vec<String> = match &error {
        AppError::Invalid(fields) => fields.iter().map(|f| i18n::t(lang, &f.key)).collect(),
        _ => Vec::new(),
    };
    view! {
        <div class="alert alert-error" role="alert">
            <p>{i18n::t(lang, error.message_key())}</p>
            {(!details.is_empty()).then(|| view! { <ul>{details.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul> })}
            {reference.map(|r| view! { <p class="muted">{r}</p> })}
        </div>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    // An investor who mistypes a portal address is sent back to the portal, never to the
    // staff app's sign-in.
    let path = use_location().pathname.get_untracked();
    let in_portal = path == "/portal" || path.starts_with("/portal/");
    let (home, label) = if in_portal {
        ("/portal", "portal.nav.overview")
    } else {
        ("/", "nav.home")
    };
    view! {
        <WithSession>
            <Title text=tr("error.not_found") />
            <main id="main" class="narrow">
                <h1>{tr("error.not_found")}</h1>
                <p>{tr("error.not_found_hint")}</p>
                <a href=home>{tr(label)}</a>
            </main>
        </WithSession>
    }
}
