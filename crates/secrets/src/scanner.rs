//! One pass per file: an Aho-Corasick automaton over every pattern's literal anchors and the
//! secret keywords finds candidates; each is confirmed where it stands (an anchored regex over
//! a bounded window, or the assignment around a keyword), never by another pass over the file.

use std::ops::Range;
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use base64::Engine;
use fnwarden_project::{Finding, Location, ScanRule, Severity};
use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input};

use crate::assignment::{self, key_around};
use crate::judge::{self, Judged};
use crate::key;
use crate::lines::LineCursor;
use crate::provider::{Check, PATTERNS, is_token_byte};
use crate::redact;
use crate::rules;
use crate::value;

/// Fingerprints of the keywords that mark a secret-named key, in the case styles identifiers
/// use (`password`, `dbPassword`, `DB_PASSWORD`). The whole identifier around a hit is then read
/// and judged, so `pass` covers password, passwd and DB_PASS, and `ecret` clientSecret. They are
/// case-sensitive on purpose: a case-insensitive automaton loses the SIMD prefilter. Their first
/// bytes are picked to be rare in code (`token`, not `oken`, which every `invoke` contains), and
/// a lone lower-case `key` (S3 keys, dict keys, `Object.keys`: one every 300 bytes of handler
/// code) is not one: only a qualified key names a secret (`api_key`, `x-api-key`, `apikey`, `apiKey`;
/// `apikey` by `pikey`, as `api` starts too many words).
const KEYWORDS: &[&str] = &[
    "pass", "Pass", "PASS", "pwd", "Pwd", "PWD", "ecret", "ECRET", "token", "Token", "TOKEN", "_key", "-key", "pikey", "Key", "KEY",
    "auth", "Auth", "AUTH", "dential", "DENTIAL",
];

/// Keys that start a provider credential (Azure connection strings: `AccountKey=…`). They are
/// found through the `Key` keyword rather than anchors of their own, to keep the anchor set small.
const PROVIDER_KEYS: &[(&str, &ScanRule)] = &[("AccountKey", &rules::AZURE_STORAGE_KEY), ("SharedAccessKey", &rules::AZURE_STORAGE_KEY)];

/// How far past its anchor a provider match may reach (private key headers and long tokens fit).
const WINDOW: usize = 1024;
/// A file with more findings than this is a generated dump; the rest is not reported.
const MAX_HITS: usize = 1000;

/// Files that are all hashes and registry URLs: lock files (integrity fields are not secrets).
const LOCK_FILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "go.sum",
    "poetry.lock",
    "Pipfile.lock",
    "Cargo.lock",
    "composer.lock",
    "Gemfile.lock",
];

/// Source extensions where an unquoted value is an expression, not a literal.
const CODE_EXTENSIONS: &[&str] = &[
    "py", "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "go", "java", "kt", "kts", "scala", "rb", "php", "cs", "rs", "c", "h",
    "cc", "cpp", "swift", "groovy",
];

/// Folders whose files are tests: their findings are reported at low severity (a live key in a
/// test is still leaked, but most are fixtures).
const TEST_DIRS: &[&str] = &["test", "tests", "__tests__", "spec", "specs", "fixtures", "__fixtures__", "testdata", "__mocks__", "mocks"];

enum Anchor {
    /// The provider patterns that start at this anchor, tried in precedence order.
    Provider(Vec<usize>),
    Keyword,
}

struct Confirm {
    regex: Regex,
    /// Group 1, when the pattern has one: the secret inside the match.
    secret: Option<usize>,
}

/// A confirmed secret at a byte span.
pub(crate) struct Hit {
    pub span: Range<usize>,
    pub rule: &'static ScanRule,
    pub message: String,
    /// Lower wins when two hits overlap: provider patterns in table order, then keyword ones.
    precedence: usize,
}

impl Hit {
    /// Found by a provider pattern rather than by keyword.
    pub(crate) fn is_provider(&self) -> bool {
        self.precedence < PATTERNS.len()
    }
}

/// The secrets scanner: built once, shared by every thread.
pub struct Scanner {
    prefilter: AhoCorasick,
    anchors: Vec<Anchor>,
    confirm: Vec<Confirm>,
}

impl Default for Scanner {
    fn default() -> Scanner {
        Scanner::new()
    }
}

