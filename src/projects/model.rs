//! Shared types and pure rules of financing projects and their tranches.
use crate::clients::model::{Instrument, RiskAppetite, Sector};
use crate::code_enum;
use crate::core::error::FieldError;
use crate::core::form::{code, months, optional};
use crate::core::money;
use serde::{Deserialize, Serialize};

code_enum!(ProjectStage, "project_stage", {
    Origination => "origination", Structuring => "structuring", Marketing => "marketing",
    FinancialClose => "financial_close", Construction => "construction", Operation => "operation",
    Completed => "completed",
});

code_enum!(RiskRating, "risk_rating", {
    Low => "low", MediumLow => "medium_low", Medium => "medium", MediumHigh => "medium_high", High => "high",
});

code_enum!(
    /// Environmental and social category (Equator Principles A/B/C).
    EsgCategory, "esg_category", { A => "a", B => "b", C => "c" });

/// Parses a percentage such as "8.5" or "8.25%" into basis points (850, 825).
pub fn parse_percent_bps(input: &str) -> Result<i64, &'static str> {
    let text = input.trim().trim_end_matches('%').trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole)
        || (!fraction.is_empty() && !digits(fraction))
        || fraction.len() > 2
        || whole.len() > 3
    {
        return Err("form.percent_invalid");
    }
    let whole: i64 = whole.parse().map_err(|_| "form.percent_invalid")?;
    let fraction: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| "form.percent_invalid")?;
    Ok(whole * 100 + fraction)
}

/// "8.5%" from 850 basis points.
pub fn format_bps(bps: i64) -> String {
    let text = format!("{}.{:02}", bps / 100, bps % 100);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// The project form as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectForm {
    pub form_key: String,
    pub version: String,
    pub sponsor_id: String,
    pub name: String,
    pub latin_name: String,
    pub sector: String,
    pub country: String,
    pub total_size: String,
    pub currency: String,
    pub stage: String,
    pub risk_rating: String,
    pub expected_return: String,
    pub tenor_months: String,
    pub esg_category: String,
    pub showcase: bool,
    pub description: String,
}

impl ProjectForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ProjectForm {
        let mut f = ProjectForm::default();
        for (name, value) in pairs {
            let v = value.to_string();
            match name {
                "form_key" => f.form_key = v,
                "version" => f.version = v,
                "sponsor_id" => f.sponsor_id = v,
                "name" => f.name = v,
                "latin_name" => f.latin_name = v,
                "sector" => f.sector = v,
                "country" => f.country = v,
                "total_size" => f.total_size = v,
                "currency" => f.currency = v,
                "stage" => f.stage = v,
                "risk_rating" => f.risk_rating = v,
                "expected_return" => f.expected_return = v,
                "tenor_months" => f.tenor_months = v,
                "esg_category" => f.esg_category = v,
                "showcase" => f.showcase = true,
                "description" => f.description = v,
                _ => {}
            }
        }
        f
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidProject {
    pub sponsor_id: i64,
    pub name: String,
    pub latin_name: Option<String>,
    pub sector: Sector,
    pub country: String,
    pub total_size: i64,
    pub currency: String,
    pub stage: ProjectStage,
    pub risk_rating: RiskRating,
    pub expected_return_bps: Option<i64>,
    pub tenor_months: Option<i64>,
    pub esg_category: EsgCategory,
    pub showcase: bool,
    pub description: Option<String>,
}

fn amount_in(
    value: &str,
    currency: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> (Option<i64>, Option<String>) {
    let amount = match money::parse_amount(value) {
        Ok(v) if v > 0 => Some(v),
        Ok(_) => {
            errors.push(FieldError::new(field, "form.amount_invalid"));
            None
        }
        Err(key) => {
            errors.push(FieldError::new(field, key));
            None
        }
    };
    let code = currency.trim().to_uppercase();
    let currency = if money::is_currency(&code) {
        Some(code)
    } else {
        errors.push(FieldError::new("currency", "form.currency_invalid"));
        None
    };
    (amount, currency)
}

pub fn validate_project(form: &ProjectForm) -> Result<ValidProject, Vec<FieldError>> {
    let mut errors = Vec::new();
    let sponsor_id = form.sponsor_id.trim().parse::<i64>().ok();
    if sponsor_id.is_none() {
        errors.push(FieldError::new("sponsor_id", "project.sponsor_required"));
    }
    let name = form.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new("name", "form.name_required"));
    }
    let sector = code(&form.sector, Sector::parse, "sector", &mut errors);
    let country = form.country.trim().to_uppercase();
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
        errors.push(FieldError::new("country", "client.country_invalid"));
    }
    let (total_size, currency) =
        amount_in(&form.total_size, &form.currency, "total_size", &mut errors);
    let stage = code(&form.stage, ProjectStage::parse, "stage", &mut errors);
    let risk_rating = code(
        &form.risk_rating,
        RiskRating::parse,
        "risk_rating",
        &mut errors,
    );
    let expected_return_bps = match form.expected_return.trim() {
        "" => None,
        text => match parse_percent_bps(text) {
            Ok(bps) => Some(bps),
            Err(key) => {
                errors.push(FieldError::new("expected_return", key));
                None
            }
        },
    };
    let tenor_months = months(&form.tenor_months, "tenor_months", &mut errors);
    let esg_category = code(
        &form.esg_category,
        EsgCategory::parse,
        "esg_category",
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    match (
        sponsor_id,
        sector,
        total_size,
        currency,
        stage,
        risk_rating,
        esg_category,
    ) {
        (
            Some(sponsor_id),
            Some(sector),
            Some(total_size),
            Some(currency),
            Some(stage),
            Some(risk_rating),
            Some(esg_category),
        ) => Ok(ValidProject {
            sponsor_id,
            name,
            latin_name: optional(&form.latin_name),
            sector,
            country,
            total_size,
            currency,
            stage,
            risk_rating,
            expected_return_bps,
            tenor_months,
            esg_category,
            showcase: form.showcase,
            description: optional(&form.description),
        }),
        _ => Err(errors),
    }
}

