//! Pages of sign-in, the user's own account and user administration. Pages render on the
//! server; the forms that talk to server functions are islands.
use super::api::{
    AddUser, ChangePassword, DeactivateUser, SavePreferences, UpdateUser, get_user, list_users,
    new_form_key, staff_names,
};
use super::model::{OwnedRecords, SessionInfo, UserView};
use crate::core::error::AppError;
use crate::core::i18n::{self, Lang};
use crate::core::roles::{Department, Role};
use crate::ui::form::{Field, field_error, general_error};
use crate::ui::island::{Live, enter, go_to};
use crate::ui::layout::{ErrorPanel, LanguageSwitch};
use crate::ui::session::{WithSession, tr, use_lang, use_me};
use crate::ui::sign_in::{SignInForm, already_signed_in};
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

/// The staff sign-in page (the form is shared with the portal's).
#[component]
fn LoginForm() -> impl IntoView {
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
                {me.map(|me| already_signed_in(me.name, "/", "nav.home"))}
                <SignInForm action="/login" />
            </div>
        </main>
    }
}

fn success_notice(key: &'static str) -> impl IntoView {
    view! { <p class="alert alert-success" role="status">{tr(key)}</p> }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    let me = use_me();
    let zones = use_context::<SessionInfo>()
        .map(|s| s.time_zones)
        .unwrap_or_default();
    let current = me.as_ref().map(|m| m.time_zone.clone()).unwrap_or_default();
    view! {
        <Title text=tr("account.title") />
        <h1>{tr("account.title")}</h1>
        {me.map(|me| view! { <p class="muted">{me.name} " · " {me.email} " · " {tr(&me.role.i18n_key())}</p> })}
        <section class="card">
            <h2>{tr("account.password")}</h2>
            <PasswordForm lang />
        </section>
        <section class="card">
            <h2>{tr("account.preferences")}</h2>
            <PreferencesForm lang zones current />
            <h3>{tr("account.language")}</h3>
            <LanguageSwitch />
        </section>
    }
}

#[island]
fn PasswordForm(lang: Lang) -> impl IntoView {
    enter(lang);
    let change = ServerAction::<ChangePassword>::new();
    let result = Signal::derive(move || change.value().get());
    view! {
        <Live>
            <ActionForm action=change attr:class="stack">
                <Field id="current" label=tr("account.current_password") kind="password" autocomplete="current-password" required=true error=field_error(result, "current") />
                <Field id="new_password" label=tr("account.new_password") kind="password" autocomplete="new-password" required=true error=field_error(result, "new_password") />
                <Field id="confirm" label=tr("account.confirm_password") kind="password" autocomplete="new-password" required=true error=field_error(result, "confirm") />
                <p class="hint">{tr("password.rules")}</p>
                <button type="submit" class="primary">{tr("account.change_password")}</button>
            </ActionForm>
            {move || matches!(result.get(), Some(Ok(()))).then(|| success_notice("account.password_changed"))}
            {general_error(result)}
        </Live>
    }
}

