//! Shared types and pure rules of deals: an investor client's participation in a project
//! (optionally one tranche), moving through the stages of DESIGN §5.
use crate::code_enum;
use crate::core::error::FieldError;
use crate::core::form::{code, optional};
use crate::core::money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum!(DealStage, "deal_stage", {
    Prospect => "prospect", Contacted => "contacted", Interested => "interested",
    DueDiligence => "due_diligence", TermSheet => "term_sheet", Committed => "committed",
    Closed => "closed", Declined => "declined",
});

impl DealStage {
    /// The probability a new deal in this stage starts with, in percent.
    pub fn default_probability(self) -> i64 {
        match self {
            DealStage::Prospect => 10,
            DealStage::Contacted => 20,
            DealStage::Interested => 35,
            DealStage::DueDiligence => 50,
            DealStage::TermSheet => 70,
            DealStage::Committed => 90,
            DealStage::Closed => 100,
            DealStage::Declined => 0,
        }
    }

    /// A committed or closed deal is money promised: it must say how much.
    pub fn needs_committed_amount(self) -> bool {
        matches!(self, DealStage::Committed | DealStage::Closed)
    }

    /// Closed and declined deals no longer move through the pipeline.
    pub fn is_open(self) -> bool {
        !matches!(self, DealStage::Closed | DealStage::Declined)
    }
}

/// The deal form as typed (create and edit).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DealForm {
    pub form_key: String,
    pub version: String,
    pub client_id: String,
    pub project_id: String,
    pub tranche_id: String,
    pub owner_id: String,
    pub stage: String,
    pub currency: String,
    pub indicated_amount: String,
    pub committed_amount: String,
    pub probability: String,
    pub expected_close: String,
    pub terms: String,
    /// Why the stage changed (kept with the move).
    pub reason: String,
}

impl DealForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> DealForm {
        let mut f = DealForm::default();
        for (name, value) in pairs {
            let v = value.to_string();
            match name {
                "form_key" => f.form_key = v,
                "version" => f.version = v,
                "client_id" => f.client_id = v,
                "project_id" => f.project_id = v,
                "tranche_id" => f.tranche_id = v,
                "owner_id" => f.owner_id = v,
                "stage" => f.stage = v,
                "currency" => f.currency = v,
                "indicated_amount" => f.indicated_amount = v,
                "committed_amount" => f.committed_amount = v,
                "probability" => f.probability = v,
                "expected_close" => f.expected_close = v,
                "terms" => f.terms = v,
                "reason" => f.reason = v,
                _ => {}
            }
        }
        f
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidDeal {
    pub client_id: i64,
    pub project_id: i64,
    pub tranche_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub stage: DealStage,
    pub currency: String,
    pub indicated_amount: Option<i64>,
    pub committed_amount: Option<i64>,
    pub probability: i64,
    pub expected_close: Option<NaiveDate>,
    pub terms: Option<String>,
    pub reason: Option<String>,
}

/// An optional positive amount typed in major units ("5000万").
fn optional_amount(value: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    if value.trim().is_empty() {
        return None;
    }
    match money::parse_amount(value) {
        Ok(v) if v > 0 => Some(v),
        Ok(_) => {
            errors.push(FieldError::new(field, "form.amount_invalid"));
            None
        }
        Err(key) => {
            errors.push(FieldError::new(field, key));
            None
        }
    }
}

fn required_id(value: &str, field: &str, key: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let id = value.trim().parse::<i64>().ok().filter(|id| *id > 0);
    if id.is_none() {
        errors.push(FieldError::new(field, key));
    }
    id
}

/// Checks a typed deal; every problem is reported at its field.
pub fn validate_deal(form: &DealForm) -> Result<ValidDeal, Vec<FieldError>> {
    let mut errors = Vec::new();
    let client_id = required_id(
        &form.client_id,
        "client_id",
        "deal.investor_required",
        &mut errors,
    );
    let project_id = required_id(
        &form.project_id,
        "project_id",
        "deal.project_required",
        &mut errors,
    );
    let tranche_id = form.tranche_id.trim().parse::<i64>().ok();
    let owner_id = form.owner_id.trim().parse::<i64>().ok();
    let stage = code(&form.stage, DealStage::parse, "stage", &mut errors);
    let currency = form.currency.trim().to_uppercase();
    if !money::is_currency(&currency) {
        errors.push(FieldError::new("currency", "form.currency_invalid"));
    }
    let indicated_amount = optional_amount(&form.indicated_amount, "indicated_amount", &mut errors);
    let committed_amount = optional_amount(&form.committed_amount, "committed_amount", &mut errors);
    if stage.is_some_and(DealStage::needs_committed_amount) && committed_amount.is_none() {
        errors.push(FieldError::new(
            "committed_amount",
            "deal.committed_required",
        ));
    }
    let probability = match form.probability.trim() {
        "" => stage.map(DealStage::default_probability),
        text => match text.trim_end_matches('%').trim().parse::<i64>() {
            Ok(p) if (0..=100).contains(&p) => Some(p),
            _ => {
                errors.push(FieldError::new("probability", "deal.probability_invalid"));
                None
            }
        },
    };
    let expected_close = match form.expected_close.trim() {
        "" => None,
        text => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new("expected_close", "form.date_invalid"));
                None
            }
        },
    };
    let terms = optional(&form.terms);
    if terms.as_ref().is_some_and(|t| t.chars().count() > 4000) {
        errors.push(FieldError::new("terms", "form.too_long"));
    }
    match (client_id, project_id, stage, probability) {
        (Some(client_id), Some(project_id), Some(stage), Some(probability))
            if errors.is_empty() =>
        {
            Ok(ValidDeal {
                client_id,
                project_id,
                tranche_id,
                owner_id,
                stage,
                currency,
                indicated_amount,
                committed_amount,
                probability,
                expected_close,
                terms,
                reason: optional(&form.reason),
            })
        }
        _ => Err(errors),
    }
}

