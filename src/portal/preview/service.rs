//! Who a portal server function answers for: the signed-in investor, or, for a member of
//! staff previewing, the portal user they chose. Every preview is audited.
use crate::auth::backend::{StaffUser, current_staff};
use crate::core::error::AppError;
use crate::portal::access::backend::{Investor, current_investor};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::errors::db;
use crate::server::state::AppState;

/// The investor a portal read is for. Without `preview` it is the portal session's
/// investor (a staff session is not one); with it, the caller must be staff, and gets the
/// portal user `preview` as that user's own session would (`page` names what was looked
/// at, for the audit log).
pub async fn acting_investor(preview: Option<i64>, page: &str) -> Result<Investor, AppError> {
    let Some(user) = preview else {
        return current_investor().await;
    };
    let staff = current_staff().await?;
    let state = crate::clients::service::state()?;
    as_investor(&state, &staff, user, page).await
}

/// Portal user `user` as staff member `staff` previews them. A deactivated user sees
/// nothing at all, which the preview says rather than showing pages they cannot open.
pub async fn as_investor(
    state: &AppState,
    staff: &StaffUser,
    user: i64,
    page: &str,
) -> Result<Investor, AppError> {
    let row = crate::portal::access::repo::find_by_id(&state.db, user)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    if !row.active {
        return Err(AppError::conflict("preview.deactivated"));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await.map_err(db)?;
    let entry = AuditEntry::new(
        Actor::Staff(staff.0.id),
        "portal.preview",
        "portal_user",
        Some(user),
    )
    .after(&serde_json::json!({ "page": page }))
    .ip(crate::server::forms::request_ip());
    audit::record(&mut tx, now, entry).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(Investor(row))
}
