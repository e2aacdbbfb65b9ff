//! Log timestamps: RFC 3339 as clouds write it, read without allocating, and epoch numbers.

use fnwarden_event::Timestamp;

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(c - b'0');
    }
    Some(n)
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2026-11-30T10:00:00Z`, `2026-11-30T10:00:00.123456+02:00`, `2026-11-30 10:00:00.123`
/// (no zone: UTC). Anything else goes to the full RFC 3339 parser.
pub fn parse(s: &str) -> Option<Timestamp> {
    let b = s.trim().as_bytes();
    if b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && (b[10] == b'T' || b[10] == b't' || b[10] == b' ') && b[13] == b':' && b[16] == b':'
    {
        let (y, mo, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
        let (h, mi, sec) = (digits(&b[11..13])?, digits(&b[14..16])?, digits(&b[17..19])?);
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
            return None;
        }
        let mut i = 19;
        let mut frac_ns = 0i64;
        if i < b.len() && (b[i] == b'.' || b[i] == b',') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let frac = &b[start..i];
            if frac.is_empty() {
                return None;
            }
            let mut ns = 0i64;
            for k in 0..9 {
                ns = ns * 10 + frac.get(k).map_or(0, |c| i64::from(c - b'0'));
            }
            frac_ns = ns;
        }
        let offset_s = match &b[i..] {
            [] | [b'Z'] | [b'z'] => 0,
            [sign @ (b'+' | b'-'), rest @ ..] => {
                let (oh, om) = match rest {
                    [a, b2, b':', c, d2] => (digits(&[*a, *b2])?, digits(&[*c, *d2])?),
                    [a, b2, c, d2] => (digits(&[*a, *b2])?, digits(&[*c, *d2])?),
                    [a, b2] => (digits(&[*a, *b2])?, 0),
                    _ => return None,
                };
                let o = oh * 3600 + om * 60;
                if *sign == b'+' { o } else { -o }
            }
            _ => return fallback(s),
        };
        let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset_s;
        return secs.checked_mul(1_000_000_000).and_then(|n| n.checked_add(frac_ns)).map(Timestamp);
    }
    fallback(s)
}

fn fallback(s: &str) -> Option<Timestamp> {
    if s.trim().bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Timestamp::parse(s.trim()).ok()
}

/// Epoch milliseconds (CloudWatch `timestamp`).
pub fn from_millis(ms: i64) -> Option<Timestamp> {
    ms.checked_mul(1_000_000).map(Timestamp)
}

/// A JSON time value: an RFC 3339 string, or epoch milliseconds as a number.
pub fn from_json(v: &serde_json::Value) -> Option<Timestamp> {
    match v {
        serde_json::Value::String(s) => parse(s),
        serde_json::Value::Number(n) => n.as_i64().and_then(from_millis),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_agrees_with_the_rfc3339_parser() {
        for s in [
            "2024-08-01T13:47:16Z",
            "2026-11-30T10:00:00.123Z",
            "2026-02-28T23:59:59.999999999+02:00",
            "1999-12-31T00:00:00-05:30",
            "2000-02-29T12:00:00Z",
        ] {
            assert_eq!(parse(s), Timestamp::parse(s).ok(), "{s}");
        }
        assert_eq!(parse("2026-11-30 10:00:00.5"), Timestamp::parse("2026-11-30T10:00:00.5Z").ok());
        assert_eq!(parse("2026-11-30T10:00:00+0100"), Timestamp::parse("2026-11-30T09:00:00Z").ok());
    }

    #[test]
    fn nonsense_is_refused() {
        for s in
            ["", "yesterday", "2026-13-01T00:00:00Z", "2026-11-30T25:00:00Z", "2026-11-30T10:00:00.Z", "12345", "2026-11-30T10:00:00Zjunk"]
        {
            assert_eq!(parse(s), None, "{s}");
        }
        assert_eq!(from_millis(1_700_000_000_000), Some(Timestamp(1_700_000_000_000_000_000)));
        assert_eq!(from_millis(i64::MAX), None);
    }
}
