//! The report for people: findings grouped by function, most severe first, each with its
//! source → sink trace; then what could not be read; then one summary line.

use std::collections::BTreeMap;
use std::io::Write;

use fnwarden_project::{Finding, Location, ScanReport, Severity, TraceStep};

use crate::catalogue::{describe_counts, severity_index};

/// Text is wrapped to this many columns.
const WIDTH: usize = 100;
/// Where a finding's details start: under its rule id.
const DETAIL: usize = 12;
/// Diagnostics listed one by one before the rest are only counted (all when verbose).
const DIAGNOSTICS_SHOWN: usize = 5;
/// Steps kept at each end of a long trace when not verbose.
const TRACE_ENDS: usize = 2;
/// A trace's location column grows to fit, up to this.
const TRACE_LOCATION_MAX: usize = 40;

/// How the report is drawn. The caller decides `color` (a terminal, `NO_COLOR`, `--color`).
#[derive(Clone, Copy, Debug, Default)]
pub struct TableStyle {
    pub color: bool,
    /// Show every trace step and every diagnostic.
    pub verbose: bool,
}

pub fn write_table(report: &ScanReport, w: &mut dyn Write, style: &TableStyle) -> std::io::Result<()> {
    let paint = Paint { on: style.color };
    for (function, findings) in groups(report) {
        let mut counts = [0u64; 5];
        findings.iter().for_each(|f| counts[severity_index(f.severity)] += 1);
        let name = match function {
            Some(name) => format!("function {}", clean(name)),
            None => "not tied to a function".to_owned(),
        };
        writeln!(w, "{}  ({}: {})", paint.bold(&name), plural_word(findings.len() as u64, "finding"), describe_counts(&counts))?;
        for f in findings {
            finding(w, f, style, &paint)?;
        }
        writeln!(w)?;
    }
    diagnostics(w, report, style)?;
    writeln!(w, "{}", summary(report))
}

/// Groups in order of their most severe finding (then by name, unattributed last); findings
/// in a group most severe first, then by place.
fn groups(report: &ScanReport) -> Vec<(Option<&str>, Vec<&Finding>)> {
    let mut by_function: BTreeMap<Option<&str>, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_function.entry(f.function.as_deref()).or_default().push(f);
    }
    let mut groups: Vec<(Option<&str>, Vec<&Finding>)> = by_function.into_iter().collect();
    for (_, findings) in &mut groups {
        findings.sort_by(|a, b| {
            (severity_index(a.severity), &a.location, a.rule.id).cmp(&(severity_index(b.severity), &b.location, b.rule.id))
        });
    }
    let worst = |fs: &[&Finding]| fs.iter().map(|f| severity_index(f.severity)).min().unwrap_or(usize::MAX);
    groups.sort_by(|(na, a), (nb, b)| (worst(a), na.is_none(), *na).cmp(&(worst(b), nb.is_none(), *nb)));
    groups
}

fn finding(w: &mut dyn Write, f: &Finding, style: &TableStyle, paint: &Paint) -> std::io::Result<()> {
    writeln!(w, "  {}  {}  {}", paint.severity(f.severity), f.rule.id, clean(f.rule.title))?;
    let pad = " ".repeat(DETAIL);
    writeln!(w, "{pad}{}", clean(&f.location.to_string()))?;
    for line in wrap(&clean(&f.message), WIDTH - DETAIL) {
        writeln!(w, "{pad}{line}")?;
    }
    if !f.trace.is_empty() {
        trace(w, &f.trace, style.verbose)?;
    }
    Ok(())
}

/// `source → … → sink`, one step a line, each with its place:
///
/// ```text
///             trace  src/app.py:8    event["body"]
///                  → src/app.py:14   os.system(cmd)
/// ```
fn trace(w: &mut dyn Write, steps: &[TraceStep], verbose: bool) -> std::io::Result<()> {
    let hidden = if verbose || steps.len() <= 2 * TRACE_ENDS + 1 { 0 } else { steps.len() - 2 * TRACE_ENDS };
    let shown: Vec<(usize, &TraceStep)> =
        steps.iter().enumerate().filter(|(i, _)| hidden == 0 || *i < TRACE_ENDS || *i >= steps.len() - TRACE_ENDS).collect();
    let places: Vec<String> = shown.iter().map(|(_, s)| clean(&place(&s.location))).collect();
    let col = places.iter().map(|p| p.chars().count()).max().unwrap_or(0).min(TRACE_LOCATION_MAX);
    let lead = " ".repeat(DETAIL);
    // "trace  " and "     → " are both 7 columns wide.
    let note_indent = DETAIL + 7 + col + 2;
    for ((i, step), place) in shown.iter().zip(&places) {
        if hidden > 0 && *i == steps.len() - TRACE_ENDS {
            writeln!(w, "{lead}     … {hidden} more step{}", if hidden == 1 { "" } else { "s" })?;
        }
        let arrow = if *i == 0 { "trace  " } else { "     → " };
        let notes = wrap(&clean(&step.note), WIDTH.saturating_sub(note_indent).max(20));
        let first = notes.first().map(String::as_str).unwrap_or("");
        writeln!(w, "{lead}{arrow}{place:<col$}  {first}")?;
        for more in notes.iter().skip(1) {
            writeln!(w, "{}{more}", " ".repeat(note_indent))?;
        }
    }
    Ok(())
}

