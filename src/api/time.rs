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
}
