//! Whether an assigned value is a literal secret, or something that only stands for one:
//! a reference resolved elsewhere, a placeholder, a word, an identifier, a path.

use crate::entropy;

/// Values longer than this are blobs (certificates, bundles), not generic credentials.
const MAX_GENERIC_LEN: usize = 512;

/// A value resolved by something else at deploy or run time: `${env:X}`, `${ssm:…}`, `!Ref X`,
/// `{{resolve:…}}`, `process.env.X`, `os.environ["X"]`, `$X`, `%(x)s`, `arn:…`.
pub(crate) fn is_reference(v: &str) -> bool {
    const STARTS: &[&str] = &["${", "$(", "#{", "{{", "%(", "<%", "arn:", "ssm:", "secretsmanager:", "vault:", "@Microsoft.KeyVault("];
    const CONTAINS: &[&str] = &[
        "${",
        "{{",
        "process.env",
        "os.environ",
        "os.getenv",
        "getenv(",
        "System.getenv",
        "import.meta.env",
        "Deno.env",
        "secrets.",
        "Fn::",
        "!Ref",
        "!Sub",
        "!GetAtt",
        "resolve:",
    ];
    if STARTS.iter().any(|p| v.starts_with(p)) || CONTAINS.iter().any(|p| v.contains(p)) {
        return true;
    }
    // YAML tags (`!Ref X`, read bare as `!Ref`), not passwords that start with `!`.
    if let Some(tag) = v.strip_prefix('!') {
        let name = tag.split(' ').next().unwrap_or("");
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphabetic() || b == b':') {
            return true;
        }
    }
    // `$NAME` shell and env-file references.
    v.strip_prefix('$').is_some_and(|rest| rest.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_'))
}

/// Text that says "put your secret here" rather than being one.
pub(crate) fn is_placeholder(v: &str) -> bool {
    const WORDS: &[&str] = &[
        "example",
        "sample",
        "changeme",
        "change_me",
        "change-me",
        "changeit",
        "placeholder",
        "your",
        "dummy",
        "redacted",
        "replace",
        "insert",
        "todo",
        "fixme",
        "notreal",
        "not_real",
        "not-real",
        "fake",
        "mysecret",
        "secret_here",
        "key_here",
        "token_here",
        // Demo passwords (`password1`, `MyPassword!`): a real one rarely spells the word.
        "password",
        "passwd",
    ];
    const EXACT: &[&str] = &["none", "null", "nil", "undefined", "true", "false", "password", "secret", "token", "string", "required"];
    let lower = v.to_ascii_lowercase();
    if EXACT.contains(&lower.as_str()) || WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    if v.starts_with('<') && v.ends_with('>') || v.starts_with('[') && v.ends_with(']') || v.contains("...") || v.contains('…') {
        return true;
    }
    // Masks: xxxx, ****, ####, 0000, ----.
    let bytes = v.as_bytes();
    let masked =
        bytes.windows(4).any(|w| w.iter().all(|&b| b == w[0] && matches!(b, b'x' | b'X' | b'*' | b'#' | b'0' | b'-' | b'_' | b'.')));
    masked || is_sequence(bytes)
}

/// `12345678`, `abcdefgh`: keyboard fill.
fn is_sequence(b: &[u8]) -> bool {
    b.len() >= 4 && b.windows(2).all(|w| w[1] == w[0].wrapping_add(1))
}

/// A name rather than a value: `my_app_secret`, `SECRET_NAME`, `apiKey`, `AuthToken`,
/// `db.password`: letters only, in one consistent identifier style.
fn is_identifier_like(v: &str) -> bool {
    let b = v.as_bytes();
    if b.iter().any(|c| !(c.is_ascii_alphabetic() || matches!(c, b'_' | b'-' | b'.'))) {
        return false;
    }
    let capitals = b.iter().filter(|c| c.is_ascii_uppercase()).count();
    let lower = capitals == 0;
    let upper = b.iter().all(|c| !c.is_ascii_lowercase());
    // camelCase and PascalCase, one-letter words included (`IAmSensitive`): capitals start
    // words, so there are few of them; random letters switch case about every other byte.
    let camel = capitals * 4 <= b.len();
    lower || upper || camel
}

