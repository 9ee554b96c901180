//! Server functions of sign-in and user administration. Each one: authorise → validate →
//! repository → map errors (DESIGN §4). Permissions are checked here, on the server.
use super::model::{Page, UserDetail, UserView};
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::backend::{AuthSession, current_staff, require};
    pub use super::super::model::{check_new_password, is_plausible_email, normalise_email};
    pub use super::super::{password, repo};
    pub use crate::core::error::FieldError;
    pub use crate::core::i18n::Lang;
    pub use crate::core::roles::{Department, Permission, Role};
    pub use crate::server::audit::{self, Actor, AuditEntry};
    pub use crate::server::errors::{db, internal, with_status};
    pub use crate::server::state::AppState;
    pub use crate::server::{format, idempotency, ownership};

    pub fn state() -> Result<AppState, crate::core::error::AppError> {
        leptos::prelude::use_context::<AppState>()
            .ok_or_else(|| internal("no app state in context"))
    }

    pub fn client_ip() -> Option<String> {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| {
                p.extensions
                    .get::<crate::server::middleware::ClientIp>()
                    .copied()
            })
            .map(|ip| ip.0.to_string())
    }
}

/// Changes the signed-in user's password; every other session of theirs ends.
#[server(prefix = "/rpc", endpoint = "account/password")]
pub async fn change_password(
    current: String,
    new_password: String,
    confirm: String,
) -> Result<(), AppError> {
    use ssr::*;
    with_status(
        async {
            let me = current_staff().await?;
            let state = state()?;
            if !password::verify(current, Some(me.0.password_hash.clone())).await {
                return Err(AppError::invalid("current", "password.current_wrong"));
            }
            if new_password != confirm {
                return Err(AppError::invalid("confirm", "password.mismatch"));
            }
            check_new_password(&new_password, &me.0.email)
                .map_err(|key| AppError::invalid("new_password", key))?;
            let hash = password::hash(new_password).await.map_err(internal)?;
            let now = state.clock.now();
            let mut tx = state.db.begin().await.map_err(db)?;
            repo::set_password(&mut tx, me.0.id, &hash.0, now)
                .await
                .map_err(db)?;
            let entry = AuditEntry::new(
                Actor::Staff(me.0.id),
                "user.password_change",
                "user",
                Some(me.0.id),
            )
            .ip(client_ip());
            audit::record(&mut tx, now, entry).await.map_err(db)?;
            tx.commit().await.map_err(db)?;
            // Keep this session: sign in again with the new password hash.
            let updated = repo::find_by_id(&state.db, me.0.id)
                .await
                .map_err(db)?
                .ok_or(AppError::NotFound)?;
            let mut auth: AuthSession = leptos_axum::extract().await.map_err(internal)?;
            auth.login(&super::backend::StaffUser(updated))
                .await
                .map_err(internal)?;
            Ok(())
        }
        .await,
    )
}

