//! Values quoted in messages come from untrusted IaC: quote at most a line's worth of each.

const MAX_CHARS: usize = 120;

/// `s` trimmed, cut to 120 characters with `…` when longer.
pub fn clip(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::clip;

    #[test]
    fn clips_long_values_on_char_boundaries() {
        assert_eq!(clip("  short "), "short");
        let long = "é".repeat(200);
        let c = clip(&long);
        assert_eq!(c.chars().count(), 121);
        assert!(c.ends_with('…'));
    }
}
