//! Shared types of the investor portal's pages, and the one rule of what an investor sees
//! of the pipeline.
use crate::clients::model::{Instrument, Sector};
use crate::pipeline::model::DealStage;
use crate::projects::model::{ProjectStage, RiskRating};
use crate::projects::updates::model::UpdateKind;
use serde::{Deserialize, Serialize};

/// Deal stages an investor sees: from the moment they showed interest. Earlier stages
/// (prospect, contacted) are the relationship manager's own pipeline, and a declined deal
/// is no participation.
pub fn visible_to_investor(stage: DealStage) -> bool {
    matches!(
        stage,
        DealStage::Interested
            | DealStage::DueDiligence
            | DealStage::TermSheet
            | DealStage::Committed
            | DealStage::Closed
    )
}

/// One of the investor's participations, by project and tranche.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommitmentView {
    pub deal_id: i64,
    /// The investor entity (a fund, an SPV) the participation belongs to.
    pub entity: String,
    pub project_id: i64,
    pub project_name: String,
    pub tranche_name: Option<String>,
    pub stage: Option<DealStage>,
    pub indicated: Option<String>,
    pub committed: Option<String>,
}

/// Sums of one currency over all the investor's participations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurrencyTotal {
    pub currency: String,
    pub indicated: String,
    pub committed: String,
    pub count: i64,
}

/// The portal's first page: for whom the investor acts, what needs their attention, the
/// latest updates, their participations (one page) and their totals over all of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub entities: Vec<String>,
    /// Disclosures waiting for the investor's acknowledgement.
    pub attention: Vec<FeedItem>,
    /// Surveys waiting for the investor's answer.
    pub surveys: Vec<WaitingSurvey>,
    pub latest: Vec<FeedItem>,
    pub commitments: Vec<CommitmentView>,
    /// Cursor of the next page of participations.
    pub next: Option<i64>,
    pub totals: Vec<CurrencyTotal>,
}

/// A survey sent to the investor that they have not answered yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaitingSurvey {
    /// The invitation, which the answer button opens.
    pub id: i64,
    pub title: String,
    /// Until when it can be answered, in the investor's time zone.
    pub expires: String,
}

/// A published update (its newest version) in a feed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedItem {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub kind: Option<UpdateKind>,
    pub title: String,
    pub series_version: i64,
    /// Formatted in the investor's time zone.
    pub published_at: String,
    pub unread: bool,
    /// A disclosure this investor has not acknowledged yet.
    pub needs_ack: bool,
}

/// One page of a project's updates, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feed {
    pub items: Vec<FeedItem>,
    pub next: Option<i64>,
}

/// One published version as the investor reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalUpdate {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub kind: Option<UpdateKind>,
    pub title: String,
    pub body: String,
    pub series_version: i64,
    pub published_at: String,
    pub requires_ack: bool,
    pub content_hash: Option<String>,
    /// When this investor acknowledged this version, formatted.
    pub acknowledged_at: Option<String>,
    /// Every published version of the update: (id, version, published at), newest first.
    pub versions: Vec<(i64, i64, String)>,
}

/// Counts for the portal's navigation badges.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Badges {
    pub unread_updates: i64,
    pub new_answers: i64,
    /// The investor's complaints with a response they have not opened.
    #[serde(default)]
    pub new_responses: i64,
}

/// A project the investor takes part in, as the project list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalProjectRow {
    pub id: i64,
    pub name: String,
    pub sector: Option<Sector>,
    pub country: String,
    pub stage: Option<ProjectStage>,
    pub size: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalProjectPage {
    pub items: Vec<PortalProjectRow>,
    pub next: Option<i64>,
}

/// A tranche's key figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalTranche {
    pub name: String,
    pub instrument: Option<Instrument>,
    pub size: String,
    pub pricing: Option<String>,
    pub tenor_months: Option<i64>,
}

/// A project page of the portal: what it is, its key figures, and the investor's own
/// participations in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalProjectDetail {
    pub project: PortalProjectRow,
    pub description: Option<String>,
    pub risk_rating: Option<RiskRating>,
    pub expected_return: Option<String>,
    pub tenor_months: Option<i64>,
    pub tranches: Vec<PortalTranche>,
    pub mine: Vec<CommitmentView>,
    pub feed: Feed,
}

/// A completed project the firm shows as its track record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackRecordItem {
    pub id: i64,
    pub name: String,
    pub sector: Option<Sector>,
    pub country: String,
    pub size: String,
    pub raised: String,
    pub investors: i64,
    pub tenor_months: Option<i64>,
    pub expected_return: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackRecordPage {
    pub items: Vec<TrackRecordItem>,
    pub next: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn investors_see_their_deals_from_interest_on() {
        let seen: Vec<&str> = DealStage::ALL
            .iter()
            .filter(|s| visible_to_investor(**s))
            .map(|s| s.as_str())
            .collect();
        assert_eq!(
            seen,
            [
                "interested",
                "due_diligence",
                "term_sheet",
                "committed",
                "closed"
            ]
        );
    }
}
