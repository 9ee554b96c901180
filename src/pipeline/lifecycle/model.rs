//! Shared types of the lifecycle board: columns of client cards, their totals, and moves.
use crate::clients::model::{ClientFilter, LifecycleStage};
use serde::{Deserialize, Serialize};

/// The board's query: the client list's filters, "my clients" unless the URL says
/// otherwise, and optionally one column paged on its own.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BoardQuery {
    pub filter: ClientFilter,
    /// The URL named an owner (or "all"): do not default to the viewer's own clients.
    pub owner_chosen: bool,
    /// One column only, from `after` on ("load more" of that column).
    pub column: Option<LifecycleStage>,
    pub after: Option<String>,
}

impl BoardQuery {
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> BoardQuery {
        let mut filter = ClientFilter::from_query(&get);
        // The board pages each column itself; the list's stage, sort and cursor do not apply.
        filter.stage = None;
        filter.sort = None;
        filter.after = None;
        BoardQuery {
            filter,
            owner_chosen: get("owner").is_some(),
            column: get("column").and_then(|c| LifecycleStage::parse(&c)),
            after: get("after").filter(|a| !a.is_empty()),
        }
    }

    /// The query string (with `?`) of the filters, with a column and its cursor if given.
    pub fn to_query(&self, column: Option<LifecycleStage>, after: Option<&str>) -> String {
        let f = &self.filter;
        let owner = match f.owner {
            Some(id) => id.to_string(),
            None if self.owner_chosen => "all".to_string(),
            None => String::new(),
        };
        crate::core::url::query(&[
            ("q", f.q.clone()),
            (
                "kind",
                f.kind.map(|v| v.as_str().to_string()).unwrap_or_default(),
            ),
            ("owner", owner),
            (
                "department",
                f.department
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default(),
            ),
            ("country", f.country.clone()),
            (
                "sector",
                f.sector.map(|v| v.as_str().to_string()).unwrap_or_default(),
            ),
            (
                "risk",
                f.risk.map(|v| v.as_str().to_string()).unwrap_or_default(),
            ),
            (
                "band",
                f.band.map(|v| v.as_str().to_string()).unwrap_or_default(),
            ),
            (
                "column",
                column.map(|c| c.as_str().to_string()).unwrap_or_default(),
            ),
            ("after", after.unwrap_or_default().to_string()),
        ])
    }
}

/// A client as a card on the board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Card {
    pub id: i64,
    pub name: String,
    pub is_investor: bool,
    pub is_borrower: bool,
    pub owner_name: String,
    pub stage: LifecycleStage,
    pub version: i64,
    /// The card's lifecycle value (committed capital), formatted per currency.
    pub value: String,
    pub days_since_interaction: Option<i64>,
    /// The decline signal: its severity (1–3) when the client shows one.
    pub risk: Option<i64>,
    /// Whether the viewer may move this card.
    pub can_move: bool,
}

/// One column: the count and value of all its cards (not only the loaded ones), and a page
/// of cards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub stage: LifecycleStage,
    pub figures: ColumnFigures,
    pub cards: Vec<Card>,
    pub next: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Board {
    pub columns: Vec<Column>,
    pub query: BoardQuery,
    pub owners: Vec<(i64, String)>,
    /// A fresh request id for each no-JavaScript move form.
    pub request_ids: Vec<String>,
}

/// A move as the board (form or script) posts it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MoveRequest {
    pub id: i64,
    pub version: i64,
    pub to: String,
    pub reason: String,
    pub request_id: String,
}

impl MoveRequest {
    pub fn new(id: i64, version: i64, to: String, reason: String, request_id: String) -> Self {
        MoveRequest {
            id,
            version,
            to,
            reason,
            request_id,
        }
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> MoveRequest {
        let mut m = MoveRequest {
            version: -1,
            ..MoveRequest::default()
        };
        for (name, value) in pairs {
            match name {
                "id" => m.id = value.trim().parse().unwrap_or(0),
                "version" => m.version = value.trim().parse().unwrap_or(-1),
                "to" => m.to = value.to_string(),
                "reason" => m.reason = value.to_string(),
                "request_id" => m.request_id = value.to_string(),
                _ => {}
            }
        }
        m
    }
}

/// How a move ended. A conflict carries where the card really is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum MoveOutcome {
    Moved {
        stage: String,
        version: i64,
        warning: Option<String>,
    },
    Conflict {
        stage: String,
        version: i64,
    },
    NeedsReason(String),
    Refused(String),
}

/// What the board shows after a plain-form move that did not go through.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoveFeedback {
    pub client_id: i64,
    pub message_key: String,
}

/// A column's head as both boards show it: the count and sums over every card of the
/// column under the board's filters, as the text the page prints (a script move puts the
/// new figures in place without reloading the board).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnFigures {
    pub stage: String,
    pub count: i64,
    /// "45 个客户", "12 笔交易".
    pub count_text: String,
    /// The summed value line, empty when the column holds no value.
    pub total: String,
    /// The probability-weighted line (deal board only), empty otherwise.
    pub weighted: String,
}

/// The answer to a move made by the board's script: how it ended, a fresh request id for
/// the card's next move, and every column's figures after it (empty when the request did
/// not say which board it came from).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoardMoveAnswer {
    pub outcome: MoveOutcome,
    pub next_request_id: String,
    pub figures: Vec<ColumnFigures>,
}
