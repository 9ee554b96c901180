//! Server functions of projects (reads; writes are plain form posts, see `handlers`).
use super::model::{NewProjectContext, ProjectDetail, ProjectFilter, ProjectPage};
use crate::core::error::AppError;
use leptos::prelude::*;
#[allow(unused_imports)]
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
const PAGE_SIZE: i64 = 50;

#[server(prefix = "/rpc", endpoint = "projects/list", input = GetUrl)]
pub async fn list_projects(filter: ProjectFilter) -> Result<ProjectPage, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::{db, with_status};
    with_status(
        async {
            let me = current_staff().await?;
            let state = super::service::state()?;
            let mut rows = super::repo::list(&state.db, &filter, PAGE_SIZE + 1)
                .await
                .map_err(db)?;
            let total = super::repo::count(&state.db, &filter).await.map_err(db)?;
            let next = if rows.len() as i64 > PAGE_SIZE {
                rows.truncate(PAGE_SIZE as usize);
                rows.last().map(|r| format!("{}~{}", r.id, r.sort_name))
            } else {
                None
            };
            Ok(ProjectPage {
                rows: rows
                    .iter()
                    .map(|r| super::service::row_of(r, me.0.lang()))
                    .collect(),
                next,
                total,
            })
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "projects/get", input = GetUrl)]
pub async fn get_project(id: i64) -> Result<ProjectDetail, AppError> {
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

#[server(prefix = "/rpc", endpoint = "projects/new_context", input = GetUrl)]
pub async fn load_new_project(sponsor: i64) -> Result<NewProjectContext, AppError> {
    use crate::auth::backend::current_staff;
    use crate::server::errors::with_status;
    with_status(
        async {
            current_staff().await?;
            super::service::new_context(&super::service::state()?, sponsor).await
        }
        .await,
    )
}
