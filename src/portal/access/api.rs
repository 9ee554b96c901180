//! Server functions of portal access (reads; the writes are plain form posts, see
//! `handlers`).
use super::model::{PortalAccess, TokenPurpose, TokenState};
use crate::core::error::AppError;
use leptos::prelude::*;

/// What an invitation or reset link opens. Public: the link is the credential, and a
/// token that is not 256 random bits the server issued reads as unknown.
#[server(prefix = "/rpc", endpoint = "portal/token")]
pub async fn link_state(token: String, purpose: TokenPurpose) -> Result<TokenState, AppError> {
    use crate::server::errors::with_status;
    with_status(
        async {
            let state = crate::clients::service::state()?;
            super::service::token_state(&state, &token, purpose).await
        }
        .await,
    )
}

/// The portal users of a client and who could be invited, for the client page (staff).
#[server(prefix = "/rpc", endpoint = "portal/access", input = leptos::server_fn::codec::GetUrl)]
pub async fn load_portal_access(client: i64) -> Result<PortalAccess, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            let me = current_staff().await?;
            let state = crate::clients::service::state()?;
            super::service::access_of_client(&state, &me, client).await
        }
        .await,
    )
}
