//! The decline early warning: a rule-based signal per client, explained in words. Each
//! source looks at one kind of fact and may give a reason; the signal's severity is the
//! highest of its reasons. A source still to come (portal inactivity) is added to
//! `SOURCES` with its facts.
use serde::{Deserialize, Serialize};

/// What the sources look at, gathered per client by the refresh.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SignalFacts {
    /// Days since the last interaction (`None`: never).
    pub days_quiet: Option<i64>,
    /// The client's usual gap between interactions over the last year, in days.
    pub usual_gap_days: Option<i64>,
    /// Committed capital (reporting currency, minor units) lost to deals that left the
    /// committed or closed stage in the last 180 days.
    pub commitment_lost: i64,
    /// Committed capital the client still has.
    pub commitment_now: i64,
    /// Days since the client was created (a brand-new client is not "quiet").
    pub days_known: i64,
    /// The client's open complaints past a response-time target.
    pub overdue_complaints: i64,
    /// The NPS (0–10) its contacts gave in their latest survey response, and in the one
    /// before (`None`: no such response).
    pub latest_nps: Option<i64>,
    pub previous_nps: Option<i64>,
}

/// One reason, with the numbers its sentence needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Translation key of the sentence; `{days}`, `{usual}` and `{percent}` are filled in.
    pub key: String,
    pub severity: i64,
    pub days: i64,
    pub usual: i64,
    pub percent: i64,
    /// How many (complaints); absent in signals stored before it existed.
    #[serde(default)]
    pub count: i64,
}

/// Without a cadence of its own, a client is quiet after 90 days.
pub const DEFAULT_QUIET_DAYS: i64 = 90;

fn quiet(f: &SignalFacts) -> Option<Reason> {
    // Twice the usual gap, but never less than a month nor more than the default.
    let limit = f
        .usual_gap_days
        .map(|g| (g * 2).clamp(30, DEFAULT_QUIET_DAYS))
        .unwrap_or(DEFAULT_QUIET_DAYS);
    let days = match f.days_quiet {
        Some(d) => d,
        None if f.days_known > DEFAULT_QUIET_DAYS => f.days_known,
        None => return None,
    };
    (days > limit).then(|| Reason {
        key: if f.days_quiet.is_some() {
            "signal.quiet".into()
        } else {
            "signal.never_contacted".into()
        },
        severity: if days > limit * 2 { 2 } else { 1 },
        days,
        usual: limit,
        percent: 0,
        count: 0,
    })
}

fn falling_commitment(f: &SignalFacts) -> Option<Reason> {
    if f.commitment_lost <= 0 {
        return None;
    }
    let before = f.commitment_now + f.commitment_lost;
    let percent = ((f.commitment_lost as i128 * 100) / before.max(1) as i128) as i64;
    Some(Reason {
        key: "signal.falling_commitment".into(),
        severity: match percent {
            p if p >= 50 => 3,
            p if p >= 20 => 2,
            _ => 1,
        },
        days: 180,
        usual: 0,
        percent,
        count: 0,
    })
}

/// Complaints left past their targets: the client is being let down right now.
fn overdue_complaints(f: &SignalFacts) -> Option<Reason> {
    (f.overdue_complaints > 0).then(|| Reason {
        key: "signal.overdue_complaints".into(),
        severity: if f.overdue_complaints > 1 { 3 } else { 2 },
        days: 0,
        usual: 0,
        percent: 0,
        count: f.overdue_complaints,
    })
}

/// The latest survey answer is a detractor's, or fell by two points or more since the one
/// before: what the client says about us is getting worse.
fn falling_survey_score(f: &SignalFacts) -> Option<Reason> {
    let latest = f.latest_nps?;
    let fell = f.previous_nps.is_some_and(|before| before - latest >= 2);
    if latest > 6 && !fell {
        return None;
    }
    Some(Reason {
        key: match f.previous_nps {
            Some(_) if fell => "signal.survey_fell".into(),
            _ => "signal.survey_detractor".into(),
        },
        severity: if latest <= 6 { 2 } else { 1 },
        days: 0,
        usual: f.previous_nps.unwrap_or(0),
        percent: 0,
        count: latest,
    })
}

/// The sources of the signal, in the order their reasons are shown.
pub const SOURCES: &[fn(&SignalFacts) -> Option<Reason>] = &[
    quiet,
    falling_commitment,
    overdue_complaints,
    falling_survey_score,
];

