//! Pages of portal access: the investor's sign-in, the invitation and reset links, the
//! request for a reset link, and the portal section of a staff client page. All are plain
//! forms, the same with JavaScript off.
use super::api::{link_state, load_portal_access};
use super::model::{
    PortalAccess, SignInError, SubmittedPassword, TokenProblem, TokenPurpose, TokenState,
};
use crate::core::i18n;
use crate::ui::layout::{ErrorPanel, LanguageSwitch};
use crate::ui::session::{WithSession, tr, use_lang, use_portal_me};
use crate::ui::sign_in::{SignInForm, already_signed_in};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The card every public portal page sits in: brand, language switch, content.
#[component]
fn PortalCard(title: String, children: Children) -> impl IntoView {
    view! {
        <Title text=format!("{title} · {}", tr("portal.name")) />
        <main id="main" class="login">
            <div class="login-card">
                <div class="login-head">
                    <p class="brand">{tr("portal.name")}</p>
                    <LanguageSwitch />
                </div>
                <h1>{title}</h1>
                {children()}
            </div>
        </main>
    }
}

#[component]
pub fn PortalLoginPage() -> impl IntoView {
    view! {
        <WithSession>
            <PortalLoginForm />
        </WithSession>
    }
}

#[component]
fn PortalLoginForm() -> impl IntoView {
    let me = use_portal_me();
    view! {
        <PortalCard title=tr("portal.login.title")>
            <p class="muted">{tr("portal.login.subtitle")}</p>
            {me.map(|me| already_signed_in(me.name, "/portal", "portal.nav.overview"))}
            <SignInForm action="/portal/login" />
            <p><a href="/portal/reset">{tr("portal.reset.forgot")}</a></p>
        </PortalCard>
    }
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    view! {
        <WithSession>
            <LinkPage purpose=TokenPurpose::Invitation />
        </WithSession>
    }
}

#[component]
pub fn ResetPage() -> impl IntoView {
    view! {
        <WithSession>
            <LinkPage purpose=TokenPurpose::Reset />
        </WithSession>
    }
}

/// An invitation or reset link: the password form of its account, or why it cannot be used.
#[component]
fn LinkPage(purpose: TokenPurpose) -> impl IntoView {
    let token = use_params_map()
        .get_untracked()
        .get("token")
        .unwrap_or_default();
    let title = match purpose {
        TokenPurpose::Invitation => tr("portal.invite.title"),
        TokenPurpose::Reset => tr("portal.reset.title"),
    };
    let link = Resource::new(move || token.clone(), move |t| link_state(t, purpose));
    view! {
        <PortalCard title>
            <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
                {move || Suspend::new(async move {
                    match link.await {
                        Ok(TokenState::Valid { email, name }) => view! { <PasswordForm purpose email name /> }.into_any(),
                        Ok(TokenState::Refused(problem)) => view! { <RefusedLink problem /> }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
        </PortalCard>
    }
}

#[component]
fn RefusedLink(problem: TokenProblem) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(problem.status()),
    ) {
        response.set_status(status);
    }
    view! {
        <p class="alert alert-error" role="alert" id="link-problem">{tr(problem.message_key())}</p>
        <p><a href="/portal/reset">{tr("portal.reset.request_new")}</a> " · " <a href="/portal/login">{tr("portal.login.title")}</a></p>
    }
}

/// Choose a password; posts to the link's own address.
#[component]
fn PasswordForm(purpose: TokenPurpose, email: String, name: String) -> impl IntoView {
    let lang = use_lang();
    let submitted = use_context::<SubmittedPassword>().unwrap_or_default();
    let err = |field: &str| {
        submitted
            .errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.key.clone())
    };
    let new_error = err("new_password");
    let confirm_error = err("confirm");
    let intro = match purpose {
        TokenPurpose::Invitation => i18n::t_with(lang, "portal.invite.intro", &[("name", &name)]),
        TokenPurpose::Reset => i18n::t_with(lang, "portal.reset.intro", &[("name", &name)]),
    };
    view! {
        <p>{intro}</p>
        {submitted.error_key.clone().map(|k| view! { <p class="alert alert-error" role="alert">{tr(&k)}</p> })}
        <form method="post" class="stack">
            <div class="field">
                <label for="email">{tr("login.email")}</label>
                <input id="email" type="email" autocomplete="username" value=email readonly />
            </div>
            <div class="field">
                <label for="new_password">{tr("account.new_password")}</label>
                <input id="new_password" name="new_password" type="password" autocomplete="new-password" required
                    aria-invalid=new_error.as_ref().map(|_| "true") aria-describedby="new_password-hint" />
                <p class="hint" id="new_password-hint">{tr("password.rules")}</p>
                {new_error.map(|e| view! { <p class="field-error" role="alert">{tr(&e)}</p> })}
            </div>
            <div class="field">
                <label for="confirm">{tr("account.confirm_password")}</label>
                <input id="confirm" name="confirm" type="password" autocomplete="new-password" required
                    aria-invalid=confirm_error.as_ref().map(|_| "true") />
                {confirm_error.map(|e| view! { <p class="field-error" role="alert">{tr(&e)}</p> })}
            </div>
            <button type="submit" class="primary">{tr("portal.password.submit")}</button>
        </form>
    }
}

#[component]
pub fn ResetRequestPage() -> impl IntoView {
    view! {
        <WithSession>
            <ResetRequestForm />
        </WithSession>
    }
}

#[component]
fn ResetRequestForm() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let sent = query.get("sent").is_some();
    let error = query.get("error").and_then(|c| SignInError::parse(&c));
    view! {
        <PortalCard title=tr("portal.reset.request_title")>
            {sent.then(|| view! { <p class="alert alert-success" role="status" id="reset-sent">{tr("portal.reset.sent")}</p> })}
            {error.map(|e| view! { <p class="alert alert-error" role="alert">{tr(e.message_key())}</p> })}
            <p>{tr("portal.reset.request_hint")}</p>
            <form method="post" action="/portal/reset" class="stack">
                <div class="field">
                    <label for="email">{tr("login.email")}</label>
                    <input id="email" name="email" type="email" autocomplete="username" required />
                </div>
                <button type="submit" class="primary">{tr("portal.reset.send")}</button>
            </form>
            <p><a href="/portal/login">{tr("portal.login.title")}</a></p>
        </PortalCard>
    }
}

