//! The dependency rule and the finding it raises for one vulnerable package.

use fnwarden_project::{Class, Finding, ScanRule, Severity};

use crate::{Advisory, Package};

pub static VULNERABLE_DEPENDENCY: ScanRule = ScanRule {
    id: "fnw-scan-dep-vulnerable",
    title: "Dependency with a known vulnerability",
    severity: Severity::High,
    class: Class::Dependency,
    cwe: &[1395],
    description: "A package the function ships is a version an OSV advisory lists as affected. Everything in the deployment \
                  package runs with the function's role and sees every event, so a vulnerable parser, deserializer or HTTP \
                  stack is reachable by whoever can trigger the function, and an exploit acts with the role's permissions.",
    remediation: "Upgrade the package to the fixed version the finding names (or later) and regenerate the lock file; when no \
                  fix exists, replace the package or remove the code path that uses it.",
};

pub fn rules() -> Vec<&'static ScanRule> {
    vec![&VULNERABLE_DEPENDENCY]
}

/// The finding for `package` affected by `advisory`, at the line that pins the package and at
/// the advisory's severity. The scan sets the function that ships it (and lowers packages no
/// function ships).
pub fn finding(package: &Package, advisory: &Advisory) -> Finding {
    let mut ids: Vec<&str> = advisory.cves().filter(|c| *c != advisory.id).collect();
    ids.extend(advisory.aliases.iter().map(String::as_str).filter(|a| !a.starts_with("CVE-")));
    let aliases = if ids.is_empty() { String::new() } else { format!(" ({})", ids.join(", ")) };
    let summary = if advisory.summary.is_empty() { String::new() } else { format!(": {}", advisory.summary) };
    let fix = match &advisory.fixed {
        Some(v) => format!("; fixed in {v}"),
        None => "; no fixed version is listed".to_string(),
    };
    let message =
        format!("{}@{} ({}) is affected by {}{aliases}{summary}{fix}", package.name, package.version, package.ecosystem, advisory.id);
    let mut f = Finding::new(&VULNERABLE_DEPENDENCY, package.location.clone(), message);
    f.severity = advisory.severity;
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Ecosystem;
    use fnwarden_project::Location;

    #[test]
    fn message_names_package_advisory_cve_summary_and_fix() {
        let p = Package {
            ecosystem: Ecosystem::Npm,
            name: "lodash".into(),
            version: "4.17.15".into(),
            location: Location::new("package-lock.json", 12, 0),
            dev: false,
        };
        let a = Advisory {
            id: "GHSA-p6mc-m468-83gw".into(),
            aliases: vec!["CVE-2020-8203".into()],
            summary: "Prototype pollution in zipObjectDeep".into(),
            severity: Severity::High,
            fixed: Some("4.17.19".into()),
        };
        let f = finding(&p, &a);
        assert_eq!(f.rule.id, "fnw-scan-dep-vulnerable");
        assert_eq!(f.location, Location::new("package-lock.json", 12, 0));
        assert_eq!(f.severity, Severity::High);
        assert_eq!(
            f.message,
            "lodash@4.17.15 (npm) is affected by GHSA-p6mc-m468-83gw (CVE-2020-8203): Prototype pollution in zipObjectDeep; fixed in 4.17.19"
        );
        let none = finding(&p, &Advisory { fixed: None, aliases: vec![], severity: Severity::Critical, ..a });
        assert!(none.message.ends_with("no fixed version is listed"), "{}", none.message);
        assert_eq!(none.severity, Severity::Critical);
    }
}