/// `file:line`, the column left out: a trace reads by line.
fn place(l: &Location) -> String {
    match l.line {
        0 => l.file.display().to_string(),
        n => format!("{}:{n}", l.file.display()),
    }
}

fn diagnostics(w: &mut dyn Write, report: &ScanReport, style: &TableStyle) -> std::io::Result<()> {
    if report.diagnostics.is_empty() {
        return Ok(());
    }
    let mut by_kind: BTreeMap<&str, u64> = BTreeMap::new();
    for d in &report.diagnostics {
        *by_kind.entry(d.kind.name()).or_default() += 1;
    }
    let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
    writeln!(w, "diagnostics: {} ({})", report.diagnostics.len(), kinds.join(", "))?;
    let shown = if style.verbose { report.diagnostics.len() } else { DIAGNOSTICS_SHOWN };
    for d in report.diagnostics.iter().take(shown) {
        let head = format!("  {}  {}  ", clean(&place(&Location::new(d.file.clone(), d.line, 0))), d.kind.name());
        let width = WIDTH.saturating_sub(head.chars().count()).max(30);
        let lines = wrap(&clean(&d.message), width);
        writeln!(w, "{head}{}", lines.first().map(String::as_str).unwrap_or(""))?;
        for more in lines.iter().skip(1) {
            writeln!(w, "{}{more}", " ".repeat(head.chars().count()))?;
        }
    }
    if report.diagnostics.len() > shown {
        writeln!(w, "  … and {} more", report.diagnostics.len() - shown)?;
    }
    writeln!(w)
}

/// `12 files scanned, 2 skipped (1 bad_yaml, 1 binary); 3 findings (1 critical, 2 high);
/// 1 suppressed, 0 baselined; 1.3 s`
fn summary(report: &ScanReport) -> String {
    let s = &report.stats;
    let skipped: u64 = s.skipped.values().sum();
    let files = match skipped {
        0 => format!("{} scanned, none skipped", plural_word(s.files_analysed, "file")),
        n => {
            let reasons: Vec<String> = s.skipped.iter().filter(|(_, n)| **n > 0).map(|(k, n)| format!("{n} {k}")).collect();
            format!("{} scanned, {n} skipped ({})", plural_word(s.files_analysed, "file"), reasons.join(", "))
        }
    };
    let mut counts = [0u64; 5];
    report.findings.iter().for_each(|f| counts[severity_index(f.severity)] += 1);
    let findings = match report.findings.len() {
        0 => "no findings".to_owned(),
        n => format!("{} ({})", plural_word(n as u64, "finding"), describe_counts(&counts)),
    };
    let elapsed = match s.elapsed_ms {
        ms @ 0..1000 => format!("{ms} ms"),
        ms => format!("{:.1} s", ms as f64 / 1000.0),
    };
    format!("{files}; {findings}; {} suppressed, {} baselined; {elapsed}", s.suppressed, s.baselined)
}

fn plural_word(n: u64, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// Text from the scanned project, made safe for a terminal: line breaks and tabs become
/// spaces; other control characters and bidirectional overrides (which could recolour the
/// terminal or make code read differently) are shown escaped.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}') => {
                out.push_str(&c.escape_unicode().to_string())
            }
            c => out.push(c),
        }
    }
    out
}

/// Greedy word wrap to `width` columns (characters); words longer than a line are cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if len > 0 {
                lines.push(std::mem::take(&mut line));
                len = 0;
            }
            lines.push(word.drain(..width).collect());
        }
        if word.is_empty() {
            continue;
        }
        if len > 0 && len + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        len += word.len();
        line.extend(word);
    }
    if len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

struct Paint {
    on: bool,
}

impl Paint {
    fn severity(&self, s: Severity) -> String {
        s.label(self.on)
    }

    fn bold(&self, text: &str) -> String {
        if self.on { format!("\x1b[1m{text}\x1b[0m") } else { text.to_owned() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_word_boundaries_and_cuts_only_giant_words() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh ij", 3), vec!["abc", "def", "gh", "ij"]);
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(wrap("  one\n two  ", 80), vec!["one two"]);
        assert!(wrap(&"x ".repeat(1000), 20).iter().all(|l| l.chars().count() <= 20));
    }

    #[test]
    fn terminal_controls_from_the_project_are_defused() {
        assert_eq!(clean("a\x1b[31mred\nb"), "a\\u{1b}[31mred b");
        assert_eq!(clean("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(clean("plain — ünïcode"), "plain — ünïcode");
    }
}
