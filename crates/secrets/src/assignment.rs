//! Reading `key <op> value` around a keyword hit, in the shapes code and config write it:
//! `key = "v"`, `key: v`, `"key": "v"`, `KEY=v`, `key := "v"`, `key => 'v'`, `headers["key"] = "v"`,
//! `--key v`, and annotated `key: str = "v"`.

use std::ops::Range;

/// Longest key and value read; anything longer is not an assignment we judge.
const MAX_KEY: usize = 128;
const MAX_VALUE: usize = 1024;

pub(crate) struct Assignment {
    pub key: Range<usize>,
    pub value: Range<usize>,
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// The identifier around `hit`. When it runs past the bound, `Err` holds how far it was read,
/// so the caller does not read the same run again for the next hit inside it.
pub(crate) fn key_around(bytes: &[u8], hit: Range<usize>) -> Result<Range<usize>, usize> {
    let floor = hit.start.saturating_sub(MAX_KEY);
    let mut start = hit.start;
    while start > floor && is_key_byte(bytes[start - 1]) {
        start -= 1;
    }
    let ceil = (hit.end + MAX_KEY).min(bytes.len());
    let mut end = hit.end;
    while end < ceil && is_key_byte(bytes[end]) {
        end += 1;
    }
    let too_long = (start == floor && floor > 0 && is_key_byte(bytes[floor - 1])) || (end == ceil && end < bytes.len());
    if too_long { Err(end) } else { Ok(start..end) }
}

fn skip_blanks(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

/// The operator at `i`, and where the value starts after it.
fn operator(bytes: &[u8], i: usize, flag: bool) -> Option<(u8, usize)> {
    let at = |k: usize| bytes.get(i + k).copied();
    match (at(0), at(1), at(2)) {
        (Some(b'='), Some(b'='), Some(b'=')) => Some((b'=', i + 3)),
        (Some(b'='), Some(b'=' | b'>'), _) | (Some(b':'), Some(b'='), _) => Some((b'=', i + 2)),
        (Some(b':'), Some(b':'), _) => None,
        (Some(b'='), _, _) => Some((b'=', i + 1)),
        (Some(b':'), _, _) => Some((b':', i + 1)),
        _ if flag && i > 0 && bytes[i - 1] == b' ' => Some((b' ', i)),
        _ => None,
    }
}

/// A quoted string starting at `i` (with an optional Python prefix), as the range inside the
/// quotes; `None` when unterminated on its line, templated, or too long.
fn quoted(bytes: &[u8], mut i: usize) -> Option<Range<usize>> {
    let mut formatted = false;
    for _ in 0..2 {
        match bytes.get(i) {
            Some(b'f' | b'F') => formatted = true,
            Some(b'r' | b'R' | b'b' | b'B' | b'u' | b'U') => {}
            _ => break,
        }
        i += 1;
    }
    let q = *bytes.get(i).filter(|b| matches!(b, b'"' | b'\'' | b'`'))?;
    let start = i + 1;
    let end_bound = (start + MAX_VALUE).min(bytes.len());
    let mut j = start;
    while j < end_bound {
        match bytes[j] {
            b'\\' => j += 2,
            b'\n' => return None,
            b if b == q => {
                let inner = &bytes[start..j];
                let templated = formatted && inner.contains(&b'{') || q == b'`' && memchr::memmem::find(inner, b"${").is_some();
                return (!templated).then_some(start..j);
            }
            _ => j += 1,
        }
    }
    None
}

/// An unquoted value at `i`: up to blank space or punctuation that ends a value.
fn bare(bytes: &[u8], i: usize) -> Option<Range<usize>> {
    let end_bound = (i + MAX_VALUE).min(bytes.len());
    let mut j = i;
    while j < end_bound && !matches!(bytes[j], b' ' | b'\t' | b'\r' | b'\n' | b',' | b';' | b')' | b'}' | b']' | b'"' | b'\'' | b'`') {
        j += 1;
    }
    let too_long = j == end_bound && end_bound < bytes.len();
    (j > i && !too_long).then_some(i..j)
}

/// The assignment whose key contains `hit`. `bare_ok`: unquoted values are literals (config
/// and env files) rather than expressions (code).
pub(crate) fn parse(bytes: &[u8], key: Range<usize>, bare_ok: bool) -> Option<Assignment> {
    let mut i = key.end;
    let opener = key.start.checked_sub(1).map(|k| bytes[k]);
    if let Some(q @ (b'"' | b'\'')) = opener {
        if bytes.get(i) != Some(&q) {
            return None;
        }
        i += 1;
    }
    if bytes.get(i) == Some(&b']') {
        i += 1;
    }
    let flag = bytes[key.clone()].starts_with(b"-");
    let (op, after) = operator(bytes, skip_blanks(bytes, i), flag)?;
    let v = skip_blanks(bytes, after);
    if let Some(value) = quoted(bytes, v) {
        return Some(Assignment { key, value });
    }
    if matches!(bytes.get(v), Some(b'"' | b'\'' | b'`')) {
        return None;
    }
    let word = bare(bytes, v)?;
    // `password: str = "…"`: a type annotation, the value follows the `=`.
    if op == b':' && bytes[word.clone()].iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_') {
        let next = skip_blanks(bytes, word.end);
        if bytes.get(next) == Some(&b'=') && bytes.get(next + 1) != Some(&b'=') {
            let value = quoted(bytes, skip_blanks(bytes, next + 1))?;
            return Some(Assignment { key, value });
        }
    }
    (bare_ok && op != b' ' || flag).then_some(Assignment { key, value: word })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, bare_ok: bool) -> Option<(String, String)> {
        let b = text.as_bytes();
        let at = text.to_ascii_lowercase().find("secret").unwrap();
        let key = key_around(b, at..at + 6).ok()?;
        let a = parse(b, key, bare_ok)?;
        Some((text[a.key].to_string(), text[a.value].to_string()))
    }

