//! Shared types and pure rules of complaints: the codes of DESIGN §5, which status may
//! follow which, and the two forms (raising one, staff responding).
use crate::core::error::FieldError;
use crate::core::form::optional_code;
use serde::{Deserialize, Serialize};

pub const MAX_DESCRIPTION_CHARS: usize = 5_000;

crate::code_enum!(ComplaintSource, "complaint.source", {
    Portal => "portal", Survey => "survey", Phone => "phone", Email => "email",
    Meeting => "meeting", SurveyFollowUp => "survey_follow_up",
});

crate::code_enum!(ComplaintCategory, "complaint.category", {
    Service => "service", Information => "information", Reporting => "reporting",
    Payment => "payment", Documents => "documents", Other => "other",
});

crate::code_enum!(Severity, "complaint.severity", {
    Low => "low", Medium => "medium", High => "high", Critical => "critical",
});

crate::code_enum!(ComplaintStatus, "complaint.status", {
    New => "new", Acknowledged => "acknowledged", InProgress => "in_progress",
    Resolved => "resolved", Closed => "closed", Reopened => "reopened",
});

impl ComplaintStatus {
    /// Still waiting for the firm to finish.
    pub fn is_open(self) -> bool {
        !matches!(self, ComplaintStatus::Resolved | ComplaintStatus::Closed)
    }
}

/// Which status may follow which: forward through acknowledged and in progress to
/// resolved and closed; a resolved or closed complaint may be reopened, and work on it
/// starts again.
pub fn may_move(from: ComplaintStatus, to: ComplaintStatus) -> bool {
    use ComplaintStatus::*;
    matches!(
        (from, to),
        (New, Acknowledged | InProgress | Resolved)
            | (Acknowledged, InProgress | Resolved)
            | (InProgress, Resolved)
            | (Reopened, Acknowledged | InProgress | Resolved)
            | (Resolved, Closed | Reopened)
            | (Closed, Reopened)
    )
}

/// The status a first response to the client moves a new complaint to.
pub fn after_first_response(status: ComplaintStatus) -> ComplaintStatus {
    match status {
        ComplaintStatus::New | ComplaintStatus::Reopened => ComplaintStatus::Acknowledged,
        other => other,
    }
}

/// The investor's complaint form as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ComplaintForm {
    pub entity: String,
    pub project: String,
    pub category: String,
    pub description: String,
    pub form_key: String,
}

impl ComplaintForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ComplaintForm {
        let mut form = ComplaintForm::default();
        for (name, value) in pairs {
            let field = match name {
                "entity" => &mut form.entity,
                "project" => &mut form.project,
                "category" => &mut form.category,
                "description" => &mut form.description,
                "form_key" => &mut form.form_key,
                _ => continue,
            };
            *field = value.to_string();
        }
        form
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidComplaint {
    pub entity: Option<i64>,
    pub project: Option<i64>,
    pub category: ComplaintCategory,
    pub description: String,
}

fn optional_id(value: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match value.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.push(FieldError::new(field, "form.choose_one"));
                None
            }
        },
    }
}

/// A message of at most `MAX_DESCRIPTION_CHARS`, required.
fn message(value: &str, field: &str, errors: &mut Vec<FieldError>) -> String {
    let text = value.trim();
    if text.is_empty() {
        errors.push(FieldError::new(field, "form.required"));
    } else if text.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.push(FieldError::new(field, "form.too_long"));
    }
    text.to_string()
}

pub fn validate_complaint(form: &ComplaintForm) -> Result<ValidComplaint, Vec<FieldError>> {
    let mut errors = Vec::new();
    let entity = optional_id(&form.entity, "entity", &mut errors);
    let project = optional_id(&form.project, "project", &mut errors);
    let category = crate::core::form::code(
        &form.category,
        ComplaintCategory::parse,
        "category",
        &mut errors,
    );
    let description = message(&form.description, "description", &mut errors);
    match category {
        Some(category) if errors.is_empty() => Ok(ValidComplaint {
            entity,
            project,
            category,
            description,
        }),
        _ => Err(errors),
    }
}

/// What staff post on a complaint: a response the client sees or an internal note, and
/// optionally a new status and a new severity (triage).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseForm {
    pub body: String,
    /// `response` or `note`.
    pub kind: String,
    /// A new status, or empty to keep it.
    pub status: String,
    /// A new severity, or empty to keep it.
    #[serde(default)]
    pub severity: String,
    pub version: String,
}