/// The filters of the deal list, as query parameters (the URL is the state).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DealFilter {
    pub stage: Option<DealStage>,
    pub owner: Option<i64>,
    pub client: Option<i64>,
    pub project: Option<i64>,
    pub currency: Option<String>,
    /// Only deals still moving through the pipeline (not closed or declined).
    pub open: bool,
    pub after: Option<String>,
}

impl DealFilter {
    /// Whether the filter names nothing but (perhaps) an owner and a currency: the deal
    /// board's figures then come from totals kept per (stage, owner, currency).
    pub fn only_owner_and_currency(&self) -> bool {
        let DealFilter {
            stage,
            owner: _,
            client,
            project,
            currency: _,
            open,
            after: _,
        } = self;
        stage.is_none() && client.is_none() && project.is_none() && !open
    }

    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> DealFilter {
        let id = |name: &str| get(name).and_then(|v| v.trim().parse::<i64>().ok());
        DealFilter {
            stage: get("stage").and_then(|s| DealStage::parse(&s)),
            owner: id("owner"),
            client: id("client"),
            project: id("project"),
            currency: get("currency")
                .map(|c| c.trim().to_uppercase())
                .filter(|c| money::is_currency(c)),
            open: get("open").is_some_and(|v| v == "1"),
            after: get("after").filter(|a| !a.is_empty()),
        }
    }

    /// The query string of this filter, with `after` as the page cursor.
    pub fn to_query(&self, after: Option<&str>) -> String {
        let mut parts: Vec<(String, String)> = Vec::new();
        if let Some(s) = self.stage {
            parts.push(("stage".into(), s.as_str().into()));
        }
        for (name, value) in [
            ("owner", self.owner),
            ("client", self.client),
            ("project", self.project),
        ] {
            if let Some(v) = value {
                parts.push((name.into(), v.to_string()));
            }
        }
        if let Some(c) = &self.currency {
            parts.push(("currency".into(), c.clone()));
        }
        if self.open {
            parts.push(("open".into(), "1".into()));
        }
        if let Some(a) = after {
            parts.push(("after".into(), a.to_string()));
        }
        parts
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::core::url::encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// A deal as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DealRow {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub project_id: i64,
    pub project_name: String,
    pub tranche_name: Option<String>,
    pub stage: Option<DealStage>,
    pub amount: String,
    pub probability: i64,
    pub expected_close: Option<String>,
    pub owner_name: String,
}

/// Sums of the deals of a list: per currency, and converted to the reporting currency at
/// the newest rates on or before the shown date (DESIGN §3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DealTotals {
    pub count: i64,
    pub per_currency: Vec<CurrencyTotal>,
    /// Converted sum of indicated, committed and probability-weighted amounts; `None` when a
    /// currency has no rate.
    pub converted: Option<ConvertedTotal>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurrencyTotal {
    pub currency: String,
    pub count: i64,
    pub indicated: String,
    pub committed: String,
    pub weighted: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConvertedTotal {
    pub currency: String,
    pub indicated: String,
    pub committed: String,
    pub weighted: String,
    /// The oldest rate date used, so the label never overstates how fresh the rates are.
    pub rates_as_of: String,
}

/// The amount a deal counts with on lists and boards: committed once there is a
/// commitment, else the indication.
pub fn counted_amount(indicated: Option<i64>, committed: Option<i64>) -> i64 {
    committed.or(indicated).unwrap_or(0)
}

/// `amount × probability%`, rounded down to whole minor units.
pub fn weighted(amount: i64, probability: i64) -> i64 {
    ((amount as i128 * probability as i128) / 100) as i64
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DealPage {
    pub rows: Vec<DealRow>,
    pub next: Option<String>,
    pub totals: DealTotals,
    pub filter: DealFilter,
    pub owners: Vec<(i64, String)>,
    /// Names of the client and project the list is narrowed to, for the heading.
    pub client_name: Option<String>,
    pub project_name: Option<String>,
}

/// A stage move as the deal page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoveView {
    pub at: String,
    pub from: Option<DealStage>,
    pub to: Option<DealStage>,
    pub by: Option<String>,
    pub reason: Option<String>,
}

/// A stage move of a client or a deal, with the stage names as translation keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageMoveView {
    pub at: String,
    pub from_key: Option<String>,
    pub to_key: String,
    pub by: Option<String>,
    pub reason: Option<String>,
}

/// Everything the deal page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DealDetail {
    pub id: i64,
    pub client_id: i64,
    pub client_name: String,
    pub project_id: i64,
    pub project_name: String,
    pub tranche_name: Option<String>,
    pub owner_name: String,
    pub stage: Option<DealStage>,
    pub indicated: Option<String>,
    pub committed: Option<String>,
    pub probability: i64,
    pub expected_close: Option<String>,
    pub terms: Option<String>,
    pub moves: Vec<MoveView>,
    pub history: Vec<crate::clients::model::HistoryView>,
    pub can_edit: bool,
    pub form: DealForm,
    /// Tranches of the project to choose from, and owners (for those who may choose).
    pub tranches: Vec<(i64, String)>,
    pub owners: Vec<(i64, String)>,
}

