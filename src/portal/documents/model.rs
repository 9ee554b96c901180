//! What an investor sees of a project's documents.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalDocument {
    pub id: i64,
    pub title: String,
    pub file_name: String,
    pub size: String,
    pub uploaded_at: String,
    /// The entity a document shared with one investor is for.
    pub for_entity: Option<String>,
    /// Whether the browser can show it in place (else it can only be saved).
    pub viewable: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalDocumentPage {
    pub items: Vec<PortalDocument>,
    pub next: Option<i64>,
}