    fn pair(k: &str, v: &str) -> Option<(String, String)> {
        Some((k.to_string(), v.to_string()))
    }

    #[test]
    fn assignment_shapes() {
        assert_eq!(read("client_secret = \"abc\"", false), pair("client_secret", "abc"));
        assert_eq!(read("  \"clientSecret\": \"abc\",", false), pair("clientSecret", "abc"));
        assert_eq!(read("CLIENT_SECRET=abc\n", true), pair("CLIENT_SECRET", "abc"));
        assert_eq!(read("client_secret: abc # note", true), pair("client_secret", "abc"));
        assert_eq!(read("secret := \"abc\"", false), pair("secret", "abc"));
        assert_eq!(read("'secret' => 'abc'", false), pair("secret", "abc"));
        assert_eq!(read("h['X-Secret'] = 'abc'", false), pair("X-Secret", "abc"));
        assert_eq!(read("run --secret abc", false), pair("--secret", "abc"));
        assert_eq!(read("secret: str = r'abc'", false), pair("secret", "abc"));
        assert_eq!(read("SECRET=abc", true), pair("SECRET", "abc"));
    }

    #[test]
    fn overlong_keys_are_refused_with_the_read_extent() {
        let text = format!("{}secret{} = 'abc'", "a".repeat(200), "b".repeat(10));
        let at = text.find("secret").unwrap();
        assert!(key_around(text.as_bytes(), at..at + 6).is_err());
        let text = format!("secret{} = 'abc'", "b".repeat(300));
        assert_eq!(key_around(text.as_bytes(), 0..6), Err(6 + 128));
    }

    #[test]
    fn not_assignments() {
        assert_eq!(read("secret = get_secret()", false), None);
        assert_eq!(read("secret = config.secret", false), None);
        assert_eq!(read("os.environ.get(\"SECRET\", default)", false), None);
        assert_eq!(read("secret = f\"{prefix}-abc\"", false), None);
        assert_eq!(read("secret = `${a}b`", false), None);
        assert_eq!(read("secret = \"unterminated\n\"", false), None);
        assert_eq!(read("Secret::new()", false), None);
        assert_eq!(read("the secret is out", true), None);
    }
}