/// The tranche form as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrancheForm {
    pub form_key: String,
    pub tranche_name: String,
    pub instrument: String,
    pub size: String,
    pub currency: String,
    pub pricing: String,
    pub tenor_months: String,
    pub risk_band: String,
}

impl TrancheForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> TrancheForm {
        let mut f = TrancheForm::default();
        for (name, value) in pairs {
            let v = value.to_string();
            match name {
                "form_key" => f.form_key = v,
                "tranche_name" => f.tranche_name = v,
                "instrument" => f.instrument = v,
                "size" => f.size = v,
                "currency" => f.currency = v,
                "pricing" => f.pricing = v,
                "tenor_months" => f.tenor_months = v,
                "risk_band" => f.risk_band = v,
                _ => {}
            }
        }
        f
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidTranche {
    pub name: String,
    pub instrument: Instrument,
    pub size: i64,
    pub currency: String,
    pub pricing_bps: Option<i64>,
    pub tenor_months: Option<i64>,
    pub risk_band: RiskAppetite,
}

pub fn validate_tranche(form: &TrancheForm) -> Result<ValidTranche, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = form.tranche_name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new("tranche_name", "form.name_required"));
    }
    let instrument = code(
        &form.instrument,
        Instrument::parse,
        "instrument",
        &mut errors,
    );
    let (size, currency) = amount_in(&form.size, &form.currency, "size", &mut errors);
    let pricing_bps = match form.pricing.trim() {
        "" => None,
        text => match parse_percent_bps(text) {
            Ok(bps) => Some(bps),
            Err(key) => {
                errors.push(FieldError::new("pricing", key));
                None
            }
        },
    };
    let tenor_months = months(&form.tenor_months, "tenor_months", &mut errors);
    let risk_band = code(
        &form.risk_band,
        RiskAppetite::parse,
        "risk_band",
        &mut errors,
    );
    match (instrument, size, currency, risk_band) {
        (Some(instrument), Some(size), Some(currency), Some(risk_band)) if errors.is_empty() => {
            Ok(ValidTranche {
                name,
                instrument,
                size,
                currency,
                pricing_bps,
                tenor_months,
                risk_band,
            })
        }
        _ => Err(errors),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectRow {
    pub id: i64,
    pub name: String,
    pub sponsor_name: String,
    pub sector: Option<Sector>,
    pub country: String,
    pub size: String,
    pub stage: Option<ProjectStage>,
    pub showcase: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectPage {
    pub rows: Vec<ProjectRow>,
    pub next: Option<String>,
    /// How many projects match the filters, across all pages.
    pub total: i64,
}

/// The filters of the project list, as query parameters (the URL is the state).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectFilter {
    /// Text the display or Latin name contains.
    pub q: String,
    pub sector: Option<Sector>,
    pub stage: Option<ProjectStage>,
    pub country: String,
    pub sponsor: Option<i64>,
    pub showcase: bool,
    pub after: Option<String>,
}

impl ProjectFilter {
    /// Reads the filters; unknown values are ignored, not errors.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> ProjectFilter {
        let value = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        ProjectFilter {
            q: value("q")
                .unwrap_or_default()
                .trim()
                .chars()
                .take(100)
                .collect(),
            sector: value("sector").and_then(|v| Sector::parse(&v)),
            stage: value("stage").and_then(|v| ProjectStage::parse(&v)),
            country: value("country")
                .map(|c| c.trim().to_uppercase())
                .filter(|c| c.len() == 2)
                .unwrap_or_default(),
            sponsor: value("sponsor").and_then(|v| v.trim().parse().ok()),
            showcase: value("showcase").is_some_and(|v| v == "1"),
            after: value("after"),
        }
    }

    /// The query string (with `?`) of these filters and the page cursor `after`.
    pub fn to_query(&self, after: Option<&str>) -> String {
        crate::core::url::query(&[
            ("q", self.q.clone()),
            (
                "sector",
                self.sector
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            ),
            (
                "stage",
                self.stage
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            ),
            ("country", self.country.clone()),
            (
                "sponsor",
                self.sponsor.map(|s| s.to_string()).unwrap_or_default(),
            ),
            (
                "showcase",
                if self.showcase {
                    "1".into()
                } else {
                    String::new()
                },
            ),
            ("after", after.unwrap_or_default().to_string()),
        ])
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrancheView {
    pub id: i64,
    /// Committed and probability-weighted open amounts in the tranche's currency, and
    /// their shares of its size (whole percent, capped at 100 for the bar).
    pub committed: String,
    pub weighted: String,
    pub committed_pct: i64,
    pub weighted_pct: i64,
    pub name: String,
    pub instrument: Option<Instrument>,
    pub size: String,
    pub pricing: Option<String>,
    pub tenor_months: Option<i64>,
    pub risk_band: Option<RiskAppetite>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectDetail {
    pub id: i64,
    pub name: String,
    pub latin_name: Option<String>,
    pub sponsor_id: i64,
    pub sponsor_name: String,
    pub owner_name: String,
    pub sector: Option<Sector>,
    pub country: String,
    pub size: String,
    pub stage: Option<ProjectStage>,
    pub risk_rating: Option<RiskRating>,
    pub expected_return: Option<String>,
    pub tenor_months: Option<i64>,
    pub esg_category: Option<EsgCategory>,
    pub showcase: bool,
    pub description: Option<String>,
    pub tranches: Vec<TrancheView>,
    pub can_edit: bool,
    pub form: ProjectForm,
    pub tranche_form_key: String,
}

/// A posted project or tranche form shown again with its messages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubmittedProject {
    pub form: ProjectForm,
    pub errors: Vec<FieldError>,
    pub conflict: bool,
    pub error_key: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubmittedTranche {
    pub form: TrancheForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

/// The sponsor a new project is for, and a fresh form key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewProjectContext {
    pub sponsor_id: i64,
    pub sponsor_name: String,
    pub form_key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_filter_round_trips_through_the_url() {
        let filter = ProjectFilter {
            q: "风电".into(),
            sector: Some(Sector::Renewables),
            stage: Some(ProjectStage::Marketing),
            country: "CN".into(),
            sponsor: Some(7),
            showcase: true,
            after: None,
        };
        let query = filter.to_query(None);
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
                .into_owned()
                .collect();
        let back = ProjectFilter::from_query(|k| {
            pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        });
        assert_eq!(back, filter);
        let junk = ProjectFilter::from_query(|k| (k == "country").then(|| "China".to_string()));
        assert_eq!(junk, ProjectFilter::default());
    }

    #[test]
    fn percentages_become_basis_points() {
        assert_eq!(parse_percent_bps("8.5"), Ok(850));
        assert_eq!(parse_percent_bps("8.25%"), Ok(825));
        assert_eq!(parse_percent_bps("12"), Ok(1200));
        assert_eq!(parse_percent_bps("8.125"), Err("form.percent_invalid"));
        assert_eq!(parse_percent_bps("abc"), Err("form.percent_invalid"));
        assert_eq!(format_bps(850), "8.5%");
        assert_eq!(format_bps(825), "8.25%");
        assert_eq!(format_bps(1200), "12%");
    }

    fn project_form() -> ProjectForm {
        ProjectForm {
            sponsor_id: "7".into(),
            name: "滨海海上风电一期".into(),
            sector: "renewables".into(),
            country: "cn".into(),
            total_size: "45亿".into(),
            currency: "CNY".into(),
            stage: "structuring".into(),
            risk_rating: "medium".into(),
            expected_return: "7.2".into(),
            tenor_months: "180".into(),
            esg_category: "b".into(),
            ..ProjectForm::default()
        }
    }

    #[test]
    fn a_complete_project_is_valid() {
        let p = validate_project(&project_form()).expect("valid");
        assert_eq!(p.total_size, 450_000_000_000);
        assert_eq!(p.expected_return_bps, Some(720));
        assert_eq!(p.country, "CN");
    }

    #[test]
    fn project_and_tranche_errors_name_their_fields() {
        let bad = ProjectForm {
            total_size: "0".into(),
            expected_return: "lots".into(),
            sponsor_id: String::new(),
            ..project_form()
        };
        let fields: Vec<String> = validate_project(&bad)
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert!(
            fields.contains(&"total_size".to_string())
                && fields.contains(&"expected_return".to_string())
                && fields.contains(&"sponsor_id".to_string())
        );
        let tranche = TrancheForm {
            tranche_name: "A".into(),
            instrument: "senior_debt".into(),
            size: "30亿".into(),
            currency: "CNY".into(),
            pricing: "4.35".into(),
            risk_band: "conservative".into(),
            ..TrancheForm::default()
        };
        assert_eq!(
            validate_tranche(&tranche).expect("valid").pricing_bps,
            Some(435)
        );
        let broken = TrancheForm {
            instrument: "loan".into(),
            ..tranche
        };
        assert!(validate_tranche(&broken).is_err());
    }
}
