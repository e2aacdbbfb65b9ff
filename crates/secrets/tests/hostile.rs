//! Untrusted input: arbitrary bytes, invalid UTF-8, binary, one huge line, keyword floods. The
//! scanner must not panic, must stay linear, and must still find what is there.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use fnwarden_secrets::{Scanner, check_assignment, redact};
use proptest::prelude::*;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(Scanner::new)
}

/// Fragments that reach every code path: anchors, keywords, operators, quotes, escapes.
const FRAGMENTS: &[&str] = &[
    "AKIA",
    "ASIA",
    "AKID",
    "ghp_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xapp-",
    "hooks.slack.com/services/T",
    "sk_live_",
    "k_live_",
    "SG.",
    "npm_",
    "pypi-AgEIcHlwaS5vcmc",
    "eyJ",
    "eyJhbGciOiJIUzI1NiJ9",
    "-----BEGIN ",
    "PRIVATE KEY-----",
    "\"private_key\"",
    "AccountKey=",
    "SharedAccessKey=",
    "IQoJb3JpZ2luX2Vj",
    "://",
    "postgres://",
    "u:p@h",
    "password",
    "PASSWORD",
    "Secret",
    "token",
    "apiKey",
    "auth",
    "credential",
    "=",
    ":",
    ":=",
    "=>",
    "\"",
    "'",
    "`",
    "\\",
    "\n",
    " ",
    "${",
    "{",
    "}",
    "[",
    "]",
    "--",
    "\u{e9}",
    "\u{ff}",
    "AAAAAAAAAAAAAAAA",
    "Q~",
];

fn fragments() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![prop::sample::select(FRAGMENTS).prop_map(|s| s.as_bytes().to_vec()), prop::collection::vec(any::<u8>(), 0..8)],
        0..64,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        for path in ["a.py", ".env", "x/y.json", "z"] {
            for f in scanner().scan(Path::new(path), &bytes) {
                prop_assert!(f.location.line >= 1 && f.location.column >= 1);
            }
        }
    }

    #[test]
    fn fragment_soup_never_panics_and_locations_are_in_range(bytes in fragments()) {
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        for path in ["a.js", "settings.yml"] {
            for f in scanner().scan(Path::new(path), &bytes) {
                prop_assert!(f.location.line >= 1 && f.location.line <= lines, "{f:?}");
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let (k, v) = text.split_once('=').unwrap_or((&text, ""));
        let _ = check_assignment(k, v);
        let _ = redact(&text);
    }
}

#[test]
fn invalid_utf8_around_a_secret() {
    let mut bytes = b"\xff\xfe\x00junk\x80\n".to_vec();
    bytes.extend_from_slice(b"TOKEN = \"ghp_I9AC7nX4gsRV3E92SWlqTu9yXwcDZMRevUna\" \xc3\x28\n");
    let f = scanner().scan(Path::new("blob.py"), &bytes);
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].location.line, f[0].location.column), (2, 10));
}

#[test]
fn one_huge_line_and_keyword_floods_stay_linear() {
    // 12 MB: one line of keywords with no assignment, then a secret at the end. Re-reading the
    // identifier at every hit (a keyword every 4 bytes) would be hundreds of times slower.
    let mut big = "password".repeat(1 << 20);
    big.push_str("secret_keyspassauthtoken".repeat(1 << 17).as_str());
    big.push_str(" ghp_I9AC7nX4gsRV3E92SWlqTu9yXwcDZMRevUna\n");
    let start = Instant::now();
    let f = scanner().scan(Path::new("min.js"), big.as_bytes());
    let took = start.elapsed();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].location.line, 1);
    // Generous even for a debug build on a loaded machine.
    assert!(took.as_secs() < 60, "took {took:?}");
}

#[test]
fn many_secrets_are_capped_per_file() {
    let line = "k = \"ghp_I9AC7nX4gsRV3E92SWlqTu9yXwcDZMRevUna\"\n";
    let text = line.repeat(5_000);
    let f = scanner().scan(Path::new("dump.py"), text.as_bytes());
    assert!(!f.is_empty() && f.len() <= 1_000, "{}", f.len());
    assert_eq!(f.last().unwrap().location.line as usize, f.len());
}

#[test]
fn binary_files_with_anchor_bytes() {
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
    for (i, chunk) in b"AKIA-----BEGIN eyJ://xoxb-".chunks(4).enumerate() {
        bytes[i * 1000..i * 1000 + chunk.len()].copy_from_slice(chunk);
    }
    assert!(scanner().scan(Path::new("lib.so"), &bytes).is_empty());
}