#[island]
fn PreferencesForm(lang: Lang, zones: Vec<String>, current: String) -> impl IntoView {
    enter(lang);
    let save = ServerAction::<SavePreferences>::new();
    let result = Signal::derive(move || save.value().get());
    view! {
        <Live>
            <ActionForm action=save attr:class="stack">
                <div class="field">
                    <label for="time_zone">{tr("account.time_zone")}</label>
                    <select id="time_zone" name="time_zone">
                        {zones.into_iter().map(|z| {
                            let selected = z == current;
                            view! { <option value=z.clone() selected=selected>{z.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit">{tr("form.save")}</button>
            </ActionForm>
            {move || matches!(result.get(), Some(Ok(()))).then(|| success_notice("form.saved"))}
            {general_error(result)}
        </Live>
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

fn query_id(name: &'static str) -> Option<i64> {
    use_query_map().with_untracked(|q| q.get(name).and_then(|v| v.parse::<i64>().ok()))
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let lang = use_lang();
    let after = query_id("after");
    let added = query_id("added");
    let users = Resource::new(move || after, list_users);
    let names = Resource::new(|| (), |_| staff_names());
    let form_key = Resource::new(|| (), |_| new_form_key());
    let added_user = Resource::new(
        move || added,
        |id| async move {
            match id {
                Some(id) => get_user(id).await.ok().map(|d| d.user.name),
                None => None,
            }
        },
    );
    view! {
        <Title text=tr("admin.users.title") />
        <h1>{tr("admin.users.title")}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                added_user.await.map(|name| view! {
                    <p class="alert alert-success" role="status">{i18n::t_with(lang, "admin.users.added", &[("name", &name)])}</p>
                })
            })}
        </Suspense>
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
                    match (form_key.await, names.await) {
                        (Ok(form_key), Ok(people)) => view! { <AddUserForm lang form_key people /> }.into_any(),
                        (Err(error), _) | (_, Err(error)) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[island]
fn AddUserForm(lang: Lang, form_key: String, people: Vec<(i64, String)>) -> impl IntoView {
    enter(lang);
    let add = ServerAction::<AddUser>::new();
    let result = Signal::derive(move || add.value().get());
    Effect::new(move |_| {
        if let Some(Ok(user)) = result.get() {
            go_to(&format!("/admin/users?added={}", user.id));
        }
    });
    view! {
        <Live>
            <ActionForm action=add attr:class="stack grid-form">
                <input type="hidden" name="form_key" value=form_key />
                <Field id="email" label=tr("admin.users.email") kind="email" autocomplete="off" required=true error=field_error(result, "email") />
                <Field id="name" label=tr("admin.users.name") required=true error=field_error(result, "name") />
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
                <Field id="password" label=tr("admin.users.first_password") kind="password" autocomplete="new-password" required=true error=field_error(result, "password") />
                <button type="submit" class="primary">{tr("admin.users.add")}</button>
            </ActionForm>
            {general_error(result)}
        </Live>
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
    let lang = use_lang();
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let notice = use_query_map().with_untracked(|q| {
        if q.get("saved").is_some() {
            Some("form.saved")
        } else if q.get("deactivated").is_some() {
            Some("admin.users.deactivated")
        } else {
            None
        }
    });
    let detail = Resource::new(
        move || id,
        |id| async move {
            match id {
                Some(id) => get_user(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=tr("admin.users.edit") />
        <p><a href="/admin/users">{tr("admin.users.back")}</a></p>
        {notice.map(success_notice)}
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                let detail = match detail.await {
                    Ok(d) => d,
                    Err(error) => {
                        #[cfg(feature = "ssr")]
                        crate::server::errors::with_status::<()>(Err(error.clone())).ok();
                        return view! { <ErrorPanel error /> }.into_any();
                    }
                };
                let user = detail.user.clone();
                view! {
                    <h1>{user.name.clone()}</h1>
                    <p class="muted">{user.email.clone()} " · " {if user.active { tr("admin.users.active") } else { tr("admin.users.inactive") }}</p>
                    <section class="card">
                        <h2>{tr("admin.users.edit")}</h2>
                        <EditUserForm lang user=user.clone() managers=detail.successors.clone() />
                    </section>
                    {user.active.then(|| view! {
                        <section class="card danger-zone">
                            <h2>{tr("admin.users.deactivate")}</h2>
                            <DeactivateUserForm lang user=user.clone() owned=detail.owned.clone() successors=detail.successors.clone() />
                        </section>
                    })}
                }
                .into_any()
            })}
        </Suspense>
    }
}

#[island]
fn EditUserForm(lang: Lang, user: UserView, managers: Vec<(i64, String)>) -> impl IntoView {
    enter(lang);
    let update = ServerAction::<UpdateUser>::new();
    let result = Signal::derive(move || update.value().get());
    let id = user.id;
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            go_to(&format!("/admin/users/{id}?saved=1"));
        }
    });
    let field_message = move |field: &'static str| {
        move || {
            field_error(result, field)
                .get()
                .map(|e| view! { <p class="field-error">{e}</p> })
        }
    };
    view! {
        <Live>
            <ActionForm action=update attr:class="stack grid-form">
                <input type="hidden" name="id" value=user.id />
                <input type="hidden" name="version" value=user.version />
                <Field id="name" label=tr("admin.users.name") value=user.name.clone() required=true error=field_error(result, "name") />
                <div class="field">
                    <label for="role">{tr("admin.users.role")}</label>
                    <select id="role" name="role">{role_options(Some(user.role))}</select>
                    {field_message("role")}
                </div>
                <div class="field">
                    <label for="department">{tr("admin.users.department")}</label>
                    <select id="department" name="department">{department_options(user.department)}</select>
                </div>
                <div class="field">
                    <label for="reports_to">{tr("admin.users.reports_to")}</label>
                    <select id="reports_to" name="reports_to">{people_options(managers, user.reports_to)}</select>
                    {field_message("reports_to")}
                </div>
                <button type="submit" class="primary">{tr("form.save")}</button>
            </ActionForm>
            {general_error(result)}
        </Live>
    }
}

#[island]
fn DeactivateUserForm(
    lang: Lang,
    user: UserView,
    owned: Vec<OwnedRecords>,
    successors: Vec<(i64, String)>,
) -> impl IntoView {
    enter(lang);
    let deactivate = ServerAction::<DeactivateUser>::new();
    let result = Signal::derive(move || deactivate.value().get());
    let id = user.id;
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            go_to(&format!("/admin/users/{id}?deactivated=1"));
        }
    });
    view! {
        <Live>
            <p>{tr("admin.users.deactivate_hint")}</p>
            {(!owned.is_empty()).then(|| view! {
                <p>{tr("admin.users.owns")}</p>
                <ul>
                    {owned.iter().map(|o| view! { <li>{i18n::t(lang, &o.i18n_key)} ": " {o.count}</li> }).collect_view()}
                </ul>
            })}
            <ActionForm action=deactivate attr:class="stack">
                <input type="hidden" name="id" value=user.id />
                <input type="hidden" name="version" value=user.version />
                <div class="field">
                    <label for="successor">{tr("admin.users.successor")}</label>
                    <select id="successor" name="successor">{people_options(successors, None)}</select>
                    {move || field_error(result, "successor").get().map(|e| view! { <p class="field-error">{e}</p> })}
                    {move || field_error(result, "id").get().map(|e| view! { <p class="field-error">{e}</p> })}
                </div>
                <button type="submit" class="danger">{tr("admin.users.deactivate")}</button>
            </ActionForm>
            {general_error(result)}
        </Live>
    }
}