impl ResponseForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ResponseForm {
        let mut form = ResponseForm::default();
        for (name, value) in pairs {
            let field = match name {
                "body" => &mut form.body,
                "kind" => &mut form.kind,
                "status" => &mut form.status,
                "severity" => &mut form.severity,
                "version" => &mut form.version,
                _ => continue,
            };
            *field = value.to_string();
        }
        form
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidResponse {
    /// The text, if any (a status change alone needs none).
    pub body: Option<String>,
    pub visible_to_client: bool,
    pub status: Option<ComplaintStatus>,
    pub severity: Option<Severity>,
    pub version: i64,
}

pub fn validate_response(form: &ResponseForm) -> Result<ValidResponse, Vec<FieldError>> {
    let mut errors = Vec::new();
    let body = match form.body.trim() {
        "" => None,
        _ => Some(message(&form.body, "body", &mut errors)),
    };
    let visible_to_client = form.kind != "note";
    let status = optional_code(&form.status, ComplaintStatus::parse, "status", &mut errors);
    let severity = optional_code(&form.severity, Severity::parse, "severity", &mut errors);
    if body.is_none() && status.is_none() && severity.is_none() && errors.is_empty() {
        errors.push(FieldError::new("body", "complaint.nothing_to_post"));
    }
    let version = form.version.trim().parse().unwrap_or(-1);
    if errors.is_empty() {
        Ok(ValidResponse {
            body,
            visible_to_client,
            status,
            severity,
            version,
        })
    } else {
        Err(errors)
    }
}

/// One complaint in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComplaintRow {
    pub id: i64,
    pub entity: Option<String>,
    pub project: Option<String>,
    pub source: Option<ComplaintSource>,
    pub category: Option<ComplaintCategory>,
    pub severity: Option<Severity>,
    pub status: Option<ComplaintStatus>,
    /// The start of the description.
    pub summary: String,
    pub assignee: Option<String>,
    pub created_at: String,
    /// Where it stands against its response-time targets (staff only see this).
    pub target: Option<super::targets::TargetState>,
    /// The next due time it still has to meet, in the viewer's time zone.
    pub next_due: Option<String>,
    /// A target was missed and escalated.
    pub escalated: bool,
}

/// The tabs of the staff queue; the first is the default.
pub const QUEUE_TABS: [&str; 4] = ["open", "breached", "soon", "all"];

/// The queue tab named in the address, or the default.
pub fn queue_tab(code: Option<&str>) -> &'static str {
    QUEUE_TABS
        .into_iter()
        .find(|t| Some(*t) == code)
        .unwrap_or(QUEUE_TABS[0])
}

/// A missed target that was escalated, as the complaint page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EscalationView {
    /// `first_response` or `resolution`.
    pub target: String,
    pub due_at: String,
    pub escalated_at: String,
    pub notified: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComplaintPage {
    pub items: Vec<ComplaintRow>,
    pub next: Option<i64>,
    /// In the portal: the complaints on this page with a response the investor has not
    /// opened yet.
    #[serde(default)]
    pub unseen: Vec<i64>,
}

/// One entry of the timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub kind: String,
    pub body: Option<String>,
    pub to_status: Option<ComplaintStatus>,
    /// Who wrote it: the member of staff, or the investor.
    pub by: String,
    pub by_staff: bool,
    pub visible_to_client: bool,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComplaintDetail {
    pub row: ComplaintRow,
    pub description: String,
    pub client_id: Option<i64>,
    pub events: Vec<EventView>,
    /// The statuses staff may move it to from here.
    pub next_statuses: Vec<ComplaintStatus>,
    pub can_respond: bool,
    pub version: i64,
    pub first_response_due: Option<String>,
    pub resolution_due: Option<String>,
    pub escalations: Vec<EscalationView>,
}

/// The statuses that may follow `from`.
pub fn next_statuses(from: ComplaintStatus) -> Vec<ComplaintStatus> {
    ComplaintStatus::ALL
        .iter()
        .copied()
        .filter(|to| may_move(from, *to))
        .collect()
}

/// The first line of a description, at most 120 characters.
pub fn summary_of(description: &str) -> String {
    let line = description.lines().next().unwrap_or("").trim();
    let mut summary: String = line.chars().take(120).collect();
    if line.chars().count() > 120 {
        summary.push('…');
    }
    summary
}

/// A complaint form shown again with its messages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubmittedComplaint {
    pub form: ComplaintForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubmittedResponse {
    pub form: ResponseForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

/// One severity's response-time targets on the settings page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetRow {
    pub severity: Option<Severity>,
    pub first_response_hours: i64,
    pub resolution_hours: i64,
    /// When they were last changed, in the reader's time zone, and by whom.
    pub changed_at: Option<String>,
    pub changed_by: Option<String>,
}

