//! Shared types and pure rules of what staff publish to a project's investors: progress
//! updates, market analyses and disclosures, each published as versions of one series.
use crate::code_enum;
use crate::core::error::FieldError;
use crate::core::form::code;
use serde::{Deserialize, Serialize};

code_enum!(UpdateKind, "update_kind", {
    Progress => "progress", Financial => "financial", RiskAssessment => "risk_assessment",
    MarketAnalysis => "market_analysis", CovenantReport => "covenant_report",
    JointRiskPlan => "joint_risk_plan",
});

impl UpdateKind {
    /// Disclosures (financial reports, risk assessments, covenant reports, joint risk
    /// plans) ask each investor to acknowledge every version; progress updates and market
    /// analyses are information only.
    pub fn asks_acknowledgement(self) -> bool {
        !matches!(self, UpdateKind::Progress | UpdateKind::MarketAnalysis)
    }
}

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_BODY_CHARS: usize = 20_000;

/// The update form as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateForm {
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The idempotency key minted with a new-update form (empty on an edit).
    pub form_key: String,
}

impl UpdateForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> UpdateForm {
        let mut form = UpdateForm::default();
        for (name, value) in pairs {
            match name {
                "kind" => form.kind = value.to_string(),
                "title" => form.title = value.to_string(),
                "body" => form.body = value.to_string(),
                "form_key" => form.form_key = value.to_string(),
                _ => {}
            }
        }
        form
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidUpdate {
    pub kind: UpdateKind,
    pub title: String,
    pub body: String,
}

fn text(
    value: &str,
    field: &str,
    max: usize,
    too_long: &str,
    errors: &mut Vec<FieldError>,
) -> String {
    let t = value.trim();
    if t.is_empty() {
        errors.push(FieldError::new(field, "form.required"));
    } else if t.chars().count() > max {
        errors.push(FieldError::new(field, too_long));
    }
    t.to_string()
}

pub fn validate_update(form: &UpdateForm) -> Result<ValidUpdate, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = code(&form.kind, UpdateKind::parse, "kind", &mut errors);
    let title = text(
        &form.title,
        "title",
        MAX_TITLE_CHARS,
        "updates.title_too_long",
        &mut errors,
    );
    let body = text(
        &form.body,
        "body",
        MAX_BODY_CHARS,
        "updates.body_too_long",
        &mut errors,
    );
    match kind {
        Some(kind) if errors.is_empty() => Ok(ValidUpdate { kind, title, body }),
        _ => Err(errors),
    }
}

/// What a published version's content hash is taken over: its kind, title and body, so an
/// acknowledgement names exactly the text the investor read.
pub fn hashed_content(kind: UpdateKind, title: &str, body: &str) -> String {
    format!("{}\n{title}\n{body}", kind.as_str())
}

/// An update (its newest version) as a project page lists it for staff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateRow {
    pub id: i64,
    pub kind: Option<UpdateKind>,
    pub title: String,
    pub series_version: i64,
    pub published: bool,
    /// Formatted in the viewer's time zone.
    pub published_at: Option<String>,
    /// For disclosures: how many of the project's portal users acknowledged this version.
    pub acknowledged: Option<(i64, i64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdatePage {
    pub items: Vec<UpdateRow>,
    pub next: Option<i64>,
    pub can_publish: bool,
}

/// One version of an update, as the version list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionLink {
    pub id: i64,
    pub series_version: i64,
    pub published_at: Option<String>,
}

/// A portal user who has not acknowledged a disclosure version yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingReader {
    pub name: String,
    pub email: String,
}

/// The staff page of one update version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateDetail {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub kind: Option<UpdateKind>,
    pub title: String,
    pub body: String,
    pub series_version: i64,
    pub published: bool,
    pub published_at: Option<String>,
    pub published_by: Option<String>,
    pub requires_ack: bool,
    pub content_hash: Option<String>,
    pub versions: Vec<VersionLink>,
    /// The portal users of the project's investors who have not acknowledged this version
    /// (the first 200), and how many did.
    pub pending: Vec<PendingReader>,
    pub acknowledged: i64,
    pub can_edit: bool,
    /// The row version, carried by the edit and publish forms.
    pub version: i64,
    pub form: UpdateForm,
}

/// What the new-update page needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateNewInfo {
    pub project_id: i64,
    pub project_name: String,
    pub form_key: String,
}

/// A posted update form shown again with its messages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubmittedUpdate {
    pub form: UpdateForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disclosures_ask_for_acknowledgement() {
        let asking: Vec<&str> = UpdateKind::ALL
            .iter()
            .filter(|k| k.asks_acknowledgement())
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            asking,
            [
                "financial",
                "risk_assessment",
                "covenant_report",
                "joint_risk_plan"
            ]
        );
    }

    #[test]
    fn an_update_needs_a_kind_a_title_and_a_body() {
        let empty = validate_update(&UpdateForm::default()).expect_err("empty");
        let fields: Vec<&str> = empty.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "title", "body"]);
        let long = UpdateForm {
            kind: "progress".into(),
            title: "长".repeat(MAX_TITLE_CHARS + 1),
            body: "正文".into(),
            ..UpdateForm::default()
        };
        let errors = validate_update(&long).expect_err("too long");
        assert_eq!(errors[0].key, "updates.title_too_long");
        let ok = UpdateForm {
            kind: "covenant_report".into(),
            title: "  2026 年三季度契约报告 ".into(),
            body: "偿债覆盖率 1.42 倍。".into(),
            ..UpdateForm::default()
        };
        let valid = validate_update(&ok).expect("valid");
        assert_eq!(valid.title, "2026 年三季度契约报告");
        assert_eq!(valid.kind, UpdateKind::CovenantReport);
    }
}
