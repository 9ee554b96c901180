//! The sign-in form staff and investors share: a plain form posting to `action` (the same
//! with or without JavaScript), showing why the last attempt was refused, keeping the
//! e-mail and where the user was going, never the password.
use super::session::{tr, use_lang};
use crate::auth::model::SignInError;
use crate::core::i18n;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// "You are signed in as …" with a link onwards, for someone who opens a sign-in page
/// while signed in.
pub fn already_signed_in(
    name: String,
    href: &'static str,
    link_key: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let text = i18n::t_with(lang, "login.already", &[("name", &name)]);
    view! {
        <p class="alert alert-info">
            {text}
            " " <a href=href>{tr(link_key)}</a>
        </p>
    }
}

#[component]
pub fn SignInForm(action: &'static str) -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map().get_untracked();
    let error = query.get("error").and_then(|c| SignInError::parse(&c));
    let message = error.map(|e| i18n::t_with(lang, e.message_key(), &[("minutes", "15")]));
    let signed_out = query.get("notice").is_some_and(|n| n == "signed_out");
    let email = query.get("email").unwrap_or_default();
    let next = query.get("next").unwrap_or_default();
    view! {
        {signed_out.then(|| view! { <p class="alert alert-info" role="status">{tr("login.signed_out")}</p> })}
        {message.map(|m| view! { <p class="alert alert-error" role="alert" id="login-error">{m}</p> })}
        <form method="post" action=action class="stack">
            <input type="hidden" name="next" value=next />
            <div class="field">
                <label for="email">{tr("login.email")}</label>
                <input id="email" name="email" type="email" autocomplete="username" required value=email
                    aria-describedby=error.map(|_| "login-error") />
            </div>
            <div class="field">
                <label for="password">{tr("login.password")}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
            </div>
            <button type="submit" class="primary">{tr("login.submit")}</button>
        </form>
    }
}
