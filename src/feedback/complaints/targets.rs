//! Response-time targets, as pure rules: when a complaint is due, and where it stands
//! against its targets at a given moment. Targets are calendar hours (DESIGN §5).
use super::model::Severity;
use crate::core::error::FieldError;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How close a due time must be for a complaint to count as "due soon".
pub const DUE_SOON_HOURS: i64 = 4;

/// The targets of one severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub first_response_hours: i64,
    pub resolution_hours: i64,
}

/// The longest target the settings accept: a year of calendar hours.
pub const MAX_TARGET_HOURS: i64 = 24 * 366;

/// The form field of one severity's first-response (`first`) or resolution target.
pub fn target_field(severity: Severity, which: &str) -> String {
    format!("{}_{which}", severity.as_str())
}

/// The target settings form as posted: hours per field of `target_field`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetsForm {
    pub hours: Vec<(String, String)>,
}

impl TargetsForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> TargetsForm {
        TargetsForm {
            hours: pairs
                .into_iter()
                .filter(|(name, _)| name.ends_with("_first") || name.ends_with("_resolution"))
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
        }
    }

    /// What was typed into `field`, if it was posted.
    pub fn value(&self, field: &str) -> Option<&str> {
        self.hours
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.as_str())
    }
}

/// Every severity's targets from the form: whole hours from 1 to `MAX_TARGET_HOURS`, and no
/// resolution due before the first response.
pub fn validate_targets(form: &TargetsForm) -> Result<Vec<(Severity, Target)>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let hours = |field: String, errors: &mut Vec<FieldError>| match form
        .value(&field)
        .map(|v| v.trim().parse::<i64>())
    {
        Some(Ok(h)) if (1..=MAX_TARGET_HOURS).contains(&h) => Some(h),
        _ => {
            errors.push(FieldError::new(&field, "complaint.targets.hours_range"));
            None
        }
    };
    let mut targets = Vec::new();
    for severity in Severity::ALL.iter().copied() {
        let first = hours(target_field(severity, "first"), &mut errors);
        let resolution = hours(target_field(severity, "resolution"), &mut errors);
        if let (Some(first_response_hours), Some(resolution_hours)) = (first, resolution) {
            if resolution_hours < first_response_hours {
                errors.push(FieldError::new(
                    &target_field(severity, "resolution"),
                    "complaint.targets.resolution_before_first",
                ));
            } else {
                targets.push((
                    severity,
                    Target {
                        first_response_hours,
                        resolution_hours,
                    },
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(targets)
    } else {
        Err(errors)
    }
}

/// The due times of a complaint of `severity` opened at `opened`, from the targets per
/// severity; none when its severity has no targets.
pub fn due_times_in(
    targets: &[(String, Target)],
    severity: &str,
    opened: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    targets
        .iter()
        .find(|(s, _)| s == severity)
        .map(|(_, target)| due_times(opened, *target))
}

/// When a complaint opened at `opened` must first be answered and be resolved.
pub fn due_times(opened: DateTime<Utc>, target: Target) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        opened + Duration::hours(target.first_response_hours),
        opened + Duration::hours(target.resolution_hours),
    )
}

/// Where a complaint stands against its targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetState {
    /// Finished (resolved or closed), or no targets to keep.
    Done,
    OnTrack,
    /// A target it still has to meet falls due within `DUE_SOON_HOURS`.
    DueSoon,
    /// A target it still has to meet has passed.
    Breached,
}

impl TargetState {
    pub fn i18n_key(self) -> &'static str {
        match self {
            TargetState::Done => "complaint.target.done",
            TargetState::OnTrack => "complaint.target.on_track",
            TargetState::DueSoon => "complaint.target.due_soon",
            TargetState::Breached => "complaint.target.breached",
        }
    }
}

/// What the rules need to know of a complaint.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub open: bool,
    pub responded: bool,
    pub first_response_due: Option<DateTime<Utc>>,
    pub resolution_due: Option<DateTime<Utc>>,
}

