//! Shared types of the deal board.
use crate::pipeline::lifecycle::model::ColumnFigures;
use crate::pipeline::model::{DealFilter, DealRow, DealStage};
use serde::{Deserialize, Serialize};

/// The board's query: the deal list's filters ("my deals" for a manager unless the URL
/// names an owner or `all`), and optionally one column paged on its own.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PipelineQuery {
    pub filter: DealFilter,
    pub owner_chosen: bool,
    pub column: Option<DealStage>,
    pub after: Option<String>,
}

impl PipelineQuery {
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> PipelineQuery {
        let mut filter = DealFilter::from_query(&get);
        filter.stage = None;
        filter.open = false;
        filter.after = None;
        PipelineQuery {
            filter,
            owner_chosen: get("owner").is_some(),
            column: get("column").and_then(|c| DealStage::parse(&c)),
            after: get("after").filter(|a| !a.is_empty()),
        }
    }

    /// The query string (with `?`), with a column and its cursor if given.
    pub fn to_query(&self, column: Option<DealStage>, after: Option<&str>) -> String {
        let f = &self.filter;
        let owner = match f.owner {
            Some(id) => id.to_string(),
            None if self.owner_chosen => "all".to_string(),
            None => String::new(),
        };
        let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        crate::core::url::query(&[
            ("owner", owner),
            ("client", id(f.client)),
            ("project", id(f.project)),
            ("currency", f.currency.clone().unwrap_or_default()),
            (
                "column",
                column.map(|c| c.as_str().to_string()).unwrap_or_default(),
            ),
            ("after", after.unwrap_or_default().to_string()),
        ])
    }
}

/// A deal as a card: the list row plus what moving it needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DealCard {
    pub row: DealRow,
    pub version: i64,
    pub can_move: bool,
}

/// One column: count, sum and probability-weighted sum of all its deals (per currency),
/// and a page of cards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DealColumn {
    pub stage: DealStage,
    pub figures: ColumnFigures,
    pub cards: Vec<DealCard>,
    pub next: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineBoard {
    pub columns: Vec<DealColumn>,
    pub query: PipelineQuery,
    pub owners: Vec<(i64, String)>,
    pub request_ids: Vec<String>,
}
