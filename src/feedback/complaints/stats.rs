//! The complaint dashboard's arithmetic, pure: per month of opening, how many complaints,
//! the median time to a first response and to resolution, and the share that met each
//! target. Months are calendar months in the reporting time zone.
use super::model::MonthStats;
use super::targets::within;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::BTreeMap;

/// What the dashboard needs of one complaint.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub opened: DateTime<Utc>,
    pub first_response: Option<DateTime<Utc>>,
    pub first_response_due: Option<DateTime<Utc>>,
    pub resolved: Option<DateTime<Utc>>,
    pub resolution_due: Option<DateTime<Utc>>,
}

/// The median of `values` (the mean of the middle two for an even count); none when empty.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

/// `part` of `whole` in whole percent, rounded; none when there is nothing to count.
pub fn percent(part: usize, whole: usize) -> Option<i64> {
    (whole > 0).then(|| ((part as f64 * 100.0) / whole as f64).round() as i64)
}

fn hours(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_seconds().max(0) as f64 / 3600.0
}

/// One figure of hours as the dashboard shows it.
fn shown(hours: Option<f64>) -> Option<String> {
    hours.map(|h| format!("{h:.1}"))
}

#[derive(Default)]
struct Month {
    opened: i64,
    to_first_response: Vec<f64>,
    first_response_in_time: usize,
    to_resolution: Vec<f64>,
    resolved_in_time: usize,
}

/// The months of `timings` (newest first), in time zone `tz`.
pub fn monthly(timings: &[Timing], tz: Tz) -> Vec<MonthStats> {
    let mut months: BTreeMap<String, Month> = BTreeMap::new();
    for t in timings {
        let key = t.opened.with_timezone(&tz).format("%Y-%m").to_string();
        let m = months.entry(key).or_default();
        m.opened += 1;
        if let Some(at) = t.first_response {
            m.to_first_response.push(hours(t.opened, at));
            if within(at, t.first_response_due) {
                m.first_response_in_time += 1;
            }
        }
        if let Some(at) = t.resolved {
            m.to_resolution.push(hours(t.opened, at));
            if within(at, t.resolution_due) {
                m.resolved_in_time += 1;
            }
        }
    }
    months
        .into_iter()
        .rev()
        .map(|(month, mut m)| MonthStats {
            month,
            opened: m.opened,
            responded: m.to_first_response.len() as i64,
            resolved: m.to_resolution.len() as i64,
            median_first_response_hours: shown(median(&mut m.to_first_response)),
            median_resolution_hours: shown(median(&mut m.to_resolution)),
            first_response_within_target: percent(
                m.first_response_in_time,
                m.to_first_response.len(),
            ),
            resolution_within_target: percent(m.resolved_in_time, m.to_resolution.len()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn the_median_of_nothing_one_odd_and_even_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5.0]), Some(5.0));
        assert_eq!(median(&mut [9.0, 1.0, 4.0]), Some(4.0));
        assert_eq!(median(&mut [4.0, 1.0, 9.0, 2.0]), Some(3.0));
    }

    #[test]
    fn shares_are_rounded_percent_and_absent_without_cases() {
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(1, 3), Some(33));
        assert_eq!(percent(2, 3), Some(67));
    }

    #[test]
    fn months_count_medians_and_targets_met_in_the_reporting_time_zone() {
        let due = |t: DateTime<Utc>, h: i64| Some(t + Duration::hours(h));
        let quick = Timing {
            opened: at(10, 0),
            first_response: Some(at(10, 2)),
            first_response_due: due(at(10, 0), 24),
            resolved: Some(at(11, 0)),
            resolution_due: due(at(10, 0), 168),
        };
        let slow = Timing {
            opened: at(12, 0),
            first_response: Some(at(13, 6)),
            first_response_due: due(at(12, 0), 24),
            resolved: None,
            resolution_due: due(at(12, 0), 168),
        };
        let open = Timing {
            opened: at(20, 0),
            first_response: None,
            first_response_due: due(at(20, 0), 24),
            resolved: None,
            resolution_due: due(at(20, 0), 168),
        };
        // 30 November 20:00 UTC is already December in Shanghai.
        let december = Timing {
            opened: at(30, 20),
            ..open
        };
        let months = monthly(&[quick, slow, open, december], chrono_tz::Asia::Shanghai);
        assert_eq!(months.len(), 2);
        assert_eq!((months[0].month.as_str(), months[0].opened), ("2026-12", 1));
        let nov = &months[1];
        assert_eq!((nov.opened, nov.responded, nov.resolved), (3, 2, 1));
        assert_eq!(nov.median_first_response_hours.as_deref(), Some("16.0"));
        assert_eq!(nov.first_response_within_target, Some(50));
        assert_eq!(nov.median_resolution_hours.as_deref(), Some("24.0"));
        assert_eq!(nov.resolution_within_target, Some(100));
        assert_eq!(months[0].first_response_within_target, None);
    }
}
