//! Times are stored in UTC and shown in the viewer's time zone, formatted here on the server
//! so the browser bundle carries no time-zone tables.
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The time zones staff can choose from (IANA names).
pub const TIME_ZONES: &[&str] = &[
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "UTC",
];

pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

pub fn is_known_time_zone(name: &str) -> bool {
    TIME_ZONES.contains(&name) && name.parse::<Tz>().is_ok()
}

/// `2026-11-29 21:35` in `time_zone` (Asia/Shanghai when the name is unknown).
pub fn date_time(at: DateTime<Utc>, time_zone: &str) -> String {
    let tz: Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// The month (`2026-11`) of a moment in `time_zone`.
pub fn month(at: DateTime<Utc>, time_zone: &str) -> String {
    let tz: Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    at.with_timezone(&tz).format("%Y-%m").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_in_the_viewers_zone() {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 29, 13, 35, 0)
            .single()
            .expect("valid");
        assert_eq!(date_time(at, "Asia/Shanghai"), "2026-11-29 21:35");
        assert_eq!(date_time(at, "Europe/London"), "2026-11-29 13:35");
        assert_eq!(date_time(at, "Not/AZone"), "2026-11-29 21:35");
    }

    #[test]
    fn every_offered_zone_is_real() {
        assert!(TIME_ZONES.iter().all(|z| is_known_time_zone(z)));
        assert!(!is_known_time_zone("Mars/Olympus"));
    }
}