/// The response-time target settings (`/complaints/targets`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetSettings {
    pub rows: Vec<TargetRow>,
    pub can_edit: bool,
}

/// The target settings form shown again with its messages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubmittedTargets {
    pub form: super::targets::TargetsForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::ComplaintStatus::*;
    use super::*;

    #[test]
    fn statuses_move_forward_and_a_finished_complaint_can_be_reopened() {
        assert!(may_move(New, Acknowledged));
        assert!(may_move(InProgress, Resolved));
        assert!(may_move(Resolved, Closed));
        assert!(may_move(Closed, Reopened));
        assert!(may_move(Reopened, InProgress));
        assert!(!may_move(Closed, Resolved));
        assert!(!may_move(Resolved, InProgress), "reopen first");
        assert!(!may_move(New, Closed), "resolve first");
        assert!(!may_move(New, New));
        assert!(!may_move(Acknowledged, New));
        assert_eq!(next_statuses(Resolved), vec![Closed, Reopened]);
        assert_eq!(after_first_response(New), Acknowledged);
        assert_eq!(after_first_response(InProgress), InProgress);
        assert!(New.is_open() && Reopened.is_open() && !Resolved.is_open() && !Closed.is_open());
    }

    #[test]
    fn a_complaint_needs_a_category_and_a_description() {
        let form = ComplaintForm::from_pairs([
            ("category", "reporting"),
            ("description", " 季度报告晚了三周。 "),
            ("project", "4"),
        ]);
        let valid = validate_complaint(&form).expect("valid");
        assert_eq!(valid.category, ComplaintCategory::Reporting);
        assert_eq!(valid.description, "季度报告晚了三周。");
        assert_eq!((valid.project, valid.entity), (Some(4), None));
        let bad = ComplaintForm::from_pairs([("category", "weather"), ("project", "x")]);
        let fields: Vec<String> = validate_complaint(&bad)
            .unwrap_err()
            .into_iter()
            .map(|e| format!("{}:{}", e.field, e.key))
            .collect();
        assert_eq!(
            fields,
            vec![
                "project:form.choose_one",
                "category:form.choose_one",
                "description:form.required"
            ]
        );
    }

    #[test]
    fn a_response_is_text_or_a_status_change_or_both() {
        let note = ResponseForm::from_pairs([
            ("body", "已联系财务部"),
            ("kind", "note"),
            ("version", "3"),
        ]);
        let valid = validate_response(&note).expect("valid");
        assert!(!valid.visible_to_client && valid.status.is_none() && valid.version == 3);
        let status = ResponseForm::from_pairs([("status", "resolved"), ("kind", "response")]);
        assert_eq!(
            validate_response(&status).map(|v| v.status),
            Ok(Some(Resolved))
        );
        let empty = ResponseForm::from_pairs([("kind", "response")]);
        assert_eq!(
            validate_response(&empty).unwrap_err()[0].key,
            "complaint.nothing_to_post"
        );
        let triage = ResponseForm::from_pairs([("severity", "critical"), ("kind", "note")]);
        assert_eq!(
            validate_response(&triage).map(|v| v.severity),
            Ok(Some(Severity::Critical))
        );
        let wrong = ResponseForm::from_pairs([("severity", "urgent"), ("kind", "note")]);
        assert_eq!(validate_response(&wrong).unwrap_err()[0].field, "severity");
        assert_eq!(summary_of("第一行\n第二行"), "第一行");
        assert_eq!(summary_of(&"长".repeat(130)).chars().count(), 121);
    }
}

/// A complaint staff log for a client, taken by phone, by e-mail or in a meeting.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoggedComplaintForm {
    pub source: String,
    pub contact: String,
    pub project: String,
    pub category: String,
    pub severity: String,
    pub description: String,
    pub form_key: String,
}

