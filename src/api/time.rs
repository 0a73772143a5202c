//! Google's JSON forms of `Timestamp` (RFC 3339, UTC) and `Duration` (`"3.5s"`).

use jiff::Timestamp;
use std::time::Duration;

/// Proto3 JSON as Google writes it: UTC with nine fractional digits.
pub fn format_timestamp(ts: Timestamp) -> String {
    format!("{ts:.9}")
}

pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
    s.trim().parse().ok()
}

/// An optional timestamp in 8 bytes (`Option<Timestamp>` takes 24): nanoseconds since the
/// Unix epoch, `i64::MIN` for none. It spans the years 1677 to 2262, which holds every time
/// an operation can carry; a server time outside it is refused when parsed, not wrapped.
/// Ordered as `Option<Timestamp>` is: none first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp(i64);

impl Stamp {
    pub const NONE: Stamp = Stamp(i64::MIN);

    /// `None` when `t` is outside the span.
    pub fn new(t: Timestamp) -> Option<Stamp> {
        i64::try_from(t.as_nanosecond())
            .ok()
            .filter(|n| *n != i64::MIN)
            .map(Stamp)
    }

    /// For times this program makes itself (its clock): clamped into the span.
    pub fn of(t: Option<Timestamp>) -> Stamp {
        match t {
            None => Stamp::NONE,
            Some(t) => Stamp::new(t).unwrap_or(if t.as_nanosecond() < 0 {
                Stamp(i64::MIN + 1)
            } else {
                Stamp(i64::MAX)
            }),
        }
    }

    pub fn get(self) -> Option<Timestamp> {
        if self == Stamp::NONE {
            return None;
        }
        Timestamp::from_nanosecond(i128::from(self.0)).ok()
    }

    pub fn is_some(self) -> bool {
        self != Stamp::NONE
    }
}

impl Default for Stamp {
    fn default() -> Stamp {
        Stamp::NONE
    }
}

impl From<Timestamp> for Stamp {
    fn from(t: Timestamp) -> Stamp {
        Stamp::of(Some(t))
    }
}

impl std::fmt::Debug for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.get(), f)
    }
}

/// Parses `"3.5s"`, `"53s"`, `"0.000001s"`; negative or malformed durations are `None`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let body = s.trim().strip_suffix('s')?;
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, f),
        None => (body, ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 9 {
        return None;
    }
    let secs: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let nanos: u32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    Some(Duration::new(secs, nanos))
}

pub fn format_duration(d: Duration) -> String {
    let nanos = d.subsec_nanos();
    if nanos == 0 {
        return format!("{}s", d.as_secs());
    }
    let frac = format!("{nanos:09}");
    format!("{}.{}s", d.as_secs(), frac.trim_end_matches('0'))
}

/// The table's AGE: exact seconds under a minute; above that, the whole minutes between the
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

/// Parses a human duration from flags and config: `500ms`, `5s`, `2m`, `1h`, `1.5s`.
pub fn parse_human_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (try 500ms, 5s, 2m, 1h)"))?;
    let secs = match unit.trim() {
        "ms" => value / 1000.0,
        "s" | "" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => return Err(format!("{s:?}: unknown unit {other:?} (use ms, s, m or h)")),
    };
    if !secs.is_finite() || !(0.0..=1e9).contains(&secs) {
        return Err(format!("{s:?} is out of range"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {

    #[test]
    fn stamps_hold_nanoseconds_and_order_like_options() {
        let t: Timestamp = "2025-01-23T15:27:50.076075570Z".parse().unwrap();
        let s = Stamp::new(t).unwrap();
        assert_eq!(s.get(), Some(t));
        assert_eq!(Stamp::default().get(), None);
        assert!(Stamp::NONE < s && !Stamp::NONE.is_some());
        assert!(Stamp::new("2300-01-01T00:00:00Z".parse().unwrap()).is_none());
        let far = Stamp::of(Some("2300-01-01T00:00:00Z".parse().unwrap()));
        assert!(far > s && far.is_some());
        assert_eq!(std::mem::size_of::<Stamp>(), 8);
    }

    use super::*;

    #[test]
    fn timestamps_keep_nine_digits_and_accept_fewer() {
        for input in [
            "2025-01-23T15:27:50Z",
            "2025-01-23T15:27:50.076Z",
            "2025-01-23T15:27:50.076075Z",
            "2025-01-23T15:27:50.076075570Z",
        ] {
            let ts = parse_timestamp(input).expect(input);
            let out = format_timestamp(ts);
            assert_eq!(out.len(), "2025-01-23T15:27:50.076075570Z".len(), "{out}");
            assert_eq!(parse_timestamp(&out), Some(ts));
        }
        assert_eq!(
            format_timestamp(parse_timestamp("2025-01-23T15:27:50.076075570Z").unwrap()),
            "2025-01-23T15:27:50.076075570Z"
        );
        assert!(parse_timestamp("yesterday").is_none());
    }

    #[test]
    fn durations_in_google_form() {
        assert_eq!(parse_duration("3.5s"), Some(Duration::from_millis(3500)));
        assert_eq!(parse_duration("53s"), Some(Duration::from_secs(53)));
        assert_eq!(
            parse_duration("0.000000001s"),
            Some(Duration::from_nanos(1))
        );
        assert_eq!(parse_duration(".5s"), Some(Duration::from_millis(500)));
        for bad in ["", "s", "3", "-1s", "1.5ms", "1e3s", "1.0000000001s", "abc"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(format_duration(Duration::from_millis(3500)), "3.5s");
        assert_eq!(format_duration(Duration::from_secs(53)), "53s");
        assert_eq!(format_duration(Duration::from_nanos(1)), "0.000000001s");
    }

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
    fn human_durations() {
        assert_eq!(
            parse_human_duration("500ms"),
            Ok(Duration::from_millis(500))
        );
        assert_eq!(parse_human_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_human_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(
            parse_human_duration("1.5s"),
            Ok(Duration::from_millis(1500))
        );
        assert!(parse_human_duration("5 parsecs").is_err());
        assert!(parse_human_duration("-1s").is_err());
    }
}
