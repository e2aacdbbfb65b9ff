//! Messages never carry a whole secret: enough of the start to recognise it, the rest masked.

/// The first characters of `secret` (a quarter of it, at most six) followed by a fixed mask, so
/// neither the rest nor the length leaks.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let keep = (n / 4).min(6);
    let mut out: String = secret.chars().take(keep).collect();
    out.push_str("********");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_short_prefix_only() {
        assert_eq!(redact("ghp_R8vQ2mX7kLp4Tz9Wc1Yb6Nd3Hs5Fg0Ja2Ke8"), "ghp_R8********");
        assert_eq!(redact("AKIA2E0A8F3B244C9986"), "AKIA2********");
        assert_eq!(redact("hunter22"), "hu********");
        assert_eq!(redact("abc"), "********");
        assert_eq!(redact(""), "********");
        assert_eq!(redact("\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}"), "\u{e9}\u{e9}********");
    }
}
