//! Runtimes past (or near) their end of support, from a dated table of AWS's published dates.

use fnwarden_project::{Class, Project, ScanRule, Severity};
use time::macros::date;
use time::{Date, Duration};

use crate::PostureOptions;
use crate::draft::{Draft, Drafts};
use crate::text::clip;

pub static DEPRECATED_RUNTIME: ScanRule = ScanRule {
    id: "fnw-scan-cfg-deprecated-runtime",
    title: "Function runtime is past its end of support",
    severity: Severity::Medium,
    class: Class::Config,
    cwe: &[1104],
    description: "AWS no longer patches this runtime (language and OS): known vulnerabilities in the interpreter and its \
                  libraries stay in every deployment, and AWS blocks creating and then updating functions on it.",
    remediation: "Move the function to a supported runtime of its language (docs/scan-posture.md lists them with their dates).",
};

pub static RUNTIME_DEPRECATING_SOON: ScanRule = ScanRule {
    id: "fnw-scan-cfg-runtime-deprecating-soon",
    title: "Function runtime reaches its end of support soon",
    severity: Severity::Low,
    class: Class::Config,
    cwe: &[1104],
    description: "AWS deprecates this runtime within the warning window (180 days by default): after that date it gets no \
                  security patches, and function updates are blocked soon after.",
    remediation: "Plan the move to a newer runtime of the same language before the date in the message.",
};

pub const RULES: &[&ScanRule] = &[&DEPRECATED_RUNTIME, &RUNTIME_DEPRECATING_SOON];

/// The day the table below was last checked against AWS's runtime pages.
pub const RUNTIMES_CHECKED: Date = date!(2026 - 12 - 01);

/// A Lambda runtime identifier and its deprecation date (end of security support), as published
/// in the AWS Lambda Developer Guide, "Lambda runtimes" (supported and deprecated tables).
const RUNTIMES: &[(&str, Date)] = &[
    ("nodejs24.x", date!(2028 - 04 - 30)),
    ("nodejs22.x", date!(2027 - 04 - 30)),
    ("nodejs20.x", date!(2026 - 04 - 30)),
    ("nodejs18.x", date!(2025 - 09 - 01)),
    ("nodejs16.x", date!(2024 - 06 - 12)),
    ("nodejs14.x", date!(2023 - 12 - 04)),
    ("nodejs12.x", date!(2023 - 03 - 31)),
    ("nodejs10.x", date!(2021 - 07 - 30)),
    ("nodejs8.10", date!(2020 - 03 - 06)),
    ("nodejs6.10", date!(2019 - 08 - 12)),
    ("nodejs4.3", date!(2020 - 03 - 05)),
    ("nodejs4.3-edge", date!(2019 - 04 - 30)),
    ("nodejs", date!(2016 - 10 - 31)),
    ("python3.14", date!(2029 - 06 - 30)),
    ("python3.13", date!(2029 - 06 - 30)),
    ("python3.12", date!(2028 - 10 - 31)),
    ("python3.11", date!(2027 - 06 - 30)),
    ("python3.10", date!(2026 - 10 - 31)),
    ("python3.9", date!(2025 - 12 - 15)),
    ("python3.8", date!(2024 - 10 - 14)),
    ("python3.7", date!(2023 - 12 - 04)),
    ("python3.6", date!(2022 - 07 - 18)),
    ("python2.7", date!(2021 - 07 - 15)),
    ("java25", date!(2029 - 06 - 30)),
    ("java21", date!(2029 - 06 - 30)),
    ("java17.al2023", date!(2029 - 06 - 30)),
    ("java11.al2023", date!(2029 - 06 - 30)),
    ("java8.al2023", date!(2029 - 06 - 30)),
    ("java17", date!(2027 - 06 - 30)),
    ("java11", date!(2027 - 06 - 30)),
    ("java8.al2", date!(2027 - 06 - 30)),
    ("java8", date!(2024 - 01 - 08)),
    ("dotnet10", date!(2028 - 11 - 14)),
    ("dotnet9", date!(2026 - 11 - 10)),
    ("dotnet8", date!(2026 - 11 - 10)),
    ("dotnet7", date!(2024 - 05 - 14)),
    ("dotnet6", date!(2024 - 12 - 20)),
    ("dotnet5.0", date!(2022 - 05 - 10)),
    ("dotnetcore3.1", date!(2023 - 04 - 03)),
    ("dotnetcore2.1", date!(2022 - 01 - 05)),
    ("dotnetcore2.0", date!(2019 - 05 - 30)),
    ("dotnetcore1.0", date!(2019 - 07 - 30)),
    ("ruby4.0", date!(2029 - 03 - 31)),
    ("ruby3.4", date!(2028 - 03 - 31)),
    ("ruby3.3", date!(2027 - 03 - 31)),
    ("ruby3.2", date!(2026 - 03 - 31)),
    ("ruby2.7", date!(2023 - 12 - 07)),
    ("ruby2.5", date!(2021 - 07 - 30)),
    ("go1.x", date!(2024 - 01 - 08)),
    ("provided.al2023", date!(2029 - 06 - 30)),
    ("provided.al2", date!(2026 - 07 - 31)),
    ("provided", date!(2024 - 01 - 08)),
];