/// A regular expression, not a credential: a character class or a class escape.
fn is_regex(v: &str) -> bool {
    let b = v.as_bytes();
    let class = memchr::memchr(b'[', b).is_some_and(|open| memchr::memchr(b']', &b[open..]).is_some());
    let escape = b.windows(2).any(|w| w[0] == b'\\' && matches!(w[1], b'w' | b'd' | b's' | b'W' | b'D' | b'S' | b'b'));
    class || escape || v.contains("(?")
}

/// Not a credential: a URL or path, a hash labelled by its algorithm, Stripe's test-mode and
/// publishable keys (public by design, or unable to move money), prose.
fn is_structured_non_secret(v: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "sk_test_", "rk_test_", "pk_test_", "pk_live_", "/", "./", "../", "~/", "http://", "https://", "file:", "s3://", "sha1-",
        "sha256-", "sha384-", "sha512-", "sha256:", "md5:",
    ];
    PREFIXES.iter().any(|p| v.starts_with(p)) || v.bytes().any(|b| b.is_ascii_whitespace())
}

/// How a generic value is held to the bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// Passwords: people choose them, so shorter and less random values count.
    Password,
    /// Keys, tokens, secrets: machine-made, so longer and random.
    Secret,
}

/// A literal assigned to a secret-named key that is a credential, not a stand-in for one.
pub(crate) fn is_generic_secret(v: &str, strictness: Strictness) -> bool {
    let min = match strictness {
        Strictness::Password => 6,
        Strictness::Secret => 10,
    };
    if v.len() < min || v.len() > MAX_GENERIC_LEN {
        return false;
    }
    if is_reference(v) || is_placeholder(v) || is_identifier_like(v) || is_structured_non_secret(v) || is_regex(v) {
        return false;
    }
    entropy::looks_random(v.as_bytes())
}

/// A provider-shaped value that is nonetheless a documented example or a mask.
pub(crate) fn is_example_token(v: &str) -> bool {
    v.ends_with("EXAMPLE") || v.contains("EXAMPLEKEY") || is_placeholder(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_recognised() {
        for v in [
            "${env:DB_PASSWORD}",
            "${ssm:/app/key}",
            "!Ref DbPassword",
            "{{resolve:secretsmanager:db}}",
            "process.env.API_KEY",
            "$API_KEY",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
        ] {
            assert!(is_reference(v), "{v}");
        }
        assert!(is_reference("!Ref"));
        assert!(is_reference("!GetAtt Db.Password"));
        assert!(!is_reference("!Qaz2wsx#Edc"));
        assert!(!is_reference("hX8$kP2q"));
        assert!(!is_reference("$1"));
    }

    #[test]
    fn placeholders_are_recognised() {
        for v in [
            "<your-key>",
            "changeme",
            "xxxxxxxxxxxx",
            "********",
            "your_api_key_here",
            "AKIAIOSFODNN7EXAMPLE-ish example",
            "12345678",
            "abcdefgh",
            "null",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        assert!(!is_placeholder("Tr0ub4dor&3"));
    }

    #[test]
    fn generic_values_are_judged() {
        assert!(is_generic_secret("Tr0ub4dor&3", Strictness::Password));
        assert!(is_generic_secret("9f3Kq2LxV7mZp1Rt", Strictness::Secret));
        assert!(is_generic_secret("4b1c6e2f9a7d3e8b5c0f1a2d6e9b3c7f", Strictness::Secret));
        assert!(!is_generic_secret("", Strictness::Password));
        assert!(!is_generic_secret("my_app_secret", Strictness::Secret));
        assert!(!is_generic_secret("ApiKeyHeader", Strictness::Secret));
        assert!(!is_generic_secret("https://auth.example.org/token", Strictness::Secret));
        assert!(!is_generic_secret("sha512-9f3Kq2LxV7mZp1Rt", Strictness::Secret));
        assert!(!is_generic_secret("two words here", Strictness::Password));
        assert!(!is_generic_secret("aaaa1111", Strictness::Password));
        assert!(!is_generic_secret("hunter", Strictness::Password));
        assert!(!is_generic_secret("short1", Strictness::Secret));
        // Seen in real library docs and code.
        assert!(!is_generic_secret("password1", Strictness::Password));
        assert!(!is_generic_secret("IAmSensitive", Strictness::Password));
        assert!(!is_generic_secret("[-!#$%&'*+.^_`|~0-9a-zA-Z]+", Strictness::Secret));
        assert!(!is_generic_secret("[^\\W\\d]\\w*", Strictness::Secret));
        assert!(is_generic_secret("qXbTrLmKwZ", Strictness::Secret));
    }
}
