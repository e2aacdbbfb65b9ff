use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Nanoseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

#[derive(Debug, thiserror::Error)]
#[error("invalid timestamp {input:?}: expected RFC 3339 (2026-01-31T12:00:00Z) or integer nanoseconds")]
pub struct TimestampError {
    pub input: String,
}

impl Timestamp {
    pub const MIN: Timestamp = Timestamp(i64::MIN);
    pub const MAX: Timestamp = Timestamp(i64::MAX);

    pub fn now() -> Self {
        let ns = OffsetDateTime::now_utc().unix_timestamp_nanos();
        Timestamp(i64::try_from(ns).unwrap_or(i64::MAX))
    }

    pub fn from_secs(s: i64) -> Self {
        Timestamp(s.saturating_mul(1_000_000_000))
    }

    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        if let Ok(n) = s.parse::<i64>() {
            return Ok(Timestamp(n));
        }
        let dt = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| TimestampError { input: s.to_owned() })?;
        i64::try_from(dt.unix_timestamp_nanos()).map(Timestamp).map_err(|_| TimestampError { input: s.to_owned() })
    }

    pub fn to_datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(self.0 as i128).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    pub fn saturating_add_ns(self, ns: i64) -> Self {
        Timestamp(self.0.saturating_add(ns))
    }

    pub fn saturating_sub_ns(self, ns: i64) -> Self {
        Timestamp(self.0.saturating_sub(ns))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_datetime().format(&Rfc3339) {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "{}", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Str(String),
        }
        match Raw::deserialize(d)? {
            Raw::Int(n) => Ok(Timestamp(n)),
            Raw::Str(s) => Timestamp::parse(&s).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        let t = Timestamp::parse("2026-11-22T10:00:00.000000123Z").unwrap();
        assert_eq!(t.0 % 1_000_000_000, 123);
        assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
    }

    #[test]
    fn integers_are_nanoseconds() {
        assert_eq!(Timestamp::parse("42").unwrap(), Timestamp(42));
    }

    #[test]
    fn garbage_is_rejected() {
        assert!(Timestamp::parse("yesterday").is_err());
        assert!(Timestamp::parse("").is_err());
    }
}