/// Where a runtime stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimeLife {
    Supported {
        until: Date,
    },
    DeprecatingSoon {
        on: Date,
    },
    Deprecated {
        since: Date,
    },
    /// Not in the table: a newer runtime than the table, a typo, or a reference.
    Unknown,
}

/// `runtime` as written (case and surrounding space ignored), judged on `today` with a warning
/// window of `warning_days`.
pub fn runtime_life(runtime: &str, today: Date, warning_days: u32) -> RuntimeLife {
    let id = runtime.trim().to_ascii_lowercase();
    let Some(&(_, date)) = RUNTIMES.iter().find(|(r, _)| *r == id) else { return RuntimeLife::Unknown };
    if today >= date {
        RuntimeLife::Deprecated { since: date }
    } else if date - today <= Duration::days(i64::from(warning_days)) {
        RuntimeLife::DeprecatingSoon { on: date }
    } else {
        RuntimeLife::Supported { until: date }
    }
}

pub fn check(project: &Project, opts: &PostureOptions, drafts: &mut Drafts) {
    for f in &project.functions {
        let Some(rt) = &f.runtime else { continue };
        let (rule, msg) = match runtime_life(&rt.value, opts.today, opts.runtime_warning_days) {
            RuntimeLife::Deprecated { since } => (
                &DEPRECATED_RUNTIME,
                format!("runtime `{}` was deprecated by AWS on {since} (dates checked {RUNTIMES_CHECKED})", clip(&rt.value)),
            ),
            RuntimeLife::DeprecatingSoon { on } => (
                &RUNTIME_DEPRECATING_SOON,
                format!(
                    "runtime `{}` is deprecated by AWS on {on}, in {} days (dates checked {RUNTIMES_CHECKED})",
                    clip(&rt.value),
                    (on - opts.today).whole_days()
                ),
            ),
            RuntimeLife::Supported { .. } | RuntimeLife::Unknown => continue,
        };
        drafts.add(Draft::new(rule, rt.location.clone(), msg).functions([f.name.as_str()]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_no_duplicates_and_is_lowercase() {
        for (i, (a, _)) in RUNTIMES.iter().enumerate() {
            assert_eq!(*a, a.to_ascii_lowercase());
            assert!(RUNTIMES[i + 1..].iter().all(|(b, _)| a != b), "{a} twice");
        }
    }

    #[test]
    fn judged_against_the_day() {
        let today = date!(2026 - 12 - 01);
        assert_eq!(runtime_life("python3.8", today, 180), RuntimeLife::Deprecated { since: date!(2024 - 10 - 14) });
        assert_eq!(runtime_life(" Python3.9 ", today, 180), RuntimeLife::Deprecated { since: date!(2025 - 12 - 15) });
        assert_eq!(runtime_life("nodejs22.x", today, 180), RuntimeLife::DeprecatingSoon { on: date!(2027 - 04 - 30) });
        assert_eq!(runtime_life("nodejs22.x", today, 30), RuntimeLife::Supported { until: date!(2027 - 04 - 30) });
        assert_eq!(runtime_life("python3.13", today, 180), RuntimeLife::Supported { until: date!(2029 - 06 - 30) });
        assert_eq!(runtime_life("nodejs22.x", date!(2027 - 04 - 30), 180), RuntimeLife::Deprecated { since: date!(2027 - 04 - 30) });
        assert_eq!(runtime_life("cobol1.0", today, 180), RuntimeLife::Unknown);
        assert_eq!(runtime_life("!Ref Runtime", today, 180), RuntimeLife::Unknown);
    }
}
