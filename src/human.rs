//! Times and durations as people read and write them: the table's ages, the details pane's
//! durations, and the durations given on the command line and in the config. Google's wire
//! forms (`"3.5s"`, RFC 3339) stay in `api::time`; nothing here is sent to a server.

use jiff::Timestamp;
use jiff::fmt::friendly::SpanParser;
use std::time::Duration;

/// The dashboard's one age, in the AGE column, the details pane and the cancel dialog
/// alike: exact seconds under a minute; above that, the whole minutes between the
/// clock's minute boundaries, so every row's age ticks over at the same moment once a minute.
/// Over SSH that is one small repaint a minute instead of one every few seconds (each row at
/// its own second). It reads at most a minute more than the exact age.
pub fn aligned_age(created: Timestamp, now: Timestamp) -> String {
    let exact = now.duration_since(created);
    if exact.as_secs() < 60 {
        return coarse_age(exact.unsigned_abs());
    }
    let minutes = now.as_second().div_euclid(60) - created.as_second().div_euclid(60);
    coarse_age(Duration::from_secs(minutes.unsigned_abs() * 60))
}

/// A coarse age for a table cell: seconds under a minute, minutes under an hour, then hours
/// and minutes, then days and hours. Coarse on purpose: an idle screen changes rarely, and
/// over SSH every changed cell costs bytes.
pub fn coarse_age(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// A count for a narrow cell: exact below 10,000, then `12.3k`, `123k`, `1.2M`, never more
/// than five cells and never more than the count (the digits shown are cut, not rounded up).
pub fn compact_count(n: usize) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=99_999 => format!("{}.{}k", n / 1000, (n % 1000) / 100),
        100_000..=999_999 => format!("{}k", n / 1000),
        1_000_000..=9_999_999 => format!("{}.{}M", n / 1_000_000, (n % 1_000_000) / 100_000),
        _ => format!("{}M", n / 1_000_000),
    }
}

/// The longest duration taken anywhere (about 31 years): past it a typo, not a wish.
const MAX_DURATION: Duration = Duration::from_secs(1_000_000_000);

/// Parses a human duration from flags and config in jiff's friendly format: `500ms`, `5s`,
/// `2m`, `1h30m`, `1.5s`, `3 mins 4s`; units up to hours. A bare number is seconds.
pub fn parse_human_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    // A bare number has always meant seconds here; jiff wants every number to have a unit.
    let with_unit;
    let t = if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        with_unit = format!("{t}s");
        &with_unit
    } else {
        t
    };
    match FRIENDLY.parse_unsigned_duration(t) {
        Ok(d) if d <= MAX_DURATION => Ok(d),
        Ok(_) => Err(format!("{s:?} is out of range")),
        Err(e) => Err(why_not(s, t, &e)),
    }
}

const FRIENDLY: SpanParser = SpanParser::new();

/// jiff says where it stopped, not in words a user of a flag can act on: say what was wrong.
fn why_not(s: &str, t: &str, e: &jiff::Error) -> String {
    match FRIENDLY.parse_span(t) {
        // A duration in jiff's terms, but not one that fits here.
        Ok(span) if span.is_negative() => format!("{s:?} is negative"),
        Ok(_) => format!("{s:?}: days and longer are not taken here (write 48h, not 2d)"),
        Err(_) => match unknown_unit(t) {
            Some(word) => format!("{s:?}: unknown unit {word:?} (use ms, s, m or h, as in 1h30m)"),
            None => format!("{s:?} is not a duration (try 500ms, 5s, 2m, 1h30m): {e}"),
        },
    }
}

/// The first word of `t` that jiff does not know as a unit.
fn unknown_unit(t: &str) -> Option<&str> {
    t.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .find(|w| FRIENDLY.parse_span(format!("1{w}")).is_err())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_coarse() {
        let t = |s: &str| -> Timestamp { s.parse().unwrap() };
        let created = t("2026-01-01T12:00:50Z");
        assert_eq!(aligned_age(created, t("2026-01-01T12:01:20Z")), "30s");
        assert_eq!(aligned_age(created, t("2026-01-01T12:01:59Z")), "1m");
        // The next minute of the clock: 70 s old, shown as 2 minutes, as every row
        // created in the same minute is.
        assert_eq!(aligned_age(created, t("2026-01-01T12:02:00Z")), "2m");
        assert_eq!(
            aligned_age(t("2026-01-01T12:00:01Z"), t("2026-01-01T12:02:00Z")),
            "2m"
        );
        assert_eq!(aligned_age(created, t("2026-01-01T13:05:00Z")), "1h05m");
        assert_eq!(coarse_age(Duration::from_secs(5)), "5s");
        assert_eq!(coarse_age(Duration::from_secs(192)), "3m");
        assert_eq!(coarse_age(Duration::from_secs(3840)), "1h04m");
        assert_eq!(coarse_age(Duration::from_secs(90_000)), "1d01h");
    }

    #[test]
    fn counts_are_compact_and_never_overstated() {
        assert_eq!(compact_count(347), "347");
        assert_eq!(compact_count(9_999), "9999");
        assert_eq!(compact_count(12_399), "12.3k");
        assert_eq!(compact_count(123_999), "123k");
        assert_eq!(compact_count(1_299_999), "1.2M");
        assert_eq!(compact_count(123_456_789), "123M");
    }

    #[test]
    fn human_durations() {
        let ok = |s: &str| parse_human_duration(s);
        assert_eq!(ok("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(ok("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(ok(" 5s "), Ok(Duration::from_secs(5)));
        assert_eq!(ok("5"), Ok(Duration::from_secs(5)));
        assert_eq!(ok("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(ok("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(ok("3 mins 4s"), Ok(Duration::from_secs(184)));
        assert_eq!(ok("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(ok("1.5"), Ok(Duration::from_millis(1500)));
    }

    #[test]
    fn bad_durations_say_why() {
        let err = |s: &str| parse_human_duration(s).unwrap_err();
        assert_eq!(
            err("5 parsecs"),
            "\"5 parsecs\": unknown unit \"parsecs\" (use ms, s, m or h, as in 1h30m)"
        );
        assert_eq!(err("-1s"), "\"-1s\" is negative");
        assert_eq!(err("1s ago"), "\"1s ago\" is negative");
        assert!(
            err("2d").contains("days and longer are not taken here"),
            "{}",
            err("2d")
        );
        assert!(err("1h 1h").starts_with("\"1h 1h\" is not a duration"));
        assert!(err("").starts_with("\"\" is not a duration"));
        assert!(
            err("1e3s").contains("unknown unit \"e\""),
            "{}",
            err("1e3s")
        );
        assert_eq!(err("300000h"), "\"300000h\" is out of range");
    }
}
