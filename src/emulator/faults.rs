//! Faults the emulator can inject: latency, random errors, whole locations failing.

use std::time::Duration;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    pub latency: Duration,
    /// Up to this much more, uniformly, on top of `latency`.
    pub jitter: Duration,
    /// Probability in [0, 1] that a request is answered with one of `error_codes` instead.
    pub error_rate: f64,
    /// HTTP statuses to inject (default 429 and 503).
    pub error_codes: Vec<u16>,
    /// `RetryInfo.retryDelay` on injected 429/503 answers.
    pub retry_delay: Duration,
    /// Every request to these locations answers this HTTP status.
    pub fail_locations: Vec<(String, u16)>,
    /// Every other page of `operations.list` is empty but carries a token (AIP-158 allows it).
    pub empty_pages: bool,
}

impl Faults {
    pub fn failing_status(&self, location: &str) -> Option<u16> {
        self.fail_locations
            .iter()
            .find(|(l, _)| l == location)
            .map(|(_, s)| *s)
    }
}

/// `LOC=CODE`, e.g. `europe-west1=403`.
pub fn parse_fail_location(s: &str) -> Result<(String, u16), String> {
    let (loc, code) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected LOCATION=HTTP_STATUS, e.g. europe-west1=403"))?;
    let code: u16 = code
        .trim()
        .parse()
        .map_err(|_| format!("{s:?}: {code:?} is not an HTTP status"))?;
    if !(400..=599).contains(&code) {
        return Err(format!("{s:?}: the status must be 400–599"));
    }
    if loc.trim().is_empty() {
        return Err(format!("{s:?}: the location is empty"));
    }
    Ok((loc.trim().to_string(), code))
}

/// `429,503`.
pub fn parse_error_codes(s: &str) -> Result<Vec<u16>, String> {
    s.split(',')
        .map(|c| {
            let c = c.trim();
            match c.parse::<u16>() {
                Ok(n) if (400..=599).contains(&n) => Ok(n),
                _ => Err(format!("{c:?} is not an HTTP error status (400–599)")),
            }
        })
        .collect()
}

pub fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "{s:?}: the error rate is a probability between 0 and 1"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_fault_flags() {
        assert_eq!(
            parse_fail_location("europe-west1=403"),
            Ok(("europe-west1".into(), 403))
        );
        assert!(parse_fail_location("europe-west1").is_err());
        assert!(parse_fail_location("x=200").is_err());
        assert!(parse_fail_location("=503").is_err());
        assert_eq!(parse_error_codes("429, 503"), Ok(vec![429, 503]));
        assert!(parse_error_codes("429,abc").is_err());
        assert_eq!(parse_rate("0.1"), Ok(0.1));
        assert!(parse_rate("1.5").is_err());
    }
}