impl LoggedComplaintForm {
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> LoggedComplaintForm {
        let mut form = LoggedComplaintForm::default();
        for (name, value) in pairs {
            let field = match name {
                "source" => &mut form.source,
                "contact" => &mut form.contact,
                "project" => &mut form.project,
                "category" => &mut form.category,
                "severity" => &mut form.severity,
                "description" => &mut form.description,
                "form_key" => &mut form.form_key,
                _ => continue,
            };
            *field = value.to_string();
        }
        form
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidLogged {
    pub source: ComplaintSource,
    pub contact: Option<i64>,
    pub project: Option<i64>,
    pub category: ComplaintCategory,
    pub severity: Severity,
    pub description: String,
}

/// The sources a member of staff may log a complaint from (the portal and surveys open
/// their own).
pub const LOGGED_SOURCES: [ComplaintSource; 3] = [
    ComplaintSource::Phone,
    ComplaintSource::Email,
    ComplaintSource::Meeting,
];

pub fn validate_logged(form: &LoggedComplaintForm) -> Result<ValidLogged, Vec<FieldError>> {
    let mut errors = Vec::new();
    let source = crate::core::form::code(
        &form.source,
        |code: &str| ComplaintSource::parse(code).filter(|s| LOGGED_SOURCES.contains(s)),
        "source",
        &mut errors,
    );
    let contact = optional_id(&form.contact, "contact", &mut errors);
    let project = optional_id(&form.project, "project", &mut errors);
    let category = crate::core::form::code(
        &form.category,
        ComplaintCategory::parse,
        "category",
        &mut errors,
    );
    let severity =
        crate::core::form::code(&form.severity, Severity::parse, "severity", &mut errors);
    let description = message(&form.description, "description", &mut errors);
    match (source, category, severity) {
        (Some(source), Some(category), Some(severity)) if errors.is_empty() => Ok(ValidLogged {
            source,
            contact,
            project,
            category,
            severity,
            description,
        }),
        _ => Err(errors),
    }
}

/// What the log-a-complaint form on a client page offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogComplaintOptions {
    pub form_key: String,
    /// The client's contacts: (id, name).
    pub contacts: Vec<(i64, String)>,
    /// The projects the client has deals in: (id, name).
    pub projects: Vec<(i64, String)>,
    pub can_log: bool,
}

/// A log-a-complaint form posted with errors, shown again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubmittedLogged {
    pub form: LoggedComplaintForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

#[cfg(test)]
mod logged_tests {
    use super::*;

    fn form() -> LoggedComplaintForm {
        LoggedComplaintForm {
            source: "phone".into(),
            category: "payment".into(),
            severity: "high".into(),
            description: "分配款晚到两周。".into(),
            ..LoggedComplaintForm::default()
        }
    }

    #[test]
    fn staff_log_a_complaint_from_a_phone_call_an_email_or_a_meeting() {
        let valid = validate_logged(&form()).expect("valid");
        assert_eq!(valid.source, ComplaintSource::Phone);
        assert_eq!(valid.severity, Severity::High);
        assert_eq!((valid.contact, valid.project), (None, None));
    }

    #[test]
    fn the_portal_and_surveys_are_not_sources_staff_may_claim() {
        for source in ["portal", "survey", "survey_follow_up", "fax"] {
            let errors = validate_logged(&LoggedComplaintForm {
                source: source.into(),
                ..form()
            })
            .expect_err(source);
            assert_eq!(errors[0].field, "source");
        }
    }

    #[test]
    fn a_logged_complaint_needs_a_severity_and_a_description() {
        let errors = validate_logged(&LoggedComplaintForm {
            severity: String::new(),
            description: "  ".into(),
            ..form()
        })
        .expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["severity", "description"]);
    }
}

/// One month of the complaint dashboard (complaints opened that month).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthStats {
    /// `YYYY-MM` in the reporting time zone.
    pub month: String,
    pub opened: i64,
    pub responded: i64,
    pub resolved: i64,
    /// Hours, one decimal.
    pub median_first_response_hours: Option<String>,
    pub median_resolution_hours: Option<String>,
    /// Percent of the responded (resolved) ones that met the target.
    pub first_response_within_target: Option<i64>,
    pub resolution_within_target: Option<i64>,
}

/// Open complaints of one severity, and how many of them are past a target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeverityLoad {
    pub severity: Option<Severity>,
    pub open: i64,
    pub breached: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComplaintDashboard {
    pub by_severity: Vec<SeverityLoad>,
    /// The last twelve months, newest first.
    pub months: Vec<MonthStats>,
    pub recovery: Recovery,
}

/// Complaints that survey answers opened, after their resolution: how many got a follow-up
/// survey, how many answered it, and how many of those recovered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    pub followed_up: i64,
    pub answered: i64,
    pub recovered: i64,
}

impl Recovery {
    /// Percent of the answered follow-ups that recovered.
    pub fn rate(&self) -> Option<i64> {
        (self.answered > 0).then(|| (self.recovered * 100 + self.answered / 2) / self.answered)
    }
}
