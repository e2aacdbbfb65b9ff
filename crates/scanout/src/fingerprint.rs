//! Finding identities that survive edits elsewhere in the file.

use std::fmt::Write;

use fnwarden_project::Finding;
use sha2::{Digest, Sha256};

use crate::paths;

/// Bumped if the inputs ever change, so old baselines stop matching instead of matching wrongly.
const SCHEME: &str = "fnwarden-fingerprint/v1";

/// Hex digits kept: 64 bits, plenty to tell one project's findings apart.
const LEN: usize = 16;

/// Hash of the rule id, the file, the function and the flagged line's text with its whitespace
/// collapsed. Line numbers are left out, so code moving up or down keeps the fingerprint;
/// changing the flagged line itself (or the rule, file or function) makes a new one.
pub fn fingerprint(finding: &Finding, line_text: &str) -> String {
    let file = paths::portable(&finding.location.file);
    let text = line_text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut h = Sha256::new();
    for part in [SCHEME, finding.rule.id, &file, finding.function.as_deref().unwrap_or(""), &text] {
        h.update(part.as_bytes());
        // A separator no part contains, so ("ab","c") and ("a","bc") differ.
        h.update([0u8]);
    }
    let mut hex = String::with_capacity(LEN);
    for b in &h.finalize()[..LEN / 2] {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use fnwarden_project::{Class, Location, ScanRule, Severity};

    use super::*;

    static RULE: ScanRule = ScanRule {
        id: "fnw-scan-taint-command",
        title: "t",
        severity: Severity::High,
        class: Class::Injection,
        cwe: &[78],
        description: "d",
        remediation: "r",
    };
    static OTHER: ScanRule = ScanRule { id: "fnw-scan-taint-eval", ..RULE };

    fn at(line: u32) -> Finding {
        Finding::new(&RULE, Location::new("src/app.py", line, 5), "m").with_function("api")
    }

    #[test]
    fn survives_line_shifts_and_reindentation() {
        let a = fingerprint(&at(14), "    os.system(cmd)");
        assert_eq!(a, fingerprint(&at(40), "os.system(cmd)\t"));
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{a}");
    }

    #[test]
    fn changes_with_what_identifies_the_finding() {
        let base = fingerprint(&at(14), "os.system(cmd)");
        assert_ne!(base, fingerprint(&at(14), "os.system(cmd2)"));
        let mut other_rule = at(14);
        other_rule.rule = &OTHER;
        assert_ne!(base, fingerprint(&other_rule, "os.system(cmd)"));
        let mut other_file = at(14);
        other_file.location.file = "src/other.py".into();
        assert_ne!(base, fingerprint(&other_file, "os.system(cmd)"));
        let mut no_function = at(14);
        no_function.function = None;
        assert_ne!(base, fingerprint(&no_function, "os.system(cmd)"));
        let mut dotted = at(14);
        dotted.location.file = "./src/app.py".into();
        assert_eq!(base, fingerprint(&dotted, "os.system(cmd)"), "same file however it is spelled");
    }
}
