//! Server functions of clients (reads; writes are plain form posts, see `handlers`).
use super::model::{ClientDetail, ClientFilter, ClientFormOptions, ClientPage};
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

pub const PAGE_SIZE: i64 = 50;

#[server(prefix = "/rpc", endpoint = "clients/list", input = GetUrl)]
pub async fn list_clients(filter: ClientFilter) -> Result<ClientPage, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::{db, with_status};
    with_status(
        async {
            current_staff().await?;
            let state = super::service::state()?;
            super::repo::list(&state.db, &filter, super::service::today(&state), PAGE_SIZE)
                .await
                .map_err(db)
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "clients/get", input = GetUrl)]
pub async fn get_client(id: i64) -> Result<ClientDetail, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            super::service::detail(&super::service::state()?, &me, id).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "clients/contact", input = GetUrl)]
pub async fn load_contact_edit(
    client: i64,
    contact: i64,
) -> Result<super::model::ContactEdit, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            super::service::contact_edit(&super::service::state()?, &me, client, contact).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "clients/form_options", input = GetUrl)]
pub async fn load_client_form_options() -> Result<ClientFormOptions, AppError> {
    use crate::auth::backend::current_staff;
    use crate::core::roles::Permission;
    use crate::server::errors::{db, with_status};
    with_status(
        async {
            let me = current_staff().await?;
            let state = super::service::state()?;
            Ok(ClientFormOptions {
                owners: crate::auth::repo::active_names(&state.db)
                    .await
                    .map_err(db)?,
                form_key: crate::server::idempotency::new_key(),
                my_id: me.0.id,
                can_choose_owner: me.0.role().can(Permission::EditAllRecords),
            })
        }
        .await,
    )
}

/// Active staff (id, name), for the owner filter of the list.
#[server(prefix = "/rpc", endpoint = "clients/owners", input = GetUrl)]
pub async fn client_owners() -> Result<Vec<(i64, String)>, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::{db, with_status};
    with_status(
        async {
            current_staff().await?;
            let state = super::service::state()?;
            crate::auth::repo::active_names(&state.db).await.map_err(db)
        }
        .await,
    )
}