/// The next due time an open complaint still has to meet: the first response until there
/// is one, and the resolution throughout.
pub fn next_due(p: &Progress) -> Option<DateTime<Utc>> {
    if !p.open {
        return None;
    }
    let first = p.first_response_due.filter(|_| !p.responded);
    match (first, p.resolution_due) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

pub fn target_state(p: &Progress, now: DateTime<Utc>) -> TargetState {
    match next_due(p) {
        None => TargetState::Done,
        Some(due) if due < now => TargetState::Breached,
        Some(due) if due < now + Duration::hours(DUE_SOON_HOURS) => TargetState::DueSoon,
        Some(_) => TargetState::OnTrack,
    }
}

/// Whether `at` came within the target that fell due at `due` (no due time: no target).
pub fn within(at: DateTime<Utc>, due: Option<DateTime<Utc>>) -> bool {
    due.is_none_or(|due| at <= due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0).unwrap()
    }

    fn open(responded: bool) -> Progress {
        Progress {
            open: true,
            responded,
            first_response_due: Some(at(10)),
            resolution_due: Some(at(20)),
        }
    }

    #[test]
    fn due_times_are_calendar_hours_after_opening() {
        let target = Target {
            first_response_hours: 24,
            resolution_hours: 168,
        };
        let (first, resolved) = due_times(at(9), target);
        assert_eq!(first - at(9), Duration::hours(24));
        assert_eq!(resolved - at(9), Duration::days(7));
    }

    #[test]
    fn an_unanswered_complaint_is_measured_by_its_first_response() {
        assert_eq!(target_state(&open(false), at(1)), TargetState::OnTrack);
        assert_eq!(target_state(&open(false), at(7)), TargetState::DueSoon);
        assert_eq!(target_state(&open(false), at(11)), TargetState::Breached);
    }

    #[test]
    fn an_answered_complaint_is_measured_by_its_resolution() {
        assert_eq!(target_state(&open(true), at(11)), TargetState::OnTrack);
        assert_eq!(target_state(&open(true), at(17)), TargetState::DueSoon);
        assert_eq!(target_state(&open(true), at(21)), TargetState::Breached);
    }

    #[test]
    fn a_finished_or_untargeted_complaint_has_nothing_due() {
        let done = Progress {
            open: false,
            ..open(false)
        };
        assert_eq!(target_state(&done, at(23)), TargetState::Done);
        let untargeted = Progress {
            open: true,
            responded: false,
            first_response_due: None,
            resolution_due: None,
        };
        assert_eq!(target_state(&untargeted, at(23)), TargetState::Done);
    }

    fn form(values: &[(&str, &str)]) -> TargetsForm {
        let mut pairs: Vec<(String, String)> = Severity::ALL
            .iter()
            .flat_map(|s| {
                [
                    (target_field(*s, "first"), "8".to_string()),
                    (target_field(*s, "resolution"), "72".to_string()),
                ]
            })
            .collect();
        for (name, value) in values {
            if let Some(slot) = pairs.iter_mut().find(|(n, _)| n == name) {
                slot.1 = value.to_string();
            }
        }
        TargetsForm::from_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }

    #[test]
    fn target_settings_take_whole_hours_for_every_severity() {
        let targets = validate_targets(&form(&[("critical_first", " 2 ")])).unwrap();
        assert_eq!(targets.len(), Severity::ALL.len());
        let critical = targets
            .iter()
            .find(|(s, _)| *s == Severity::Critical)
            .unwrap();
        assert_eq!(critical.1.first_response_hours, 2);
        assert_eq!(critical.1.resolution_hours, 72);
    }

    #[test]
    fn target_settings_refuse_bad_hours_field_by_field() {
        let errors = validate_targets(&form(&[
            ("low_first", "0"),
            ("high_resolution", "1.5"),
            ("medium_first", "9000"),
        ]))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["low_first", "medium_first", "high_resolution"]);
        let missing = validate_targets(&TargetsForm::default()).unwrap_err();
        assert_eq!(missing.len(), 2 * Severity::ALL.len());
    }

    #[test]
    fn a_resolution_cannot_fall_due_before_the_first_response() {
        let errors = validate_targets(&form(&[("high_first", "80")])).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "high_resolution");
        assert_eq!(errors[0].key, "complaint.targets.resolution_before_first");
        assert!(validate_targets(&form(&[("high_first", "72")])).is_ok());
    }

    #[test]
    fn meeting_a_target_includes_its_last_moment() {
        assert!(within(at(10), Some(at(10))));
        assert!(!within(at(11), Some(at(10))));
        assert!(within(at(11), None));
    }
}
