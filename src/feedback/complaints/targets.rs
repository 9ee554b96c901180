//! Response-time targets, as pure rules: when a complaint is due, and where it stands
//! against its targets at a given moment. Targets are calendar hours (DESIGN §5).
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

    #[test]
    fn meeting_a_target_includes_its_last_moment() {
        assert!(within(at(10), Some(at(10))));
        assert!(!within(at(11), Some(at(10))));
        assert!(within(at(11), None));
    }
}
