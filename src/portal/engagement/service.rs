//! A portal user's engagement as staff see it. The disclosures still waiting are read
//! with the portal's own query for that user, so staff see exactly what the investor's
//! overview asks them to acknowledge.
use super::model::{AwaitingItem, Engagement, EngagementCounts, EngagementEvent, EngagementKind};
use super::repo::{self, Cursor, EventRow};
use crate::auth::backend::StaffUser;
use crate::core::error::AppError;
use crate::portal::access::model::PortalUserStatus;
use crate::server::errors::db;
use crate::server::format;
use crate::server::state::AppState;
use chrono::{DateTime, SecondsFormat, Utc};

pub const EVENTS_PAGE: i64 = 25;
/// As many waiting disclosures as the investor's overview lists.
const AWAITING: i64 = 20;

/// The cursor of the page after `row`, as it travels in a link.
pub fn encode_cursor(row: &EventRow) -> String {
    format!(
        "{}~{}~{}",
        row.at.to_rfc3339_opts(SecondsFormat::Nanos, true),
        row.src,
        row.item
    )
}

/// Reads a cursor back; anything else than what `encode_cursor` wrote is `None`.
pub fn decode_cursor(text: &str) -> Option<Cursor> {
    let mut parts = text.splitn(3, '~');
    let at = DateTime::parse_from_rfc3339(parts.next()?).ok()?;
    let src = parts.next()?;
    EngagementKind::parse(src)?;
    let item = parts.next()?.parse().ok()?;
    Some(Cursor {
        at: at.with_timezone(&Utc),
        src: src.to_string(),
        item,
    })
}

fn event(row: EventRow, tz: &str) -> Option<EngagementEvent> {
    Some(EngagementEvent {
        kind: EngagementKind::parse(&row.src)?,
        at: format::date_time(row.at, tz),
        title: row.title,
        target: row.target,
        project_id: row.project_id,
        project_name: row.project_name,
        version: row.version,
    })
}

pub async fn engagement(
    state: &AppState,
    me: &StaffUser,
    user: i64,
    before: Option<String>,
) -> Result<Engagement, AppError> {
    let cursor = match before.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            decode_cursor(text).ok_or_else(|| AppError::invalid("before", "list.bad_cursor"))?,
        ),
    };
    let row = crate::portal::access::repo::find_by_id(&state.db, user)
        .await
        .map_err(db)?
        .ok_or(AppError::NotFound)?;
    let tz = &me.0.time_zone;
    let mut rows = repo::events(&state.db, user, cursor.as_ref(), EVENTS_PAGE + 1)
        .await
        .map_err(db)?;
    let more = rows.len() as i64 > EVENTS_PAGE;
    rows.truncate(EVENTS_PAGE as usize);
    let next = if more {
        rows.last().map(encode_cursor)
    } else {
        None
    };
    let (read, acknowledged, viewed, downloaded) =
        repo::counts(&state.db, user).await.map_err(db)?;
    let awaiting = crate::portal::repo::awaiting_acknowledgement(&state.db, user, AWAITING)
        .await
        .map_err(db)?
        .into_iter()
        .map(|f| AwaitingItem {
            update_id: f.id,
            project_id: f.project_id,
            project_name: f.project_name,
            title: f.title,
            published_at: format::date_time(f.published_at, tz),
        })
        .collect();
    Ok(Engagement {
        id: row.id,
        status: PortalUserStatus::of(row.active, row.password_hash.is_some()),
        last_sign_in: row.last_sign_in_at.map(|at| format::date_time(at, tz)),
        entities: repo::entities(&state.db, user).await.map_err(db)?,
        counts: EngagementCounts {
            read,
            acknowledged,
            viewed,
            downloaded,
        },
        awaiting,
        events: rows.into_iter().filter_map(|r| event(r, tz)).collect(),
        next,
        name: row.name,
        email: row.email,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row(at: DateTime<Utc>, src: &str, item: i64) -> EventRow {
        EventRow {
            at,
            src: src.into(),
            item,
            target: 1,
            title: String::new(),
            project_id: 1,
            project_name: String::new(),
            version: None,
        }
    }

    #[test]
    fn a_cursor_reads_back_to_the_same_instant_kind_and_row() {
        let at = Utc.with_ymd_and_hms(2026, 12, 2, 8, 30, 5).unwrap()
            + chrono::Duration::nanoseconds(123_456_789);
        let text = encode_cursor(&row(at, "download", 42));
        assert_eq!(
            decode_cursor(&text),
            Some(Cursor {
                at,
                src: "download".into(),
                item: 42
            })
        );
    }

    #[test]
    fn a_cursor_that_was_not_written_by_us_is_refused() {
        assert_eq!(decode_cursor(""), None);
        assert_eq!(decode_cursor("yesterday~read~1"), None);
        assert_eq!(decode_cursor("2026-12-02T08:30:05Z~drop~1"), None);
        assert_eq!(decode_cursor("2026-12-02T08:30:05Z~read~x"), None);
        assert_eq!(decode_cursor("2026-12-02T08:30:05Z~read"), None);
    }
}
