//! The staff home page, "my work": each area adds its queue here (clients at risk, deals
//! due, tasks, complaints near their target) as it arrives.
use crate::core::i18n;
use crate::core::roles::Permission;
use crate::pipeline::lifecycle::pages::MyClientsAtRisk;
use crate::ui::session::{tr, use_lang, use_me};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let me = use_me();
    let greeting = me
        .as_ref()
        .map(|m| i18n::t_with(lang, "home.greeting", &[("name", &m.name)]))
        .unwrap_or_default();
    let role = me
        .as_ref()
        .map(|m| tr(&m.role.i18n_key()))
        .unwrap_or_default();
    let department = me
        .as_ref()
        .and_then(|m| m.department)
        .map(|d| tr(&d.i18n_key()))
        .unwrap_or_default();
    let is_admin = me.as_ref().is_some_and(|m| m.can(Permission::ManageUsers));
    view! {
        <Title text=tr("home.title") />
        <h1>{greeting}</h1>
        <p class="muted">{role} " · " {department}</p>
        <section class="card" aria-labelledby="my-work">
            <h2 id="my-work">{tr("home.my_work")}</h2>
            <MyClientsAtRisk />
        </section>
        <section class="card">
            <h2>{tr("home.shortcuts")}</h2>
            <ul class="shortcuts">
                <li><a href="/lifecycle">{tr("nav.lifecycle")}</a></li>
                <li><a href="/lifecycle/at-risk">{tr("risk.title")}</a></li>
                <li><a href="/account">{tr("nav.account")}</a></li>
                {is_admin.then(|| view! { <li><a href="/admin/users">{tr("nav.users")}</a></li> })}
            </ul>
        </section>
    }
}
