//! Pages of sign-in, the user's own account and user administration.
use super::api::{
    AddUser, ChangePassword, DeactivateUser, SavePreferences, UpdateUser, get_user, list_users,
    new_form_key, staff_names,
};
use super::model::{SignInError, UserView};
use crate::core::i18n;
use crate::core::roles::{Department, Role};
use crate::ui::form::{ActionError, Field, field_error};
use crate::ui::layout::{ErrorPanel, LanguageSwitch};
use crate::ui::session::{WithSession, tr, use_lang, use_me};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <WithSession>
            <LoginForm />
        </WithSession>
    }
}

#[component]
fn LoginForm() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map().get_untracked();
    let error = query.get("error").and_then(|c| SignInError::parse(&c));
    let message = error.map(|e| i18n::t_with(lang, e.message_key(), &[("minutes", "15")]));
    let signed_out = query.get("notice").is_some_and(|n| n == "signed_out");
    let email = query.get("email").unwrap_or_default();
    let next = query.get("next").unwrap_or_default();
    let me = use_me();
    view! {
        <Title text=tr("login.title") />
        <main id="main" class="login">
            <div class="login-card">
                <div class="login-head">
                    <h1>{tr("app.name")}</h1>
                    <LanguageSwitch />
                </div>
                <p class="muted">{tr("login.subtitle")}</p>
                {me.map(|me| view! {
                    <p class="alert alert-info">
                        {i18n::t_with(lang, "login.already", &[("name", &me.name)])}
                        " " <a href="/">{tr("nav.home")}</a>
                    </p>
                })}
                {signed_out.then(|| view! { <p class="alert alert-info" role="status">{tr("login.signed_out")}</p> })}
                {message.map(|m| view! { <p class="alert alert-error" role="alert" id="login-error">{m}</p> })}
                <form method="post" action="/login" class="stack">
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
            </div>
        </main>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let prefs = ServerAction::<SavePreferences>::new();
    let changed = Signal::derive(move || change.value().get());
    let saved = Signal::derive(move || prefs.value().get());
    let me = use_me();
    let zones = use_context::<super::model::SessionInfo>()
        .map(|s| s.time_zones)
        .unwrap_or_default();
    let my_zone = me.as_ref().map(|m| m.time_zone.clone()).unwrap_or_default();
    view! {
        <Title text=tr("account.title") />
        <h1>{tr("account.title")}</h1>
        {me.map(|me| view! {
            <p class="muted">{me.name} " · " {me.email} " · " {tr(&me.role.i18n_key())}</p>
        })}
        <section class="card">
            <h2>{tr("account.password")}</h2>
            <ActionForm action=change attr:class="stack">
                <Field id="current" label=tr("account.current_password") kind="password" autocomplete="current-password" required=true error=field_error(changed, "current") />
                <Field id="new_password" label=tr("account.new_password") kind="password" autocomplete="new-password" required=true error=field_error(changed, "new_password") />
                <Field id="confirm" label=tr("account.confirm_password") kind="password" autocomplete="new-password" required=true error=field_error(changed, "confirm") />
                <p class="hint">{tr("password.rules")}</p>
                <button type="submit" class="primary">{tr("account.change_password")}</button>
            </ActionForm>
            {move || matches!(changed.get(), Some(Ok(()))).then(|| view! { <p class="alert alert-success" role="status">{tr("account.password_changed")}</p> })}
            {move || changed.get().and_then(|r| r.err()).filter(|e| !matches!(e, crate::core::error::AppError::Invalid(_))).map(|error| view! { <ErrorPanel error /> })}
        </section>
        <section class="card">
            <h2>{tr("account.preferences")}</h2>
            <ActionForm action=prefs attr:class="stack">
                <div class="field">
                    <label for="time_zone">{tr("account.time_zone")}</label>
                    <select id="time_zone" name="time_zone">
                        {zones.into_iter().map(|z| {
                            let selected = z == my_zone;
                            view! { <option value=z.clone() selected=selected>{z.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit">{tr("form.save")}</button>
            </ActionForm>
            {move || matches!(saved.get(), Some(Ok(()))).then(|| view! { <p class="alert alert-success" role="status">{tr("form.saved")}</p> })}
            <ActionError result=saved />
            <h3>{tr("account.language")}</h3>
            <LanguageSwitch />
        </section>
    }
}

fn role_options(selected: Option<Role>) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|r| view! { <option value=r.as_str() selected=Some(r) == selected>{tr(&r.i18n_key())}</option> })
        .collect_view()
}

fn department_options(selected: Option<Department>) -> impl IntoView {
    view! {
        <option value="" selected=selected.is_none()>{tr("form.none")}</option>
        {Department::ALL
            .into_iter()
            .map(|d| view! { <option value=d.as_str() selected=Some(d) == selected>{tr(&d.i18n_key())}</option> })
            .collect_view()}
    }
}

fn people_options(people: Vec<(i64, String)>, selected: Option<i64>) -> impl IntoView {
    view! {
        <option value="" selected=selected.is_none()>{tr("form.none")}</option>
        {people
            .into_iter()
            .map(|(id, name)| view! { <option value=id.to_string() selected=Some(id) == selected>{name}</option> })
            .collect_view()}
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let after = move || query.with(|q| q.get("after").and_then(|a| a.parse::<i64>().ok()));
    let add = ServerAction::<AddUser>::new();
    let added = Signal::derive(move || add.value().get());
    let users = Resource::new(
        move || (after(), add.version().get()),
        |(after, _)| list_users(after),
    );
    let names = Resource::new(move || add.version().get(), |_| staff_names());
    let form_key = Resource::new(move || add.version().get(), |_| new_form_key());
    view! {
        <Title text=tr("admin.users.title") />
        <h1>{tr("admin.users.title")}</h1>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(page) => view! { <UsersTable users=page.items next=page.next /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card">
            <h2>{tr("admin.users.add")}</h2>
            <Suspense>
                {move || Suspend::new(async move {
                    let key = form_key.await.unwrap_or_default();
                    let people = names.await.unwrap_or_default();
                    view! {
                        <ActionForm action=add attr:class="stack grid-form">
                            <input type="hidden" name="form_key" value=key />
                            <Field id="email" label=tr("admin.users.email") kind="email" autocomplete="off" required=true error=field_error(added, "email") />
                            <Field id="name" label=tr("admin.users.name") required=true error=field_error(added, "name") />
                            <div class="field">
                                <label for="role">{tr("admin.users.role")}</label>
                                <select id="role" name="role">{role_options(Some(Role::Rm))}</select>
                            </div>
                            <div class="field">
                                <label for="department">{tr("admin.users.department")}</label>
                                <select id="department" name="department">{department_options(None)}</select>
                            </div>
                            <div class="field">
                                <label for="reports_to">{tr("admin.users.reports_to")}</label>
                                <select id="reports_to" name="reports_to">{people_options(people, None)}</select>
                            </div>
                            <Field id="password" label=tr("admin.users.first_password") kind="password" autocomplete="new-password" required=true error=field_error(added, "password") />
                            <button type="submit" class="primary">{tr("admin.users.add")}</button>
                        </ActionForm>
                    }
                })}
            </Suspense>
            {move || added.get().and_then(|r| r.ok()).map(|u| view! {
                <p class="alert alert-success" role="status">{i18n::t_with(use_lang(), "admin.users.added", &[("name", &u.name)])}</p>
            })}
            {move || added.get().and_then(|r| r.err()).filter(|e| !matches!(e, crate::core::error::AppError::Invalid(_))).map(|error| view! { <ErrorPanel error /> })}
        </section>
    }
}

#[component]
fn UsersTable(users: Vec<UserView>, next: Option<i64>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">{tr("admin.users.title")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr("admin.users.name")}</th>
                        <th scope="col">{tr("admin.users.email")}</th>
                        <th scope="col">{tr("admin.users.role")}</th>
                        <th scope="col">{tr("admin.users.department")}</th>
                        <th scope="col">{tr("admin.users.reports_to")}</th>
                        <th scope="col">{tr("admin.users.status")}</th>
                        <th scope="col">{tr("admin.users.last_sign_in")}</th>
                    </tr>
                </thead>
                <tbody>
                    {users.into_iter().map(|u| view! {
                        <tr class:inactive=!u.active>
                            <td><a href=format!("/admin/users/{}", u.id)>{u.name.clone()}</a></td>
                            <td>{u.email.clone()}</td>
                            <td>{tr(&u.role.i18n_key())}</td>
                            <td>{u.department.map(|d| tr(&d.i18n_key())).unwrap_or_default()}</td>
                            <td>{u.reports_to_name.clone().unwrap_or_default()}</td>
                            <td>{if u.active { tr("admin.users.active") } else { tr("admin.users.inactive") }}</td>
                            <td>{u.last_sign_in.clone().unwrap_or_else(|| tr("admin.users.never"))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {next.map(|n| view! { <p><a class="button" href=format!("/admin/users?after={n}")>{tr("list.next_page")}</a></p> })}
    }
}

#[component]
pub fn UserEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let update = ServerAction::<UpdateUser>::new();
    let deactivate = ServerAction::<DeactivateUser>::new();
    let updated = Signal::derive(move || update.value().get());
    let deactivated = Signal::derive(move || deactivate.value().get());
    let detail = Resource::new(
        move || (id(), update.version().get(), deactivate.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => get_user(id).await,
                None => Err(crate::core::error::AppError::NotFound),
            }
        },
    );
    let lang = use_lang();
    view! {
        <Title text=tr("admin.users.edit") />
        <p><a href="/admin/users">{tr("admin.users.back")}</a></p>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                let detail = match detail.await {
                    Ok(d) => d,
                    Err(error) => return view! { <ErrorPanel error /> }.into_any(),
                };
                let u = detail.user.clone();
                let managers = detail.successors.clone();
                let successors = detail.successors.clone();
                let owned = detail.owned.clone();
                view! {
                    <h1>{u.name.clone()}</h1>
                    <p class="muted">{u.email.clone()} " · " {if u.active { tr("admin.users.active") } else { tr("admin.users.inactive") }}</p>
                    <section class="card">
                        <h2>{tr("admin.users.edit")}</h2>
                        <ActionForm action=update attr:class="stack grid-form">
                            <input type="hidden" name="id" value=u.id />
                            <input type="hidden" name="version" value=u.version />
                            <Field id="name" label=tr("admin.users.name") value=u.name.clone() required=true error=field_error(updated, "name") />
                            <div class="field">
                                <label for="role">{tr("admin.users.role")}</label>
                                <select id="role" name="role">{role_options(Some(u.role))}</select>
                                {move || field_error(updated, "role").get().map(|e| view! { <p class="field-error">{e}</p> })}
                            </div>
                            <div class="field">
                                <label for="department">{tr("admin.users.department")}</label>
                                <select id="department" name="department">{department_options(u.department)}</select>
                            </div>
                            <div class="field">
                                <label for="reports_to">{tr("admin.users.reports_to")}</label>
                                <select id="reports_to" name="reports_to">{people_options(managers, u.reports_to)}</select>
                                {move || field_error(updated, "reports_to").get().map(|e| view! { <p class="field-error">{e}</p> })}
                            </div>
                            <button type="submit" class="primary">{tr("form.save")}</button>
                        </ActionForm>
                        {move || matches!(updated.get(), Some(Ok(_))).then(|| view! { <p class="alert alert-success" role="status">{tr("form.saved")}</p> })}
                        {move || updated.get().and_then(|r| r.err()).filter(|e| !matches!(e, crate::core::error::AppError::Invalid(_))).map(|error| view! { <ErrorPanel error /> })}
                    </section>
                    {u.active.then(|| view! {
                        <section class="card danger-zone">
                            <h2>{tr("admin.users.deactivate")}</h2>
                            <p>{tr("admin.users.deactivate_hint")}</p>
                            {(!owned.is_empty()).then(|| view! {
                                <p>{tr("admin.users.owns")}</p>
                                <ul>
                                    {owned.iter().map(|o| view! { <li>{i18n::t(lang, &o.i18n_key)} ": " {o.count}</li> }).collect_view()}
                                </ul>
                            })}
                            <ActionForm action=deactivate attr:class="stack">
                                <input type="hidden" name="id" value=u.id />
                                <input type="hidden" name="version" value=u.version />
                                <div class="field">
                                    <label for="successor">{tr("admin.users.successor")}</label>
                                    <select id="successor" name="successor">{people_options(successors, None)}</select>
                                    {move || field_error(deactivated, "successor").get().map(|e| view! { <p class="field-error">{e}</p> })}
                                    {move || field_error(deactivated, "id").get().map(|e| view! { <p class="field-error">{e}</p> })}
                                </div>
                                <button type="submit" class="danger">{tr("admin.users.deactivate")}</button>
                            </ActionForm>
                            {move || deactivated.get().and_then(|r| r.err()).filter(|e| !matches!(e, crate::core::error::AppError::Invalid(_))).map(|error| view! { <ErrorPanel error /> })}
                        </section>
                    })}
                }
                .into_any()
            })}
        </Suspense>
    }
}