/// The reason in words, in `lang`.
pub fn explain(reason: &Reason, lang: crate::core::i18n::Lang) -> String {
    crate::core::i18n::t_with(
        lang,
        &reason.key,
        &[
            ("days", &reason.days.to_string()),
            ("usual", &reason.usual.to_string()),
            ("percent", &reason.percent.to_string()),
            ("count", &reason.count.to_string()),
        ],
    )
}

/// A client's signal as pages show it: severity and the reasons in words.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskView {
    pub client_id: i64,
    pub client_name: String,
    pub owner_name: String,
    pub severity: i64,
    pub reasons: Vec<String>,
}

/// A page of the clients at risk, most severe first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskPage {
    pub rows: Vec<RiskView>,
    pub next: Option<String>,
}

/// The signal of one client: its severity (0 = none, up to 3) and the reasons.
pub fn assess(facts: &SignalFacts) -> (i64, Vec<Reason>) {
    let reasons: Vec<Reason> = SOURCES.iter().filter_map(|source| source(facts)).collect();
    let severity = reasons.iter().map(|r| r.severity).max().unwrap_or(0);
    (severity, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> SignalFacts {
        SignalFacts {
            days_quiet: Some(10),
            usual_gap_days: Some(30),
            commitment_lost: 0,
            commitment_now: 100,
            days_known: 400,
            overdue_complaints: 0,
            latest_nps: None,
            previous_nps: None,
        }
    }

    #[test]
    fn a_client_in_touch_shows_no_signal() {
        assert_eq!(assess(&facts()), (0, vec![]));
    }

    #[test]
    fn quiet_beyond_the_usual_cadence_or_ninety_days() {
        let (severity, reasons) = assess(&SignalFacts {
            days_quiet: Some(75),
            ..facts()
        });
        assert_eq!(severity, 1);
        assert_eq!(reasons[0].key, "signal.quiet");
        assert_eq!(reasons[0].usual, 60);
        // Without a cadence: 90 days; far beyond it is more serious.
        let (severity, _) = assess(&SignalFacts {
            days_quiet: Some(200),
            usual_gap_days: None,
            ..facts()
        });
        assert_eq!(severity, 2);
        let (severity, _) = assess(&SignalFacts {
            days_quiet: Some(80),
            usual_gap_days: None,
            ..facts()
        });
        assert_eq!(severity, 0);
        // Never contacted: only once the client is no longer new.
        let (_, reasons) = assess(&SignalFacts {
            days_quiet: None,
            ..facts()
        });
        assert_eq!(reasons[0].key, "signal.never_contacted");
        assert_eq!(
            assess(&SignalFacts {
                days_quiet: None,
                days_known: 20,
                ..facts()
            })
            .0,
            0
        );
    }

    #[test]
    fn complaints_past_their_targets_are_a_serious_sign() {
        let (severity, reasons) = assess(&SignalFacts {
            overdue_complaints: 1,
            ..facts()
        });
        assert_eq!((severity, reasons[0].count), (2, 1));
        assert_eq!(reasons[0].key, "signal.overdue_complaints");
        let (severity, _) = assess(&SignalFacts {
            overdue_complaints: 3,
            ..facts()
        });
        assert_eq!(severity, 3);
    }

    #[test]
    fn falling_commitments_weigh_by_share_lost() {
        let (severity, reasons) = assess(&SignalFacts {
            commitment_lost: 100,
            commitment_now: 100,
            ..facts()
        });
        assert_eq!((severity, reasons[0].percent), (3, 50));
        let (severity, _) = assess(&SignalFacts {
            commitment_lost: 10,
            commitment_now: 90,
            ..facts()
        });
        assert_eq!(severity, 1);
    }

    #[test]
    fn a_falling_or_poor_survey_score_is_a_reason() {
        let with = |latest, previous| SignalFacts {
            latest_nps: latest,
            previous_nps: previous,
            ..facts()
        };
        assert_eq!(assess(&with(Some(9), None)).0, 0);
        assert_eq!(assess(&with(Some(8), Some(9))).0, 0);
        let (severity, reasons) = assess(&with(Some(7), Some(10)));
        assert_eq!(
            (severity, reasons[0].key.as_str()),
            (1, "signal.survey_fell")
        );
        let (severity, reasons) = assess(&with(Some(3), None));
        assert_eq!(
            (severity, reasons[0].key.as_str()),
            (2, "signal.survey_detractor")
        );
        assert_eq!(reasons[0].count, 3);
    }
}
