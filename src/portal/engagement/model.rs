//! What the engagement page shows of a portal user.
use crate::portal::access::model::PortalUserStatus;
use serde::{Deserialize, Serialize};

/// One thing a portal user did with what the firm shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EngagementKind {
    /// Opened an update for the first time.
    Read,
    /// Acknowledged a disclosure ("read and understood").
    Acknowledged,
    /// Opened a document in the browser.
    Viewed,
    /// Saved a document.
    Downloaded,
}

impl EngagementKind {
    /// The code the repository's query gives each kind of row.
    pub fn parse(code: &str) -> Option<EngagementKind> {
        match code {
            "read" => Some(EngagementKind::Read),
            "ack" => Some(EngagementKind::Acknowledged),
            "view" => Some(EngagementKind::Viewed),
            "download" => Some(EngagementKind::Downloaded),
            _ => None,
        }
    }

    pub fn i18n_key(self) -> &'static str {
        match self {
            EngagementKind::Read => "engagement.kind.read",
            EngagementKind::Acknowledged => "engagement.kind.acknowledged",
            EngagementKind::Viewed => "engagement.kind.viewed",
            EngagementKind::Downloaded => "engagement.kind.downloaded",
        }
    }

    /// Whether the item is a document (else an update).
    pub fn is_document(self) -> bool {
        matches!(self, EngagementKind::Viewed | EngagementKind::Downloaded)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EngagementEvent {
    pub kind: EngagementKind,
    /// Formatted in the viewer's time zone.
    pub at: String,
    pub title: String,
    /// The update or document the event is about.
    pub target: i64,
    pub project_id: i64,
    pub project_name: String,
    /// The version acknowledged or read (updates only).
    pub version: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EngagementCounts {
    pub read: i64,
    pub acknowledged: i64,
    pub viewed: i64,
    pub downloaded: i64,
}

/// A disclosure the portal user has not acknowledged yet, as the portal lists it to them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AwaitingItem {
    pub update_id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub title: String,
    pub published_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Engagement {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub status: PortalUserStatus,
    pub last_sign_in: Option<String>,
    /// The investor entities they act for: (client id, name).
    pub entities: Vec<(i64, String)>,
    pub counts: EngagementCounts,
    pub awaiting: Vec<AwaitingItem>,
    pub events: Vec<EngagementEvent>,
    /// Cursor of the next (older) page of events.
    pub next: Option<String>,
}