/// Saves the signed-in user's time zone.
#[server(prefix = "/rpc", endpoint = "account/preferences")]
pub async fn save_preferences(time_zone: String) -> Result<(), AppError> {
    use ssr::*;
    with_status(
        async {
            let me = current_staff().await?;
            let state = state()?;
            if !format::is_known_time_zone(&time_zone) {
                return Err(AppError::invalid("time_zone", "account.time_zone_unknown"));
            }
            let mut tx = state.db.begin().await.map_err(db)?;
            repo::set_preferences(&mut tx, me.0.id, me.0.lang(), &time_zone, state.clock.now())
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(())
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
const USERS_PAGE_SIZE: i64 = 50;

/// One page of staff, in the order they were added.
#[server(prefix = "/rpc", endpoint = "admin/users/list", input = GetUrl)]
pub async fn list_users(after: Option<i64>) -> Result<Page<UserView>, AppError> {
    use ssr::*;
    with_status(
        async {
            let me = require(Permission::ManageUsers).await?;
            let state = state()?;
            let mut rows = repo::list(&state.db, after, USERS_PAGE_SIZE + 1)
                .await
                .map_err(db)?;
            let next = if rows.len() as i64 > USERS_PAGE_SIZE {
                rows.truncate(USERS_PAGE_SIZE as usize);
                rows.last().map(|r| r.id)
            } else {
                None
            };
            Ok(Page {
                items: rows.iter().map(|r| r.view(&me.0.time_zone)).collect(),
                next,
            })
        }
        .await,
    )
}

/// One staff member with what they are responsible for, for the edit page.
#[server(prefix = "/rpc", endpoint = "admin/users/get", input = GetUrl)]
pub async fn get_user(id: i64) -> Result<UserDetail, AppError> {
    use ssr::*;
    with_status(
        async {
            let me = require(Permission::ManageUsers).await?;
            let state = state()?;
            let row = repo::find_by_id(&state.db, id)
                .await
                .map_err(db)?
                .ok_or(AppError::NotFound)?;
            let owned = ownership::owned_summary(&state.db, id).await.map_err(db)?;
            let successors = repo::active_names(&state.db)
                .await
                .map_err(db)?
                .into_iter()
                .filter(|(other, _)| *other != id)
                .collect();
            Ok(UserDetail {
                user: row.view(&me.0.time_zone),
                owned: owned
                    .into_iter()
                    .map(|(o, count)| super::model::OwnedRecords {
                        i18n_key: o.i18n_key.to_string(),
                        count,
                    })
                    .collect(),
                successors,
            })
        }
        .await,
    )
}

/// Active staff (id, name) for manager pickers.
#[server(prefix = "/rpc", endpoint = "admin/users/names", input = GetUrl)]
pub async fn staff_names() -> Result<Vec<(i64, String)>, AppError> {
    use ssr::*;
    with_status(
        async {
            require(Permission::ManageUsers).await?;
            repo::active_names(&state()?.db).await.map_err(db)
        }
        .await,
    )
}

/// A fresh idempotency key for a form about to be shown.
#[server(prefix = "/rpc", endpoint = "form/key", input = GetUrl)]
pub async fn new_form_key() -> Result<String, AppError> {
    use ssr::*;
    current_staff().await?;
    Ok(idempotency::new_key())
}

#[cfg(feature = "ssr")]
fn parse_choices(
    role: &str,
    department: &str,
    reports_to: &str,
) -> Result<(ssr::Role, Option<ssr::Department>, Option<i64>), AppError> {
    use ssr::*;
    let mut errors = Vec::new();
    let role = Role::parse(role);
    if role.is_none() {
        errors.push(FieldError::new("role", "form.choose_one"));
    }
    let department = match department {
        "" => None,
        code => match Department::parse(code) {
            Some(d) => Some(d),
            None => {
                errors.push(FieldError::new("department", "form.choose_one"));
                None
            }
        },
    };
    let reports_to = match reports_to.trim() {
        "" => None,
        id => match id.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new("reports_to", "form.choose_one"));
                None
            }
        },
    };
    match role {
        Some(role) if errors.is_empty() => Ok((role, department, reports_to)),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// A manager must be an active user, and not the user themselves or anyone below them.
#[cfg(feature = "ssr")]
async fn check_manager(
    tx: &mut crate::server::db::Tx,
    user_id: Option<i64>,
    manager: Option<i64>,
) -> Result<(), AppError> {
    use ssr::*;
    let Some(mut current) = manager else {
        return Ok(());
    };
    for _ in 0..64 {
        if Some(current) == user_id {
            return Err(AppError::invalid("reports_to", "admin.users.manager_cycle"));
        }
        let Some(row) = repo::find_by_id_tx(tx, current).await.map_err(db)? else {
            return Err(AppError::invalid("reports_to", "form.choose_one"));
        };
        if Some(row.id) == manager && !row.active {
            return Err(AppError::invalid(
                "reports_to",
                "admin.users.manager_inactive",
            ));
        }
        match row.reports_to {
            Some(up) => current = up,
            None => return Ok(()),
        }
    }
    Err(AppError::invalid("reports_to", "admin.users.manager_cycle"))
}

/// Adds a staff member with a first password the admin hands over.
#[server(prefix = "/rpc", endpoint = "admin/users/add")]
#[allow(clippy::too_many_arguments)]
pub async fn add_user(
    form_key: String,
    email: String,
    name: String,
    role: String,
    department: String,
    reports_to: String,
    password: String,
) -> Result<UserView, AppError> {
    use ssr::*;
    with_status(
        async {
            let me = require(Permission::ManageUsers).await?;
            let state = state()?;
            if !idempotency::is_well_formed(&form_key) {
                return Err(AppError::invalid("form_key", "error.form_expired"));
            }
            let email = normalise_email(&email);
            let name = name.trim().to_string();
            let mut errors = Vec::new();
            if !is_plausible_email(&email) {
                errors.push(FieldError::new("email", "form.email_invalid"));
            }
            if name.is_empty() || name.chars().count() > 100 {
                errors.push(FieldError::new("name", "form.name_required"));
            }
            if let Err(key) = check_new_password(&password, &email) {
                errors.push(FieldError::new("password", key));
            }
            let choices = parse_choices(&role, &department, &reports_to);
            if let Err(AppError::Invalid(more)) = &choices {
                errors.extend(more.iter().cloned());
            }
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            let (role, department, reports_to) = choices?;
            let hash = password::hash(password).await.map_err(internal)?;
            let now = state.clock.now();
            let mut tx = state.db.begin().await.map_err(db)?;
            if let Some(first) =
                idempotency::replay::<UserView>(&mut tx, me.0.id, "user.create", &form_key)
                    .await
                    .map_err(db)?
            {
                return Ok(first);
            }
            check_manager(&mut tx, None, reports_to).await?;
            let new = repo::NewUser {
                email: &email,
                name: &name,
                role,
                department,
                reports_to,
                locale: Lang::Zh,
                time_zone: format::DEFAULT_TIME_ZONE,
                password_hash: &hash.0,
            };
            let id = match repo::insert(&mut tx, &new, now).await {
                Ok(id) => id,
                Err(e) if crate::server::db::is_unique_violation(&e) => {
                    return Err(AppError::invalid("email", "admin.users.email_taken"));
                }
                Err(e) => return Err(db(e)),
            };
            let view = repo::find_by_id_tx(&mut tx, id)
                .await
                .map_err(db)?
                .ok_or(AppError::NotFound)?
                .view(&me.0.time_zone);
            let entry = AuditEntry::new(Actor::Staff(me.0.id), "user.create", "user", Some(id))
                .after(&view)
                .ip(client_ip());
            audit::record(&mut tx, now, entry).await.map_err(db)?;
            idempotency::remember(&mut tx, me.0.id, "user.create", &form_key, &view, now)
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(view)
        }
        .await,
    )
}

/// Reads the changed user back, audits before/after and commits: the last step of every
/// edit to a staff member.
#[cfg(feature = "ssr")]
async fn finish_user_change(
    mut tx: crate::server::db::Tx,
    me: &super::backend::StaffUser,
    action: &str,
    before: &super::repo::UserRow,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<UserView, AppError> {
    use ssr::*;
    let after = repo::find_by_id_tx(&mut tx, before.id)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?
        .view(&me.0.time_zone);
    let entry = AuditEntry::new(Actor::Staff(me.0.id), action, "user", Some(before.id))
        .before(&before.view(&me.0.time_zone))
        .after(&after)
        .ip(client_ip());
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(after)
}

/// Edits name, role, department and manager, if nobody changed the user meanwhile.
#[server(prefix = "/rpc", endpoint = "admin/users/update")]
pub async fn update_user(
    id: i64,
    version: i64,
    name: String,
    role: String,
    department: String,
    reports_to: String,
) -> Result<UserView, AppError> {
    use ssr::*;
    with_status(
        async {
            let me = require(Permission::ManageUsers).await?;
            let state = state()?;
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 100 {
                return Err(AppError::invalid("name", "form.name_required"));
            }
            let (role, department, reports_to) = parse_choices(&role, &department, &reports_to)?;
            let now = state.clock.now();
            let mut tx = state.db.begin().await.map_err(db)?;
            let before = repo::find_by_id_tx(&mut tx, id)
                .await
                .map_err(db)?
                .ok_or(AppError::NotFound)?;
            check_manager(&mut tx, Some(id), reports_to).await?;
            if before.role() == Role::Admin
                && role != Role::Admin
                && before.active
                && repo::active_admin_count(&mut tx).await.map_err(db)? <= 1
            {
                return Err(AppError::invalid("role", "admin.users.last_admin"));
            }
            let changes = repo::UserChanges {
                name: &name,
                role,
                department,
                reports_to,
            };
            if !repo::update(&mut tx, id, version, &changes, now)
                .await
                .map_err(db)?
            {
                return Err(AppError::conflict("error.stale"));
            }
            finish_user_change(tx, &me, "user.update", &before, now).await
        }
        .await,
    )
}

/// Deactivates a staff member at once (their next request is signed out). If they are
/// responsible for records, `successor` takes them over in the same audited transaction.
#[server(prefix = "/rpc", endpoint = "admin/users/deactivate")]
pub async fn deactivate_user(
    id: i64,
    version: i64,
    successor: String,
) -> Result<UserView, AppError> {
    use ssr::*;
    with_status(
        async {
            let me = require(Permission::ManageUsers).await?;
            let state = state()?;
            if id == me.0.id {
                return Err(AppError::invalid("id", "admin.users.not_yourself"));
            }
            let successor = match successor.trim() {
                "" => None,
                s => Some(
                    s.parse::<i64>()
                        .map_err(|_| AppError::invalid("successor", "form.choose_one"))?,
                ),
            };
            let now = state.clock.now();
            let mut tx = state.db.begin().await.map_err(db)?;
            let before = repo::find_by_id_tx(&mut tx, id)
                .await
                .map_err(db)?
                .ok_or(AppError::NotFound)?;
            if before.role() == Role::Admin
                && before.active
                && repo::active_admin_count(&mut tx).await.map_err(db)? <= 1
            {
                return Err(AppError::invalid("id", "admin.users.last_admin"));
            }
            if !ownership::count_owned(&mut tx, id)
                .await
                .map_err(db)?
                .is_empty()
            {
                let Some(to) = successor else {
                    return Err(AppError::invalid(
                        "successor",
                        "admin.users.successor_required",
                    ));
                };
                let heir = repo::find_by_id_tx(&mut tx, to).await.map_err(db)?;
                if to == id || !heir.is_some_and(|h| h.active) {
                    return Err(AppError::invalid(
                        "successor",
                        "admin.users.successor_inactive",
                    ));
                }
                ownership::reassign_all(&mut tx, Actor::Staff(me.0.id), id, to, now)
                    .await
                    .map_err(db)?;
            }
            if !repo::deactivate(&mut tx, id, version, now)
                .await
                .map_err(db)?
            {
                return Err(AppError::conflict("error.stale"));
            }
            finish_user_change(tx, &me, "user.deactivate", &before, now).await
        }
        .await,
    )
}