impl Scanner {
    pub fn new() -> Scanner {
        let mut literals: Vec<&str> = Vec::new();
        let mut anchors = Vec::new();
        for (i, p) in PATTERNS.iter().enumerate() {
            for a in p.anchors {
                match literals.iter().position(|l| l == a) {
                    Some(at) => {
                        if let Anchor::Provider(list) = &mut anchors[at] {
                            list.push(i);
                        }
                    }
                    None => {
                        literals.push(a);
                        anchors.push(Anchor::Provider(vec![i]));
                    }
                }
            }
        }
        for k in KEYWORDS {
            literals.push(k);
            anchors.push(Anchor::Keyword);
        }
        let prefilter = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&literals)
            .expect("the static anchor set builds");
        let confirm = PATTERNS
            .iter()
            .map(|p| {
                let regex = Regex::new(p.regex).expect("the static provider patterns compile");
                let secret = if regex.group_info().group_len(regex_automata::PatternID::ZERO) > 1 { Some(1) } else { None };
                Confirm { regex, secret }
            })
            .collect();
        Scanner { prefilter, anchors, confirm }
    }

    /// Every secret in one file. `path` is relative to the scan root and only used to name the
    /// file and to decide how to read it (lock file, code or config, test folder).
    pub fn scan(&self, path: &Path, bytes: &[u8]) -> Vec<Finding> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if LOCK_FILES.contains(&name) {
            return Vec::new();
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let bare_ok = !CODE_EXTENSIONS.contains(&ext);
        let in_tests = path.components().any(|c| c.as_os_str().to_str().is_some_and(|c| TEST_DIRS.contains(&c)));
        let mut cursor = LineCursor::new(bytes);
        self.detect(bytes, bare_ok)
            .into_iter()
            .map(|h| {
                let (line, column) = cursor.at(h.span.start);
                let mut f = Finding::new(h.rule, Location::new(path, line, column), h.message);
                if in_tests {
                    f.severity = Severity::Low;
                }
                f
            })
            .collect()
    }

    /// Confirmed hits, in offset order, overlaps resolved by precedence.
    pub(crate) fn detect(&self, bytes: &[u8], bare_ok: bool) -> Vec<Hit> {
        let mut hits = Vec::new();
        // Keys already read: later keyword hits inside them are the same key.
        let mut keys_read_to = 0;
        for m in self.prefilter.find_iter(bytes) {
            match &self.anchors[m.pattern().as_usize()] {
                Anchor::Provider(list) => hits.extend(list.iter().find_map(|&i| self.provider(bytes, i, m.start()))),
                Anchor::Keyword if m.start() >= keys_read_to => match key_around(bytes, m.range()) {
                    Ok(key) => {
                        keys_read_to = key.end;
                        let hit = match self.provider_key(bytes, &key) {
                            Some(hit) => Some(hit),
                            None => keyword(bytes, key, bare_ok),
                        };
                        hits.extend(hit);
                    }
                    Err(read_to) => keys_read_to = read_to,
                },
                Anchor::Keyword => {}
            }
            if hits.len() >= MAX_HITS {
                tracing::debug!(hits = hits.len(), "secrets: finding limit reached; the rest of the file is not reported");
                break;
            }
        }
        resolve_overlaps(hits)
    }

    /// A provider credential that starts with the key itself (`AccountKey=…`).
    fn provider_key(&self, bytes: &[u8], key: &Range<usize>) -> Option<Hit> {
        let name = &bytes[key.clone()];
        let rule = PROVIDER_KEYS.iter().find(|(k, _)| k.as_bytes() == name)?.1;
        let i = PATTERNS.iter().position(|p| std::ptr::eq(p.rule, rule))?;
        self.provider(bytes, i, key.start)
    }

    /// The provider pattern `i` confirmed at its anchor `hit`.
    fn provider(&self, bytes: &[u8], i: usize, hit: usize) -> Option<Hit> {
        let p = &PATTERNS[i];
        let c = &self.confirm[i];
        let start = p.back.start(bytes, hit)?;
        if p.boundary && start > 0 && is_token_byte(bytes[start - 1]) {
            return None;
        }
        let window = &bytes[start..(start + WINDOW).min(bytes.len())];
        let mut caps = c.regex.create_captures();
        c.regex.search_captures(&Input::new(window).anchored(Anchored::Yes), &mut caps);
        let whole = caps.get_match()?.range();
        let secret = c.secret.and_then(|g| caps.get_group(g)).map(|s| s.range()).unwrap_or(whole.clone());
        let text = std::str::from_utf8(&window[secret.clone()]).ok()?;
        let accepted = match p.check {
            Check::Token => !window.get(whole.end).is_some_and(|&b| is_token_byte(b)) && !value::is_example_token(text),
            Check::Jwt => jwt_header_names_alg(text),
            Check::DatabaseUrl => database_password_is_real(window, &caps),
            Check::PrivateKey => true,
        };
        if !accepted {
            return None;
        }
        let span = start + secret.start..start + secret.end;
        if p.check == Check::PrivateKey {
            // The header names the key type and is not secret; the body is.
            let header = text.split("-----").nth(1).unwrap_or("PRIVATE KEY").trim();
            let (rule, kind) = if in_private_key_field(bytes, start) {
                (&rules::GCP_SERVICE_ACCOUNT_KEY, "GCP service-account private key")
            } else {
                (p.rule, p.kind)
            };
            return Some(Hit { span, rule, message: format!("{kind} ({header}) is written here with its key material"), precedence: i });
        }
        Some(Hit { span, rule: p.rule, message: format!("{} {} is hard-coded", p.kind, redact::redact(text)), precedence: i })
    }
}