/// What the new-deal page needs: the chosen investor and project (each may still be
/// missing, then the page offers a search for it), tranches, owners and a fresh key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewDealContext {
    pub client: Option<(i64, String)>,
    pub project: Option<(i64, String)>,
    pub tranches: Vec<(i64, String)>,
    pub owners: Vec<(i64, String)>,
    pub my_id: i64,
    /// Candidates for the missing side, found by the search text.
    pub candidates: Vec<(i64, String)>,
    pub form_key: String,
    pub currency: String,
}

/// A posted deal form shown again with its messages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubmittedDeal {
    pub form: DealForm,
    pub errors: Vec<FieldError>,
    pub conflict: bool,
    pub error_key: Option<String>,
}

/// Deals as the client and project pages show them (a few, with a link to the full list).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DealSummary {
    pub rows: Vec<DealRow>,
    pub total: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> DealForm {
        DealForm {
            client_id: "3".into(),
            project_id: "9".into(),
            tranche_id: "".into(),
            stage: "interested".into(),
            currency: "cny".into(),
            indicated_amount: "5000万".into(),
            ..DealForm::default()
        }
    }

    #[test]
    fn a_deal_takes_its_stage_probability_unless_typed() {
        let deal = validate_deal(&form()).expect("valid");
        assert_eq!(deal.probability, 35);
        assert_eq!(deal.currency, "CNY");
        assert_eq!(deal.indicated_amount, Some(5_000_000_000));
        let typed = DealForm {
            probability: "60%".into(),
            ..form()
        };
        assert_eq!(validate_deal(&typed).expect("valid").probability, 60);
    }

    #[test]
    fn a_commitment_needs_an_amount_and_sane_probability() {
        let committed = DealForm {
            stage: "committed".into(),
            probability: "140".into(),
            ..form()
        };
        let fields: Vec<String> = validate_deal(&committed)
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["committed_amount", "probability"]);
        let ok = DealForm {
            stage: "committed".into(),
            committed_amount: "3000万".into(),
            expected_close: "2027-03-31".into(),
            ..form()
        };
        let deal = validate_deal(&ok).expect("valid");
        assert_eq!(deal.probability, 90);
        assert_eq!(
            deal.expected_close.map(|d| d.to_string()),
            Some("2027-03-31".into())
        );
    }

    #[test]
    fn missing_sides_and_bad_dates_are_named() {
        let bad = DealForm {
            client_id: "".into(),
            project_id: "x".into(),
            expected_close: "31/03/2027".into(),
            ..form()
        };
        let fields: Vec<String> = validate_deal(&bad)
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["client_id", "project_id", "expected_close"]);
    }

    #[test]
    fn weighted_amounts_and_counted_amounts() {
        assert_eq!(counted_amount(Some(100), Some(80)), 80);
        assert_eq!(counted_amount(Some(100), None), 100);
        assert_eq!(counted_amount(None, None), 0);
        assert_eq!(weighted(1_000_000, 35), 350_000);
        assert_eq!(weighted(i64::MAX, 100), i64::MAX);
    }

    #[test]
    fn the_filter_round_trips_through_the_url() {
        let filter = DealFilter {
            stage: Some(DealStage::TermSheet),
            owner: Some(4),
            project: Some(12),
            currency: Some("USD".into()),
            open: true,
            ..DealFilter::default()
        };
        let query = filter.to_query(None);
        let pairs: Vec<(String, String)> = url_pairs(&query);
        let back =
            DealFilter::from_query(|k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()));
        assert_eq!(back, filter);
        let junk = DealFilter::from_query(|k| (k == "stage").then(|| "won".to_string()));
        assert_eq!(junk, DealFilter::default());
    }

    fn url_pairs(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}
