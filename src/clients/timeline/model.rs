//! Shared types and pure rules of interactions.
use crate::code_enum;
use crate::core::error::FieldError;
use crate::core::form::code;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

code_enum!(InteractionKind, "interaction", {
    Meeting => "meeting", Call => "call", Email => "email", Note => "note",
    SiteVisit => "site_visit", Event => "event",
});

/// The longest summary kept (a page of notes).
pub const SUMMARY_MAX_CHARS: usize = 4000;

/// The log-an-interaction form as typed. `occurred_at` is a local date and time in the
/// user's time zone, as a `datetime-local` input sends it ("2026-11-29T14:30").
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InteractionForm {
    pub form_key: String,
    pub kind: String,
    pub occurred_at: String,
    pub project_id: String,
    pub contact_ids: Vec<String>,
    pub staff_ids: Vec<String>,
    pub summary: String,
}

impl InteractionForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> InteractionForm {
        let mut f = InteractionForm::default();
        for (name, value) in pairs {
            let v = value.to_string();
            match name {
                "form_key" => f.form_key = v,
                "kind" => f.kind = v,
                "occurred_at" => f.occurred_at = v,
                "project_id" => f.project_id = v,
                "contact_ids" => f.contact_ids.push(v),
                "staff_ids" => f.staff_ids.push(v),
                "summary" => f.summary = v,
                _ => {}
            }
        }
        f
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidInteraction {
    pub kind: InteractionKind,
    /// When it happened, in the user's local time (converted to UTC by the server).
    pub occurred_local: NaiveDateTime,
    pub project_id: Option<i64>,
    pub contact_ids: Vec<i64>,
    pub staff_ids: Vec<i64>,
    pub summary: String,
}

/// "2026-11-29T14:30" (what browsers send), also with seconds or a space.
pub fn parse_local_time(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

fn ids(values: &[String]) -> Vec<i64> {
    let mut ids: Vec<i64> = values
        .iter()
        .filter_map(|v| v.trim().parse::<i64>().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

pub fn validate_interaction(form: &InteractionForm) -> Result<ValidInteraction, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = code(&form.kind, InteractionKind::parse, "kind", &mut errors);
    let occurred_local = parse_local_time(&form.occurred_at);
    if occurred_local.is_none() {
        errors.push(FieldError::new("occurred_at", "interaction.time_invalid"));
    }
    let summary = form.summary.trim().to_string();
    if summary.is_empty() {
        errors.push(FieldError::new("summary", "interaction.summary_required"));
    } else if summary.chars().count() > SUMMARY_MAX_CHARS {
        errors.push(FieldError::new("summary", "form.too_long"));
    }
    let project_id = form.project_id.trim().parse::<i64>().ok();
    match (kind, occurred_local) {
        (Some(kind), Some(occurred_local)) if errors.is_empty() => Ok(ValidInteraction {
            kind,
            occurred_local,
            project_id,
            contact_ids: ids(&form.contact_ids),
            staff_ids: ids(&form.staff_ids),
            summary,
        }),
        _ => Err(errors),
    }
}

/// One entry of a timeline, with its time formatted for the viewer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineItem {
    pub id: i64,
    pub at: String,
    pub kind: Option<InteractionKind>,
    pub summary: String,
    pub client: (i64, String),
    pub project: Option<(i64, String)>,
    pub contacts: Vec<String>,
    pub staff: Vec<String>,
    pub logged_by: String,
}

/// A page of a timeline, newest first; `next` is the cursor of older entries.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelinePage {
    pub items: Vec<TimelineItem>,
    pub next: Option<String>,
}

/// What the log form needs besides the client's contacts: projects it may concern, staff
/// who may have taken part, and a fresh key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogOptions {
    pub projects: Vec<(i64, String)>,
    pub staff: Vec<(i64, String)>,
    pub contacts: Vec<(i64, String)>,
    pub my_id: i64,
    pub form_key: String,
    /// Now in the user's time zone, as the default of the time field.
    pub now_local: String,
}

/// A posted log form shown again with its messages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubmittedInteraction {
    pub form: InteractionForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> InteractionForm {
        InteractionForm {
            form_key: "k".into(),
            kind: "meeting".into(),
            occurred_at: "2026-11-20T14:30".into(),
            project_id: "".into(),
            contact_ids: vec!["5".into(), "3".into(), "5".into(), "x".into()],
            staff_ids: vec!["2".into()],
            summary: "  讨论二期融资条款  ".into(),
        }
    }

    #[test]
    fn a_logged_meeting_is_valid_with_distinct_participants() {
        let v = validate_interaction(&form()).expect("valid");
        assert_eq!(v.kind, InteractionKind::Meeting);
        assert_eq!(v.contact_ids, vec![3, 5]);
        assert_eq!(v.summary, "讨论二期融资条款");
        assert_eq!(v.occurred_local.to_string(), "2026-11-20 14:30:00");
        assert_eq!(v.project_id, None);
    }

    #[test]
    fn kind_time_and_summary_are_required() {
        let bad = InteractionForm {
            kind: "lunch".into(),
            occurred_at: "yesterday".into(),
            summary: "   ".into(),
            ..form()
        };
        let fields: Vec<String> = validate_interaction(&bad)
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["kind", "occurred_at", "summary"]);
    }

    #[test]
    fn browsers_times_parse() {
        assert!(parse_local_time("2026-11-29T09:05").is_some());
        assert!(parse_local_time("2026-11-29T09:05:10").is_some());
        assert!(parse_local_time("2026-11-29 09:05").is_some());
        assert!(parse_local_time("29/11/2026").is_none());
    }

    #[test]
    fn repeated_fields_collect() {
        let f = InteractionForm::from_pairs([
            ("contact_ids", "1"),
            ("contact_ids", "2"),
            ("staff_ids", "9"),
            ("summary", "x"),
        ]);
        assert_eq!(f.contact_ids, vec!["1", "2"]);
        assert_eq!(f.staff_ids, vec!["9"]);
    }
}
