//! The staff shell (skip link, header, navigation, language switch, sign-out), the 404 page
//! and the panel that shows an error in the user's language with its reference id.
use super::session::{WithSession, tr, use_lang, use_me};
use crate::core::error::AppError;
use crate::core::i18n::{self, Lang};
use crate::core::roles::Permission;
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

#[component]
fn StaffChrome() -> impl IntoView {
    let Some(me) = use_me() else {
        return view! {
            <main id="main" class="narrow">
                <p>{tr("auth.signed_out")}</p>
                <a href="/login">{tr("login.submit")}</a>
            </main>
        }
        .into_any();
    };
    let is_admin = me.can(Permission::ManageUsers);
    view! {
        <a class="skip-link" href="#main">{tr("nav.skip")}</a>
        <header class="topbar">
            <a class="brand" href="/">{tr("app.name")}</a>
            <nav aria-label=tr("nav.label")>
                <ul>
                    <li><A href="/" exact=true>{tr("nav.home")}</A></li>
                    <li><A href="/clients">{tr("nav.clients")}</A></li>
                    <li><A href="/projects">{tr("nav.projects")}</A></li>
                    <li><A href="/lifecycle">{tr("nav.lifecycle")}</A></li>
                    <li><A href="/pipeline">{tr("nav.pipeline")}</A></li>
                    <li><A href="/deals">{tr("nav.deals")}</A></li>
                    {is_admin.then(|| view! { <li><A href="/admin/users">{tr("nav.users")}</A></li> })}
                    <li><A href="/account">{tr("nav.account")}</A></li>
                </ul>
            </nav>
            <div class="topbar-tools">
                <span class="who">{me.name.clone()}</span>
                <LanguageSwitch />
                <form method="post" action="/logout">
                    <button type="submit" class="link-button">{tr("nav.sign_out")}</button>
                </form>
            </div>
        </header>
        <main id="main" tabindex="-1">
            <Outlet />
        </main>
    }
    .into_any()
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
    view! {
        <WithSession>
            <Title text=tr("error.not_found") />
            <main id="main" class="narrow">
                <h1>{tr("error.not_found")}</h1>
                <p>{tr("error.not_found_hint")}</p>
                <a href="/">{tr("nav.home")}</a>
            </main>
        </WithSession>
    }
}