/// The portal section of a staff client page: who acts for this client in the portal,
/// and the buttons to invite a contact or deactivate a portal user.
#[component]
pub fn PortalAccessSection(client: i64) -> impl IntoView {
    let query = use_query_map().get_untracked();
    let done = query.get("portal_done").and_then(|d| match d.as_str() {
        "invited" => Some("portal.access.invited"),
        "access_added" => Some("portal.access.access_added"),
        "deactivated" => Some("portal.access.deactivated"),
        _ => None,
    });
    let failed = query.get("portal_error").and_then(|e| match e.as_str() {
        "no_email" => Some("portal.invite.no_email"),
        "not_investor" => Some("portal.invite.not_investor"),
        "archived" => Some("portal.invite.archived"),
        "already_active" => Some("portal.invite.already_active"),
        "forbidden" => Some("error.forbidden"),
        "not_found" => Some("error.not_found"),
        "unavailable" => Some("error.unavailable"),
        _ => None,
    });
    let access = Resource::new(move || client, load_portal_access);
    view! {
        <section class="card" id="portal">
            <h2>{tr("portal.access.title")}</h2>
            {done.map(|k| view! { <p class="alert alert-success" role="status">{tr(k)}</p> })}
            {failed.map(|k| view! { <p class="alert alert-error" role="alert">{tr(k)}</p> })}
            <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
                {move || Suspend::new(async move {
                    match access.await {
                        Ok(a) => view! { <PortalAccessList client a /> }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PortalAccessList(client: i64, a: PortalAccess) -> impl IntoView {
    let can_manage = a.can_manage && a.is_investor;
    let none_invitable = a.invitable.is_empty();
    view! {
        {if a.users.is_empty() {
            view! { <p class="empty">{tr("portal.access.none")}</p> }.into_any()
        } else {
            view! {
                <ul class="contacts">
                    {a.users.into_iter().map(|u| {
                        let active = u.status != super::model::PortalUserStatus::Deactivated;
                        view! {
                            <li>
                                <strong>{u.name.clone()}</strong> " · " {u.email.clone()} " "
                                <span class="flag">{tr(u.status.i18n_key())}</span>
                                <br /><span class="muted small">
                                    {tr("portal.access.invited_at")} " " {u.invited_at.clone()}
                                    {u.last_sign_in.clone().map(|at| view! { " · " {tr("portal.access.last_sign_in")} " " {at} })}
                                </span>
                                <br /><a class="small" href=format!("/portal-users/{}", u.id)>
                                    {tr("portal.access.engagement")}<span class="visually-hidden">{format!(" {}", u.name)}</span>
                                </a>
                                {(can_manage && active).then(|| view! {
                                    <form method="post" action=format!("/clients/{client}/portal-users/{}/deactivate", u.id)>
                                        <button type="submit" class="link-button danger">
                                            {tr("portal.access.deactivate")}<span class="visually-hidden">{format!(" {}", u.name)}</span>
                                        </button>
                                    </form>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {(can_manage && !none_invitable).then(|| view! {
            <h3>{tr("portal.access.invite")}</h3>
            <p class="hint">{tr("portal.access.invite_hint")}</p>
            <ul class="contacts">
                {a.invitable.into_iter().map(|(id, name, email)| view! {
                    <li>
                        <form method="post" action=format!("/clients/{client}/contacts/{id}/portal-invite")>
                            {name.clone()} " · " {email} " "
                            <button type="submit">{tr("portal.access.send_invitation")}<span class="visually-hidden">{format!(" {name}")}</span></button>
                        </form>
                    </li>
                }).collect_view()}
            </ul>
        })}
        {(can_manage && none_invitable).then(|| view! { <p class="hint">{tr("portal.access.no_email")}</p> })}
    }
}