/// A PEM block that is the value of a JSON `"private_key"` field on the same line: a service-account key file.
fn in_private_key_field(bytes: &[u8], start: usize) -> bool {
    let before = &bytes[start.saturating_sub(64)..start];
    let line = memchr::memrchr(b'\n', before).map_or(before, |nl| &before[nl + 1..]);
    memchr::memmem::find(line, b"\"private_key\"").is_some()
}

/// The assignment around the keyword `key`, judged by its name and value.
fn keyword(bytes: &[u8], key: Range<usize>, bare_ok: bool) -> Option<Hit> {
    let a = assignment::parse(bytes, key, bare_ok)?;
    let name = std::str::from_utf8(&bytes[a.key.clone()]).ok()?;
    let kind = key::classify(name)?;
    let text = std::str::from_utf8(&bytes[a.value.clone()]).ok()?;
    let Judged { rule, what, skip } = judge::judge(kind, text)?;
    Some(Hit {
        span: a.value.start + skip..a.value.end,
        rule,
        message: format!("{what} assigned to `{name}`: {}", redact::redact(&text[skip..])),
        precedence: PATTERNS.len(),
    })
}

/// Keep, of overlapping hits, the one with the lowest precedence (the most specific pattern).
fn resolve_overlaps(mut hits: Vec<Hit>) -> Vec<Hit> {
    hits.sort_by_key(|h| (h.span.start, h.precedence));
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits {
        match kept.last_mut() {
            Some(last) if h.span.start < last.span.end => {
                if h.precedence < last.precedence {
                    *last = h;
                }
            }
            _ => kept.push(h),
        }
    }
    kept
}

/// A JWT's first part is base64url JSON with an `alg` member; random dotted base64 is not.
fn jwt_header_names_alg(token: &str) -> bool {
    let header = token.split('.').next().unwrap_or("");
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .is_ok_and(|json| memchr::memmem::find(&json, b"\"alg\"").is_some())
}

/// `scheme://user:password@host`: the password is a literal (not `${DB_PASS}`, `%s`, `****`),
/// differs from the user name, and the host is not the developer's own machine.
fn database_password_is_real(window: &[u8], caps: &Captures) -> bool {
    let Some(m) = caps.get_match() else { return false };
    let Some(pw) = caps.get_group(1) else { return false };
    let url = &window[m.range()];
    let Ok(url) = std::str::from_utf8(url) else { return false };
    let Ok(password) = std::str::from_utf8(&window[pw.range()]) else { return false };
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or("");
    let user = rest.split(':').next().unwrap_or("");
    let host = url.rsplit('@').next().unwrap_or("").split(':').next().unwrap_or("");
    const LOCAL: &[&str] = &["localhost", "127.0.0.1", "0.0.0.0", "[", "host.docker.internal"];
    let local = LOCAL.iter().any(|l| host.starts_with(l));
    let stand_in = matches!(password.as_bytes()[0], b'{' | b'%' | b'$' | b'<' | b'[');
    !local && !stand_in && password != user && !value::is_reference(password) && !value::is_placeholder(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_pattern_compiles_and_the_anchors_fit_the_simd_prefilter() {
        let s = Scanner::new();
        assert_eq!(s.confirm.len(), PATTERNS.len());
        for p in PATTERNS {
            let by_key = PROVIDER_KEYS.iter().any(|(_, r)| std::ptr::eq(*r, p.rule));
            assert!(!p.anchors.is_empty() || by_key, "{}", p.kind);
        }
        // Teddy, the SIMD prefilter, takes at most 64 literals.
        assert!(s.anchors.len() <= 64, "{} anchors", s.anchors.len());
    }

    #[test]
    fn jwt_header_check() {
        // {"alg":"HS256","typ":"JWT"}
        assert!(jwt_header_names_alg("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.sig"));
        // {"foo":"bar"}
        assert!(!jwt_header_names_alg("eyJmb28iOiJiYXIifQ.eyJzdWIiOiIxIn0.sig"));
        assert!(!jwt_header_names_alg("eyJ!!!.x.y"));
    }

    #[test]
    fn overlaps_keep_the_most_specific() {
        let h = |s: usize, e: usize, p: usize| Hit { span: s..e, rule: &crate::rules::JWT, message: String::new(), precedence: p };
        let kept = resolve_overlaps(vec![h(0, 10, 5), h(2, 8, 1), h(20, 30, 3)]);
        assert_eq!(kept.iter().map(|h| (h.span.start, h.precedence)).collect::<Vec<_>>(), [(2, 1), (20, 3)]);
    }
}
